#include "carbonbench/safetensors.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "temp_dir_test.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

class SafetensorsTest : public test_support::TempDirTest {
 protected:
  // A file laid out by hand: length prefix, header text, data bytes.
  std::string WriteRaw(const std::string& name, const std::string& header, const std::string& data,
                       std::uint64_t length_override = 0) {
    const std::string path = PathIn(name);
    std::ofstream out(path, std::ios::binary);
    std::uint64_t length = length_override ? length_override : header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((length >> (8 * i)) & 0xff));
    out << header << data;
    return path;
  }

  // Opening `path` fails, and the message contains every part of `expected`.
  static void ExpectOpenError(const std::string& path, std::vector<std::string> expected) {
    try {
      SafetensorsFile::Open(path);
      ADD_FAILURE() << "opening " << path << " should have failed";
    } catch (const SafetensorsError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      for (const auto& part : expected) {
        EXPECT_NE(message.find(part), std::string::npos)
            << "'" << part << "' missing from: " << message;
      }
    }
  }
};

// Little-endian bytes of a float.
std::string FloatBytes(std::initializer_list<float> values) {
  std::string bytes;
  for (float value : values) bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
  return bytes;
}

TEST_F(SafetensorsTest, RoundTripsF32F16Bf16WithMetadata) {
  const auto f32 = torch::tensor({1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, 7.0f}).reshape({2, 3});
  // Values exactly representable in each half format, so equality is exact.
  const auto f16 = torch::tensor({0.5f, -1.25f, 2048.0f, 6.103515625e-05f}).to(torch::kHalf);
  const auto bf16 = torch::tensor({1.0f, -3.0f, 0.15625f}).reshape({3, 1}).to(torch::kBFloat16);
  const auto i64 = torch::tensor({int64_t{-7}, int64_t{1} << 40});
  const auto scalar = torch::tensor(4.0);  // zero-dimensional F64
  const std::string path = PathIn("round_trip.safetensors");
  WriteSafetensors(path, {{"w", f32}, {"h", f16}, {"b", bf16}, {"ids", i64}, {"s", scalar}},
                   {{"format", "pt"}, {"note", "test"}});

  const auto file = SafetensorsFile::Open(path);
  ASSERT_EQ(file.entries().size(), 5u);
  EXPECT_EQ(file.entries()[0].name, "w");  // header order is kept
  EXPECT_EQ(file.entries()[1].dtype, "F16");
  EXPECT_EQ(file.entries()[2].dtype, "BF16");
  EXPECT_EQ(file.entries()[2].shape, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(file.entries()[4].shape, std::vector<int64_t>{});
  EXPECT_EQ(file.metadata(),
            (std::map<std::string, std::string>{{"format", "pt"}, {"note", "test"}}));

  const auto w = file.Load("w");
  EXPECT_EQ(w.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::equal(w, f32));
  const auto h = file.Load("h");
  EXPECT_EQ(h.scalar_type(), torch::kHalf);
  EXPECT_TRUE(torch::equal(h, f16));
  EXPECT_EQ(h.to(torch::kFloat)[2].item<float>(), 2048.0f);
  const auto b = file.Load("b");
  EXPECT_EQ(b.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::equal(b, bf16));
  EXPECT_EQ(b.to(torch::kFloat)[2][0].item<float>(), 0.15625f);
  EXPECT_TRUE(torch::equal(file.Load("ids"), i64));
  EXPECT_EQ(file.Load("s").item<double>(), 4.0);
  EXPECT_FALSE(file.Contains("missing"));
  EXPECT_THROW(file.Load("missing"), SafetensorsError);
}

TEST_F(SafetensorsTest, WriterPadsTheHeaderToEightBytesAndCopiesNonContiguousTensors) {
  const auto source = torch::arange(12, torch::kFloat).reshape({3, 4});
  const auto transposed = source.t();  // not contiguous
  const std::string path = PathIn("t.safetensors");
  WriteSafetensors(path, {{"t", transposed}});
  std::ifstream in(path, std::ios::binary);
  unsigned char length[8];
  in.read(reinterpret_cast<char*>(length), 8);
  EXPECT_EQ(length[0] % 8, 0);
  EXPECT_EQ(fs::file_size(path), 8u + length[0] + 12 * 4);
  EXPECT_TRUE(torch::equal(SafetensorsFile::Open(path).Load("t"), transposed));
}

TEST_F(SafetensorsTest, ReadsAFileLaidOutByHand) {
  // Tensors listed out of offset order, the header padded with spaces, as
  // other writers may do.
  const std::string header = R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},)"
                             R"("__metadata__":{"format":"pt"},)"
                             R"("a":{"dtype":"F32","shape":[1,3],"data_offsets":[0,12]},)"
                             R"("h":{"dtype":"F16","shape":[2],"data_offsets":[20,24]}}    )";
  // F16 1.0 = 0x3C00, -2.0 = 0xC000 (little-endian).
  const std::string data =
      FloatBytes({1.0f, 2.0f, 3.0f, -4.5f, 8.0f}) + std::string("\x00\x3C\x00\xC0", 4);
  const auto path = WriteRaw("hand.safetensors", header, data);
  const auto file = SafetensorsFile::Open(path);
  ASSERT_EQ(file.entries().size(), 3u);
  EXPECT_EQ(file.entries()[0].name, "b");
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_TRUE(torch::equal(file.Load("a"), torch::tensor({{1.0f, 2.0f, 3.0f}})));
  EXPECT_TRUE(torch::equal(file.Load("b"), torch::tensor({-4.5f, 8.0f})));
  EXPECT_TRUE(torch::equal(file.Load("h").to(torch::kFloat), torch::tensor({1.0f, -2.0f})));
  EXPECT_EQ(file.Find("a")->begin_byte, 0u);
  EXPECT_EQ(file.Find("a")->end_byte, 12u);
}

TEST_F(SafetensorsTest, FileShorterThanTheLengthPrefix) {
  const auto path = PathIn("tiny.safetensors");
  std::ofstream(path, std::ios::binary) << "abc";
  ExpectOpenError(path, {"3 bytes", "8-byte header length"});
}

TEST_F(SafetensorsTest, HeaderLengthLargerThanTheFile) {
  const auto path = WriteRaw("long.safetensors", R"({"a":1})", "", 1000);
  ExpectOpenError(path, {"header length 1000", "larger than the rest of the file"});
}

TEST_F(SafetensorsTest, InvalidJson) {
  const auto path = WriteRaw("json.safetensors", R"({"a": {"dtype": "F32",)", "");
  ExpectOpenError(path, {"not valid JSON"});
  const auto array = WriteRaw("array.safetensors", "[1, 2]", "");
  ExpectOpenError(array, {"not an object"});
}

TEST_F(SafetensorsTest, UnknownDtypeNamesTheTensor) {
  const auto path = WriteRaw("dtype.safetensors",
                             R"({"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}})", "xx");
  ExpectOpenError(path, {"tensor 'w'", "unknown dtype 'Q4'", "BF16"});
}

TEST_F(SafetensorsTest, MissingFieldsNameTheTensorAndField) {
  ExpectOpenError(WriteRaw("shape.safetensors", R"({"w":{"dtype":"F32","data_offsets":[0,4]}})",
                           FloatBytes({1.0f})),
                  {"tensor 'w'", "missing field 'shape'"});
  ExpectOpenError(
      WriteRaw("offsets.safetensors", R"({"w":{"dtype":"F32","shape":[1]}})", FloatBytes({1.0f})),
      {"tensor 'w'", "missing field 'data_offsets'"});
  ExpectOpenError(WriteRaw("dtype.safetensors", R"({"w":{"shape":[1],"data_offsets":[0,4]}})",
                           FloatBytes({1.0f})),
                  {"tensor 'w'", "missing field 'dtype'"});
  ExpectOpenError(
      WriteRaw("negative.safetensors", R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",
               FloatBytes({1.0f})),
      {"tensor 'w'", "not a non-negative integer"});
}

TEST_F(SafetensorsTest, TruncatedDataBuffer) {
  const auto full = PathIn("full.safetensors");
  WriteSafetensors(full, {{"a", torch::ones({4})}, {"b", torch::ones({8})}});
  // Cut the last tensor's final bytes off.
  const auto size = fs::file_size(full);
  const auto cut = PathIn("cut.safetensors");
  fs::copy_file(full, cut);
  fs::resize_file(cut, size - 5);
  ExpectOpenError(cut, {"tensor 'b'", "past the end of the data buffer", "truncated"});
}

TEST_F(SafetensorsTest, ByteSizeMustMatchTheShape) {
  const auto path =
      WriteRaw("size.safetensors", R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})",
               FloatBytes({1, 2, 3}));
  ExpectOpenError(path, {"tensor 'w'", "holds 12 bytes", "[2, 2]", "needs 16"});
}

TEST_F(SafetensorsTest, OverlappingReversedAndHoleyOffsets) {
  const std::string data = FloatBytes({1, 2, 3, 4});
  ExpectOpenError(WriteRaw("overlap.safetensors",
                           R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                           data),
                  {"tensor 'b'", "overlap tensor 'a'"});
  ExpectOpenError(WriteRaw("reversed.safetensors",
                           R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}})", data),
                  {"tensor 'a'", "end before they begin"});
  ExpectOpenError(WriteRaw("hole.safetensors",
                           R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                           data),
                  {"[4, 8)", "belong to no tensor"});
  ExpectOpenError(WriteRaw("trailing.safetensors",
                           R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", data),
                  {"16 bytes", "trailing bytes"});
}

TEST_F(SafetensorsTest, MetadataMustHoldStrings) {
  ExpectOpenError(WriteRaw("meta.safetensors", R"({"__metadata__":{"epochs":3}})", ""),
                  {"'__metadata__' entry 'epochs'", "not a string"});
}

TEST_F(SafetensorsTest, WriterRefusesDuplicatesAndUnsupportedDtypes) {
  const auto path = PathIn("bad.safetensors");
  EXPECT_THROW(WriteSafetensors(path, {{"a", torch::ones({1})}, {"a", torch::ones({1})}}),
               SafetensorsError);
  EXPECT_THROW(WriteSafetensors(path, {{"c", torch::ones({1}, torch::kComplexFloat)}}),
               SafetensorsError);
  EXPECT_THROW(WriteSafetensors(path, {{"__metadata__", torch::ones({1})}}), SafetensorsError);
}

TEST_F(SafetensorsTest, MissingFile) {
  ExpectOpenError(PathIn("absent.safetensors"), {"cannot open"});
}

TEST_F(SafetensorsTest, FifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = PathIn("model.safetensors");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // An ifstream would wait here forever for a writer.
  ExpectOpenError(path, {"safetensors file", "is a FIFO, not a regular file"});
}

TEST_F(SafetensorsTest, LinkToDevZeroIsRefusedAsADevice) {
  const std::string path = PathIn("model.safetensors");
  fs::create_symlink("/dev/zero", path);
  ExpectOpenError(path, {"safetensors file", "is a character device, not a regular file"});
}

TEST_F(SafetensorsTest, LoadRefusesAFileReplacedByAFifo) {
  const std::string path = PathIn("model.safetensors");
  WriteSafetensors(path, {{"w", torch::ones({2})}});
  const SafetensorsFile file = SafetensorsFile::Open(path);
  fs::remove(path);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  try {
    file.Load("w");
    ADD_FAILURE() << "a FIFO was read as the tensor file";
  } catch (const SafetensorsError& error) {
    EXPECT_NE(std::string(error.what()).find("is a FIFO, not a regular file"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace carbonbench
