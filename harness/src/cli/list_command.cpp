#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"
#include "suites/integer_setting.h"

namespace carbonbench::cli {
namespace {

std::string Range(const ParamSpec& spec) {
  if (spec.type == ParamType::kEnum) {
    std::string out;
    for (const auto& choice : spec.choices) out += (out.empty() ? "" : "|") + choice;
    return out;
  }
  // An integer's range is what validation enforces, open bounds included.
  if (spec.type == ParamType::kInt) {
    const IntegerRange range = StoredRange(spec);
    return fmt::format("int in [{}, {}]", range.min, range.max);
  }
  if (!spec.min && !spec.max) return ParamTypeName(spec.type);
  return fmt::format("{} in [{}, {}]", ParamTypeName(spec.type),
                     spec.min ? FormatParamValue(*spec.min) : "-inf",
                     spec.max ? FormatParamValue(*spec.max) : "inf");
}

void PrintPlugins(const PluginRegistry& registry, bool verbose) {
  for (PluginKind kind : {PluginKind::kModel, PluginKind::kOptimization, PluginKind::kMeter}) {
    std::printf("%ss:\n", PluginKindName(kind));
    for (const auto& name : registry.Names(kind)) {
      const LoadedPlugin* plugin = registry.Find(kind, name);
      std::printf("  %-18s %-8s %s\n", plugin->name.c_str(), plugin->version.c_str(),
                  plugin->summary.c_str());
      if (!verbose) continue;
      std::printf("      file: %s\n      built with: %s\n", plugin->path.c_str(),
                  plugin->build_tag.c_str());
      for (const auto& spec : plugin->params) {
        std::printf("      %s.%-16s %-28s default %-8s %s\n", plugin->name.c_str(),
                    spec.name.c_str(), Range(spec).c_str(),
                    FormatParamValue(spec.default_value).c_str(), spec.doc.c_str());
      }
      if (!plugin->conflicts_with.empty()) {
        std::string conflicts;
        for (const auto& other : plugin->conflicts_with) conflicts += " " + other;
        std::printf("      conflicts with:%s\n", conflicts.c_str());
      }
    }
  }
}

}  // namespace

void AddListCommand(CLI::App& app, GlobalOptions& global) {
  auto* command =
      app.add_subcommand("list", "list every plugin with its kind, version and summary");
  auto verbose = std::make_shared<bool>(false);
  command->add_flag("-v,--verbose", *verbose, "also print each plugin's parameters");
  command->callback([&global, verbose] { PrintPlugins(LoadPlugins(global), *verbose); });
}

}  // namespace carbonbench::cli
