#include "runner/saved_model.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "util/regular_file.h"

namespace carbonbench {
namespace {

constexpr const char* kFormat = "carbonbench-model-1";
constexpr std::int64_t kMaxDescriptionBytes = std::int64_t{16} << 20;

nlohmann::json ParamJson(const ParamValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

ParamValue ParamFromJson(const nlohmann::json& json) {
  if (json.is_boolean()) return json.get<bool>();
  if (json.is_number_integer()) return json.get<std::int64_t>();
  if (json.is_number()) return json.get<double>();
  return json.get<std::string>();
}

std::string ShapeText(const DatasetSpec& spec) {
  std::string shape;
  for (std::int64_t size : spec.input_shape) {
    shape += (shape.empty() ? "" : "x") + std::to_string(size);
  }
  return fmt::format("{} {} inputs", shape, InputKindName(spec.input_kind));
}

std::string OutputText(const DatasetSpec& spec) {
  if (spec.task == TaskKind::kRegression) return fmt::format("{} target(s)", spec.target_size);
  return fmt::format("{} classes", spec.num_classes);
}

}  // namespace

nlohmann::json SavedModelInfo::ToJson() const {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [name, value] : model_params.values()) params[name] = ParamJson(value);
  return {{"format", kFormat},
          {"model", model},
          {"model_params", params},
          {"dataset", dataset},
          {"spec",
           {{"name", spec.name},
            {"input_shape", spec.input_shape},
            {"input_kind", static_cast<int>(spec.input_kind)},
            {"task", spec.task == TaskKind::kRegression ? "regression" : "classification"},
            {"num_classes", spec.num_classes},
            {"class_names", spec.class_names},
            {"target_size", spec.target_size},
            {"vocab_size", spec.vocab_size},
            {"pad_token_id", spec.pad_token_id}}},
          {"config_json", config_json},
          {"vocab_path", vocab_path}};
}

SavedModelInfo SavedModelInfo::FromJson(const nlohmann::json& json) {
  if (json.value("format", "") != kFormat) {
    throw std::runtime_error(
        fmt::format("not a carbonbench model description (format '{}', expected '{}')",
                    json.value("format", ""), kFormat));
  }
  SavedModelInfo info;
  info.model = json.at("model").get<std::string>();
  for (const auto& [name, value] : json.at("model_params").items()) {
    info.model_params.Set(name, ParamFromJson(value));
  }
  info.dataset = json.at("dataset").get<std::string>();
  const nlohmann::json& spec = json.at("spec");
  info.spec.name = spec.at("name").get<std::string>();
  info.spec.input_shape = spec.at("input_shape").get<std::vector<std::int64_t>>();
  info.spec.input_kind = static_cast<InputKind>(spec.at("input_kind").get<int>());
  info.spec.task = spec.at("task").get<std::string>() == "regression" ? TaskKind::kRegression
                                                                      : TaskKind::kClassification;
  info.spec.num_classes = spec.at("num_classes").get<std::int64_t>();
  info.spec.class_names = spec.at("class_names").get<std::vector<std::string>>();
  info.spec.target_size = spec.at("target_size").get<std::int64_t>();
  info.spec.vocab_size = spec.at("vocab_size").get<std::int64_t>();
  info.spec.pad_token_id = spec.at("pad_token_id").get<std::int64_t>();
  info.config_json = json.value("config_json", "");
  info.vocab_path = json.value("vocab_path", "");
  return info;
}

std::string SidecarPath(const std::string& model_path) {
  return std::filesystem::path(model_path).replace_extension(".json").string();
}

void WriteSavedModelInfo(const std::string& model_path, const SavedModelInfo& info) {
  const std::string path = SidecarPath(model_path);
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial);
    out << info.ToJson().dump(2) << "\n";
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", partial));
  }
  std::filesystem::rename(partial, path);
}

SavedModelInfo ReadSavedModelInfo(const std::string& model_path) {
  std::error_code ec;
  if (!std::filesystem::exists(model_path, ec)) {
    throw std::runtime_error(fmt::format("{}: no such model file", model_path));
  }
  OpenRegularFile(model_path, "model file");  // a FIFO or a device is named as such
  const std::string path = SidecarPath(model_path);
  if (!std::filesystem::exists(path, ec)) {
    throw std::runtime_error(
        fmt::format("{} is missing: {} was not saved by this carbonbench (it writes the model's "
                    "description beside its weights), so the model cannot be rebuilt",
                    path, model_path));
  }
  // A description is a few kilobytes; the limit only stops a wrong file.
  const std::string text = ReadRegularFile(path, "model description", kMaxDescriptionBytes);
  try {
    return SavedModelInfo::FromJson(nlohmann::json::parse(text));
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
}

std::string SpecMismatch(const DatasetSpec& trained, const DatasetSpec& data) {
  const bool same_inputs =
      trained.input_kind == data.input_kind && trained.input_shape == data.input_shape;
  const bool same_outputs =
      trained.task == data.task &&
      (trained.task == TaskKind::kRegression ? trained.target_size == data.target_size
                                             : trained.num_classes == data.num_classes);
  const bool same_vocab =
      trained.input_kind != InputKind::kTokens || trained.vocab_size >= data.vocab_size;
  if (same_inputs && same_outputs && same_vocab) return "";
  return fmt::format("the model was trained on {} with {} ({}); {} here gives {} with {}",
                     ShapeText(trained), OutputText(trained), trained.name, data.name,
                     ShapeText(data), OutputText(data));
}

}  // namespace carbonbench
