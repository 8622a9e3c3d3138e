// What the server asks of the model side: describe a stored run's saved
// model, give an example of its test split, and predict on inputs. The
// implementation loads models with libtorch (runner/model_service.h); the
// server and its tests see only this interface.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/run_records.h"

namespace carbonbench::serve {

// An image as sent: 8-bit pixels, row by row, channels interleaved.
struct RawImage {
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::int64_t channels = 0;
  std::vector<std::uint8_t> pixels;  // width x height x channels
};

// One batch of inputs of one kind, as parsed from a request (counts and
// value ranges checked; shapes are checked against the model by Predict).
struct ModelInputs {
  std::vector<std::int64_t> samples;  // indices of the test split
  std::vector<RawImage> images;
  std::vector<std::string> texts;
  std::vector<std::vector<double>> windows;  // in the series' units
  std::size_t size() const {
    return samples.size() + images.size() + texts.size() + windows.size();
  }
};

class PredictionService {
 public:
  virtual ~PredictionService() = default;
  // The run's saved model for the playground: input kind ("image",
  // "text", "series"), shape, classes, max_length or window.
  virtual nlohmann::json Describe(const RunRow& run) = 0;
  // An example of the test split the model was trained for.
  virtual nlohmann::json Sample(const RunRow& run, std::int64_t index) = 0;
  // The predictions, latency and energy of one batch (docs/serving.md).
  // Throws ApiError for inputs the model cannot take.
  virtual nlohmann::json Predict(const RunRow& run, const ModelInputs& inputs) = 0;
};

}  // namespace carbonbench::serve
