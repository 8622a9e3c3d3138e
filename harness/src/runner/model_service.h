// The model side of `carbonbench serve`: a stored run's saved model loaded
// as `carbonbench infer` loads it (its plugin rebuilt from the sidecar, its
// weights, the data it was trained for and the meters), then kept, and
// asked for predictions one batch at a time with the energy the meters
// recorded around each.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugins/plugin_registry.h"
#include "serve/prediction_service.h"

namespace carbonbench {

struct ModelServiceSettings {
  int threads = 0;                  // torch threads (0: all cores)
  std::vector<std::string> meters;  // empty: the default list
  std::string region;               // empty: the region the run was charged at
  std::string dataset_path;         // empty: where the run read its data
  std::size_t max_loaded_models = 4;
};

class ModelService : public serve::PredictionService {
 public:
  ModelService(const PluginRegistry& registry, ModelServiceSettings settings);
  ~ModelService() override;

  nlohmann::json Describe(const RunRow& run) override;
  nlohmann::json Sample(const RunRow& run, std::int64_t index) override;
  nlohmann::json Predict(const RunRow& run, const serve::ModelInputs& inputs) override;

  struct Loaded;

 private:
  // Loads on first use; the least recently used model is dropped beyond
  // max_loaded_models.
  std::shared_ptr<Loaded> Load(const RunRow& run);

  const PluginRegistry& registry_;
  ModelServiceSettings settings_;
  std::mutex mutex_;  // guards loaded_ and the order of use
  std::map<std::int64_t, std::shared_ptr<Loaded>> loaded_;
  std::vector<std::int64_t> recently_used_;
  // One model loads at a time: loading reads a dataset and starts meters.
  std::mutex load_mutex_;
};

}  // namespace carbonbench
