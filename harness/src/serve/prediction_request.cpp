#include "serve/prediction_request.h"

#include <png.h>

#include <cctype>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "serve/api_error.h"

namespace carbonbench::serve {
namespace {

constexpr const char* kBodyForms =
    "send one of {\"texts\": [...]}, {\"images\": [{\"width\", \"height\", \"channels\", "
    "\"pixels\"}]}, {\"samples\": [index, ...]} or {\"windows\": [[value, ...]]} "
    "(docs/serving.md)";

// The list under `plural`, or the single value under `singular` as a list
// of one; null when the body has neither.
nlohmann::json ListOf(const nlohmann::json& body, const char* plural, const char* singular) {
  if (body.contains(plural)) {
    if (!body[plural].is_array()) {
      throw ApiError(400, fmt::format("\"{}\" must be a list; {}", plural, kBodyForms));
    }
    return body[plural];
  }
  if (body.contains(singular)) return nlohmann::json::array({body[singular]});
  return nullptr;
}

std::int64_t PositiveInt(const nlohmann::json& image, const char* key, std::size_t index) {
  if (!image.contains(key) || !image[key].is_number_integer() ||
      image[key].get<std::int64_t>() <= 0) {
    throw ApiError(400, fmt::format("images[{}].{} must be a positive integer", index, key));
  }
  return image[key].get<std::int64_t>();
}

RawImage ImageFromJson(const nlohmann::json& item, std::size_t index,
                       const PredictionLimits& limits) {
  if (!item.is_object()) {
    throw ApiError(400, fmt::format("images[{}] must be an object with width, height, channels "
                                    "and pixels",
                                    index));
  }
  RawImage image;
  image.width = PositiveInt(item, "width", index);
  image.height = PositiveInt(item, "height", index);
  image.channels = PositiveInt(item, "channels", index);
  if (image.width > limits.max_image_side_px || image.height > limits.max_image_side_px ||
      image.channels > 4) {
    throw ApiError(413, fmt::format("images[{}] is {}x{} with {} channels; at most {}x{} with 4 "
                                    "channels is accepted",
                                    index, image.width, image.height, image.channels,
                                    limits.max_image_side_px, limits.max_image_side_px));
  }
  const auto expected = static_cast<std::size_t>(image.width * image.height * image.channels);
  if (!item.contains("pixels") || !item["pixels"].is_array() || item["pixels"].size() != expected) {
    throw ApiError(400, fmt::format("images[{}].pixels must be a list of width x height x "
                                    "channels = {} values (0-255, row by row, channels "
                                    "interleaved); it has {}",
                                    index, expected,
                                    item.contains("pixels") && item["pixels"].is_array()
                                        ? std::to_string(item["pixels"].size())
                                        : std::string("none")));
  }
  image.pixels.reserve(expected);
  for (const nlohmann::json& value : item["pixels"]) {
    if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 255 ||
        !std::isfinite(value.get<double>())) {
      throw ApiError(400, fmt::format("images[{}].pixels holds {}: each pixel value must be a "
                                      "number from 0 to 255",
                                      index, value.dump()));
    }
    image.pixels.push_back(static_cast<std::uint8_t>(std::lround(value.get<double>())));
  }
  return image;
}

// --- Netpbm and PNG -----------------------------------------------------------

// The next header token of a PGM/PPM, skipping white space and comments.
std::string PnmToken(const std::string& bytes, std::size_t& at) {
  while (at < bytes.size()) {
    if (bytes[at] == '#') {
      while (at < bytes.size() && bytes[at] != '\n') ++at;
    } else if (std::isspace(static_cast<unsigned char>(bytes[at]))) {
      ++at;
    } else {
      break;
    }
  }
  const std::size_t start = at;
  while (at < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[at])) &&
         at - start < 9) {
    ++at;
  }
  return bytes.substr(start, at - start);
}

RawImage DecodePnm(const std::string& bytes, const std::string& name,
                   const PredictionLimits& limits) {
  std::size_t at = 2;
  const std::string width = PnmToken(bytes, at);
  const std::string height = PnmToken(bytes, at);
  const std::string maxval = PnmToken(bytes, at);
  if (width.empty() || height.empty() || maxval.empty() || at >= bytes.size()) {
    throw ApiError(400, fmt::format("{}: not a readable PGM/PPM header (P5 or P6, width, height, "
                                    "maxval)",
                                    name));
  }
  if (maxval != "255") {
    throw ApiError(
        415, fmt::format("{}: maxval {}; only 8-bit PGM/PPM (maxval 255) is read", name, maxval));
  }
  RawImage image;
  image.width = std::stoll(width);
  image.height = std::stoll(height);
  image.channels = bytes[1] == '5' ? 1 : 3;
  if (image.width <= 0 || image.height <= 0 || image.width > limits.max_image_side_px ||
      image.height > limits.max_image_side_px) {
    throw ApiError(413,
                   fmt::format("{}: {}x{} pixels; at most {}x{} is accepted", name, image.width,
                               image.height, limits.max_image_side_px, limits.max_image_side_px));
  }
  ++at;  // the single white space after maxval
  const auto size = static_cast<std::size_t>(image.width * image.height * image.channels);
  if (bytes.size() - at < size) {
    throw ApiError(400, fmt::format("{}: the header says {}x{} but the file holds only {} of "
                                    "the {} pixel bytes",
                                    name, image.width, image.height, bytes.size() - at, size));
  }
  image.pixels.assign(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                      bytes.begin() + static_cast<std::ptrdiff_t>(at + size));
  return image;
}

RawImage DecodePng(const std::string& bytes, const std::string& name,
                   const PredictionLimits& limits) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) {
    throw ApiError(400, fmt::format("{}: not a readable PNG ({})", name, png.message));
  }
  RawImage image;
  image.width = png.width;
  image.height = png.height;
  if (image.width > limits.max_image_side_px || image.height > limits.max_image_side_px) {
    png_image_free(&png);
    throw ApiError(413,
                   fmt::format("{}: {}x{} pixels; at most {}x{} is accepted", name, image.width,
                               image.height, limits.max_image_side_px, limits.max_image_side_px));
  }
  // Grey stays grey and colour becomes RGB; alpha is composited on black,
  // as the model never saw transparency.
  const bool colour = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  png.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  image.channels = colour ? 3 : 1;
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  png_color black{0, 0, 0};
  if (!png_image_finish_read(&png, &black, image.pixels.data(), 0, nullptr)) {
    const std::string message = png.message;
    png_image_free(&png);
    throw ApiError(400, fmt::format("{}: cannot decode the PNG ({})", name, message));
  }
  return image;
}

}  // namespace

RawImage DecodeImage(const std::string& bytes, const std::string& name,
                     const PredictionLimits& limits) {
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) == 0) {
    return DecodePng(bytes, name, limits);
  }
  if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) {
    return DecodePnm(bytes, name, limits);
  }
  throw ApiError(415, fmt::format("{}: not a PNG, PGM (P5) or PPM (P6) image; convert it to one "
                                  "of those, or send its pixels as JSON",
                                  name));
}

ModelInputs ParsePredictionJson(const std::string& body, const PredictionLimits& limits) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    throw ApiError(400, fmt::format("the body is not valid JSON; {}", kBodyForms));
  }
  if (!json.is_object())
    throw ApiError(400, fmt::format("the body must be an object; {}", kBodyForms));
  ModelInputs inputs;
  int kinds = 0;
  auto count = [&](const nlohmann::json& list, const char* what) {
    if (list.is_null()) return false;
    ++kinds;
    if (list.empty()) throw ApiError(400, fmt::format("\"{}\" is empty: give at least one", what));
    if (list.size() > limits.max_inputs) {
      throw ApiError(413, fmt::format("{} {} in one request; at most {} are accepted", list.size(),
                                      what, limits.max_inputs));
    }
    return true;
  };
  if (const nlohmann::json texts = ListOf(json, "texts", "text"); count(texts, "texts")) {
    for (const nlohmann::json& text : texts) {
      if (!text.is_string()) {
        throw ApiError(400, fmt::format("texts holds {}: each text must be a string", text.dump()));
      }
      if (text.get<std::string>().size() > limits.max_text_bytes) {
        throw ApiError(413, fmt::format("a text of {} bytes; at most {} are accepted",
                                        text.get<std::string>().size(), limits.max_text_bytes));
      }
      inputs.texts.push_back(text.get<std::string>());
    }
  }
  if (const nlohmann::json images = ListOf(json, "images", "image"); count(images, "images")) {
    for (std::size_t i = 0; i < images.size(); ++i) {
      inputs.images.push_back(ImageFromJson(images[i], i, limits));
    }
  }
  if (const nlohmann::json samples = ListOf(json, "samples", "sample"); count(samples, "samples")) {
    for (const nlohmann::json& sample : samples) {
      if (!sample.is_number_integer() || sample.get<std::int64_t>() < 0) {
        throw ApiError(400, fmt::format("samples holds {}: each sample is an index of the test "
                                        "split, an integer from 0",
                                        sample.dump()));
      }
      inputs.samples.push_back(sample.get<std::int64_t>());
    }
  }
  if (const nlohmann::json windows = ListOf(json, "windows", "values"); count(windows, "windows")) {
    for (const nlohmann::json& window : windows) {
      if (!window.is_array() || window.empty() || window.size() > limits.max_window_values) {
        throw ApiError(400, fmt::format("each window must be a non-empty list of at most {} "
                                        "numbers",
                                        limits.max_window_values));
      }
      std::vector<double> values;
      for (const nlohmann::json& value : window) {
        if (!value.is_number() || !std::isfinite(value.get<double>())) {
          throw ApiError(400, fmt::format("a window holds {}: each value must be a finite number",
                                          value.dump()));
        }
        values.push_back(value.get<double>());
      }
      inputs.windows.push_back(std::move(values));
    }
  }
  if (kinds == 0) throw ApiError(400, fmt::format("nothing to predict on; {}", kBodyForms));
  if (kinds > 1) {
    throw ApiError(
        400, fmt::format("one kind of input per request, this body has {}; {}", kinds, kBodyForms));
  }
  return inputs;
}

}  // namespace carbonbench::serve
