// Which file a stored run's saved model may be served from: only one inside
// the models folder beside the store, links resolved, so a row written by
// hand (or a merged store from elsewhere) cannot point the server at any
// other file on the machine.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "records/run_records.h"

namespace carbonbench::serve {

struct ModelFile {
  std::string path;     // the real path, inside models_dir
  std::string problem;  // why it cannot be served; empty when it can
};

// "<store folder>/models".
std::string ModelsFolderOf(const std::string& store_path);

ModelFile ModelFileOf(const RunRow& run, const std::string& models_dir);

// What the playground needs to build inputs, from the JSON written beside a
// saved model (<name>.json): "input" ("image", "text", "series"),
// "input_shape", "classes", "max_length" or "window". Empty when the file
// cannot be read.
nlohmann::json InputCardOf(const std::string& model_path);

}  // namespace carbonbench::serve
