// `carbonbench cell`: one cell repetition, in the process `run` started for
// it. It reads its request (the suite text, which cell, where to store) as
// JSON on standard input, writes progress events on descriptor 3 and exits
// 0 when the cell finished, 3 when it failed (the reason is stored).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "process/child_process.h"
#include "runner/cell_request.h"
#include "runner/cell_run.h"
#include "runner/environment.h"
#include "runner/suite_runner.h"
#include "store/results_store.h"

namespace carbonbench::cli {
namespace {

Cell FindCell(const Suite& suite, const std::string& config_hash) {
  for (Cell cell : suite.cells) {
    if (cell.config_hash == config_hash) return cell;
  }
  throw std::runtime_error(fmt::format(
      "the suite {} has no cell with configuration {} (was the file changed while the suite ran?)",
      suite.source, config_hash));
}

int RunRequestedCell(const GlobalOptions& global) {
  const std::string input{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
  const CellRequest request = CellRequest::FromJson(nlohmann::json::parse(input));
  PluginRegistry registry = LoadPlugins(global);
  const Suite suite = LoadSuiteText(
      request.suite_text, request.suite_source, registry.Catalog(),
      request.suite_generated ? SuiteTextOrigin::kGeneratedText : SuiteTextOrigin::kWrittenByUser);
  const Cell& cell = FindCell(suite, request.config_hash);
  ResultsStore store(request.store_path);

  SuiteRunContext context =
      MakeSuiteRunContext(suite, registry, &store, request.models_dir, request.sampler_interval_ms);
  context.idle = request.idle;
  context.explain_unavailable_meters = false;  // the suite's process did
  // Progress goes to the suite's process on descriptor 3 when it is open.
  std::FILE* events = fcntl(kChildEventsFd, F_GETFD) != -1 ? fdopen(kChildEventsFd, "w") : nullptr;
  if (events) {
    context.on_event = [events](const CellEvent& event) {
      std::fprintf(events, "%s\n", event.ToLine().c_str());
      std::fflush(events);
    };
  }
  if (request.probe_steps > 0) {
    const ProbeResult probe = ProbeCell(context, cell, request.probe_steps);
    if (!events) throw std::runtime_error("a probe reports on descriptor 3, which is not open");
    std::fprintf(events, "%s\n",
                 nlohmann::json{{"type", "probe"}, {"probe", probe.ToJson()}}.dump().c_str());
    std::fflush(events);
    return kCellFinishedExit;
  }
  const CellOutcome outcome = RunCell(context, cell, request.repetition);
  return outcome.finished ? kCellFinishedExit : kCellFailedExit;
}

}  // namespace

void AddCellCommand(CLI::App& app, GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "cell", "run one cell repetition as `run` asks on standard input (used by `run`)");
  command->group("");  // internal: not listed in --help
  command->callback([&global] { global.exit_code = RunRequestedCell(global); });
}

}  // namespace carbonbench::cli
