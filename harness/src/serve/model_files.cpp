#include "serve/model_files.h"

#include <filesystem>

#include <fmt/format.h>

#include "carbonbench/regular_file.h"

namespace carbonbench::serve {

std::string ModelsFolderOf(const std::string& store_path) {
  return (std::filesystem::path(store_path).parent_path() / "models").string();
}

ModelFile ModelFileOf(const RunRow& run, const std::string& models_dir) {
  namespace fs = std::filesystem;
  if (run.status != "finished" || run.summary.model_path.empty()) {
    return {"",
            fmt::format("run {} has no saved model (it is {}{}); GET /api/models lists the "
                        "runs that have one",
                        run.id, run.status, run.status == "finished" ? " but saved no model" : "")};
  }
  std::error_code error;
  const fs::path folder = fs::canonical(models_dir, error);
  if (error) {
    return {"", fmt::format("the models folder {} cannot be read ({}): models are served only "
                            "from the folder beside the store",
                            models_dir, error.message())};
  }
  const fs::path file = fs::canonical(run.summary.model_path, error);
  if (error || !fs::is_regular_file(file)) {
    return {"", fmt::format("run {}'s model file {} is gone ({}): run its cell again to save "
                            "it",
                            run.id, run.summary.model_path,
                            error ? error.message() : "not a regular file")};
  }
  const fs::path relative = file.lexically_relative(folder);
  if (relative.empty() || *relative.begin() == "..") {
    return {"", fmt::format("run {}'s model file {} is outside the models folder {}; only files "
                            "there are served",
                            run.id, file.string(), folder.string())};
  }
  return {file.string(), ""};
}

nlohmann::json InputCardOf(const std::string& model_path) {
  // Sidecars hold a model's settings and its data's class names: small.
  constexpr std::int64_t kMaxSidecarBytes = std::int64_t{16} << 20;
  nlohmann::json sidecar;
  try {
    const std::string path = std::filesystem::path(model_path).replace_extension(".json").string();
    sidecar = nlohmann::json::parse(ReadRegularFile(path, "model description", kMaxSidecarBytes),
                                    nullptr, false);
  } catch (const std::exception&) {
    return nlohmann::json::object();
  }
  if (!sidecar.is_object() || !sidecar.contains("spec") || !sidecar["spec"].is_object()) {
    return nlohmann::json::object();
  }
  const nlohmann::json& spec = sidecar["spec"];
  // DatasetSpec's InputKind, as the sidecar numbers it.
  static const char* const kInputs[] = {"image", "text", "series"};
  const int kind = spec.value("input_kind", -1);
  const nlohmann::json shape = spec.value("input_shape", nlohmann::json::array());
  nlohmann::json card = {{"input", kind >= 0 && kind < 3 ? kInputs[kind] : "unknown"},
                         {"input_shape", shape},
                         {"classes", spec.value("class_names", nlohmann::json::array())},
                         {"max_length", nullptr},
                         {"window", nullptr}};
  if (kind == 1 && shape.size() == 1) card["max_length"] = shape[0];
  if (kind == 2 && shape.size() == 2) card["window"] = shape[1];
  return card;
}

}  // namespace carbonbench::serve
