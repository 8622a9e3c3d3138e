// A prediction request's body into inputs, and every way it can be wrong.
#include "serve/prediction_request.h"

#include <png.h>

#include <cstring>

#include <gtest/gtest.h>

#include "serve/api_error.h"

namespace carbonbench::serve {
namespace {

// The ApiError status and message `body` gives; 0 when it parses.
std::pair<int, std::string> Refusal(const std::string& body, const PredictionLimits& limits = {}) {
  try {
    ParsePredictionJson(body, limits);
  } catch (const ApiError& error) {
    return {error.status(), error.what()};
  }
  return {0, ""};
}

TEST(PredictionJsonTest, ReadsEachKindOfInputInItsListAndSingleForm) {
  EXPECT_EQ(ParsePredictionJson(R"({"texts": ["a", "b"]})").texts.size(), 2u);
  EXPECT_EQ(ParsePredictionJson(R"({"text": "a"})").texts.at(0), "a");
  EXPECT_EQ(ParsePredictionJson(R"({"samples": [0, 7]})").samples.at(1), 7);
  EXPECT_EQ(ParsePredictionJson(R"({"sample": 3})").samples.at(0), 3);
  EXPECT_EQ(ParsePredictionJson(R"({"values": [1, 2.5, 3]})").windows.at(0).at(1), 2.5);
  EXPECT_EQ(ParsePredictionJson(R"({"windows": [[1], [2]]})").windows.size(), 2u);
  const ModelInputs image = ParsePredictionJson(
      R"({"image": {"width": 2, "height": 1, "channels": 1, "pixels": [0, 255]}})");
  ASSERT_EQ(image.images.size(), 1u);
  EXPECT_EQ(image.images[0].pixels, (std::vector<std::uint8_t>{0, 255}));
}

TEST(PredictionJsonTest, RefusesMalformedBodiesWithTheFieldAndTheStatus) {
  EXPECT_EQ(Refusal("{not json").first, 400);
  EXPECT_NE(Refusal("{not json").second.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(Refusal("[1]").first, 400);
  EXPECT_EQ(Refusal("{}").first, 400);
  EXPECT_NE(Refusal("{}").second.find("nothing to predict"), std::string::npos);
  EXPECT_EQ(Refusal(R"({"texts": []})").first, 400);
  EXPECT_EQ(Refusal(R"({"texts": "a"})").first, 400);
  EXPECT_EQ(Refusal(R"({"texts": [1]})").first, 400);
  EXPECT_EQ(Refusal(R"({"samples": [-1]})").first, 400);
  EXPECT_EQ(Refusal(R"({"samples": [1.5]})").first, 400);
  EXPECT_EQ(Refusal(R"({"values": [1, "x"]})").first, 400);
  EXPECT_EQ(Refusal(R"({"text": "a", "sample": 1})").first, 400);
  EXPECT_NE(Refusal(R"({"text": "a", "sample": 1})").second.find("one kind of input"),
            std::string::npos);
  // Pixels: the count follows the shape, each in 0-255.
  EXPECT_NE(Refusal(R"({"image": {"width": 2, "height": 2, "channels": 1, "pixels": [0]}})")
                .second.find("4 values"),
            std::string::npos);
  EXPECT_EQ(
      Refusal(R"({"image": {"width": 1, "height": 1, "channels": 1, "pixels": [256]}})").first,
      400);
  EXPECT_EQ(Refusal(R"({"image": {"width": 0, "height": 1, "channels": 1, "pixels": []}})").first,
            400);
}

TEST(PredictionJsonTest, RefusesMoreThanTheLimitsAllowWith413) {
  PredictionLimits limits;
  limits.max_inputs = 2;
  limits.max_text_bytes = 4;
  limits.max_image_side_px = 8;
  EXPECT_EQ(Refusal(R"({"samples": [1, 2, 3]})", limits).first, 413);
  EXPECT_EQ(Refusal(R"({"text": "too long"})", limits).first, 413);
  EXPECT_EQ(
      Refusal(R"({"image": {"width": 9, "height": 1, "channels": 1, "pixels": []}})", limits).first,
      413);
}

std::string Png(int width, int height, png_uint_32 format,
                const std::vector<std::uint8_t>& pixels) {
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = format;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr));
  std::string bytes(size, '\0');
  EXPECT_TRUE(png_image_write_to_memory(&image, bytes.data(), &size, 0, pixels.data(), 0, nullptr));
  bytes.resize(size);
  return bytes;
}

TEST(DecodeImageTest, ReadsGreyAndColourPngsAndNetpbm) {
  const RawImage grey = DecodeImage(Png(2, 1, PNG_FORMAT_GRAY, {10, 200}), "grey.png");
  EXPECT_EQ(grey.channels, 1);
  EXPECT_EQ(grey.pixels, (std::vector<std::uint8_t>{10, 200}));
  const RawImage colour = DecodeImage(Png(1, 1, PNG_FORMAT_RGBA, {255, 0, 0, 255}), "colour.png");
  EXPECT_EQ(colour.channels, 3);
  EXPECT_EQ(colour.pixels, (std::vector<std::uint8_t>{255, 0, 0}));
  const RawImage pgm =
      DecodeImage(std::string("P5\n# made here\n2 1\n255\n") + "\x05\x06", "a.pgm");
  EXPECT_EQ(pgm.width, 2);
  EXPECT_EQ(pgm.pixels, (std::vector<std::uint8_t>{5, 6}));
  const RawImage ppm = DecodeImage(std::string("P6 1 1 255\n") + "\x01\x02\x03", "a.ppm");
  EXPECT_EQ(ppm.channels, 3);
}

TEST(DecodeImageTest, RefusesOtherFormatsTruncatedFilesAndHugeImages) {
  auto status = [](const std::string& bytes, const PredictionLimits& limits = {}) {
    try {
      DecodeImage(bytes, "upload", limits);
    } catch (const ApiError& error) {
      EXPECT_NE(std::string(error.what()).find("upload"), std::string::npos) << error.what();
      return error.status();
    }
    return 0;
  };
  EXPECT_EQ(status("GIF89a..."), 415);
  EXPECT_EQ(status("P5\n2 2\n255\n\x01"), 400);        // 1 of 4 pixel bytes
  EXPECT_EQ(status("P5\n1 1\n65535\n\x01\x01"), 415);  // 16-bit
  EXPECT_EQ(status(std::string("\x89PNG\r\n\x1a\n", 8) + "garbage"), 400);
  PredictionLimits small;
  small.max_image_side_px = 1;
  EXPECT_EQ(status(Png(2, 1, PNG_FORMAT_GRAY, {1, 2}), small), 413);
}

}  // namespace
}  // namespace carbonbench::serve
