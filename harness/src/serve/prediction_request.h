// A prediction request's body into ModelInputs: JSON with texts, images,
// samples or windows, or a multipart upload of one PNG, PGM or PPM image.
// Everything a request can get wrong is an ApiError (400, 413 or 415)
// naming the field and what was expected.
#pragma once

#include <cstddef>
#include <string>

#include "serve/prediction_service.h"

namespace carbonbench::serve {

struct PredictionLimits {
  std::size_t max_inputs = 64;  // texts, images, samples or windows in one request
  std::int64_t max_image_side_px = 4096;
  std::size_t max_text_bytes = 64 * 1024;
  std::size_t max_window_values = 100000;
};

ModelInputs ParsePredictionJson(const std::string& body, const PredictionLimits& limits = {});

// A file's bytes as an image: PNG (any bit depth and colour type, read as
// 8-bit grey, grey + alpha dropped, or RGB), PGM (P5) or PPM (P6) of maxval
// 255. `name` names it in errors.
RawImage DecodeImage(const std::string& bytes, const std::string& name,
                     const PredictionLimits& limits = {});

}  // namespace carbonbench::serve
