// What rebuilding a saved model needs, written beside its weights
// (`<name>.pt` -> `<name>.json`): the model plugin and its parameters, and
// the data it was trained for. `carbonbench infer` reads it back.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "carbonbench/dataset_spec.h"
#include "carbonbench/params.h"

namespace carbonbench {

struct SavedModelInfo {
  std::string model;  // plugin name
  Params model_params;
  std::string dataset;  // the dataset's name
  DatasetSpec spec;
  std::string config_json;  // the cell it came from
  std::string vocab_path;   // token models: the vocabulary the ids mean

  nlohmann::json ToJson() const;
  static SavedModelInfo FromJson(const nlohmann::json& json);
};

// "<dir>/<name>.json" for "<dir>/<name>.pt".
std::string SidecarPath(const std::string& model_path);

// Written atomically (a partial file, then renamed).
void WriteSavedModelInfo(const std::string& model_path, const SavedModelInfo& info);
// Throws std::runtime_error naming the file and what is wrong.
SavedModelInfo ReadSavedModelInfo(const std::string& model_path);

// Empty when `data` can feed a model built for `trained`; else a sentence
// naming both sides.
std::string SpecMismatch(const DatasetSpec& trained, const DatasetSpec& data);

}  // namespace carbonbench
