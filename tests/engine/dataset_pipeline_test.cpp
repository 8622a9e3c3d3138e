// LoadDataset on small files written here (CIFAR, IDX, IMDb, text CSV,
// text folders, fortunes, time series): tensor shapes, normalisation,
// labels, tokens, splits, subsets, notes, and NominalDatasetSpec's agreement.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "pipeline/dataset.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("carbonbench_dataset_" + std::to_string(::getpid()) + "_" +
                                         info->test_suite_name() + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

bool AnyNoteContains(const TensorDataset& dataset, const std::string& text) {
  return std::any_of(dataset.notes.begin(), dataset.notes.end(),
                     [&](const std::string& note) { return note.find(text) != std::string::npos; });
}

std::string Notes(const TensorDataset& dataset) {
  std::string out;
  for (const auto& note : dataset.notes) out += "  " + note + "\n";
  return out;
}

std::vector<std::int64_t> Shape(const torch::Tensor& t) { return t.sizes().vec(); }

std::vector<std::int64_t> Longs(const torch::Tensor& t) {
  torch::Tensor flat = t.to(torch::kLong).contiguous().view({-1});
  return std::vector<std::int64_t>(flat.data_ptr<std::int64_t>(),
                                   flat.data_ptr<std::int64_t>() + flat.numel());
}

// --- CIFAR ----------------------------------------------------------------------

constexpr std::int64_t kCifarPixels = 3 * 32 * 32;

// A pixel value that names its file, record, channel and position.
std::uint8_t CifarPixel(int file, int record, int channel, int index) {
  return static_cast<std::uint8_t>((file * 31 + record * 7 + channel * 50 + index) % 256);
}

int Cifar10Label(int file, int record) { return (file * 3 + record) % 10; }
int Cifar100Fine(int file, int record) { return (file * 37 + record * 11) % 100; }

// CIFAR-10 files: data_batch_1..5 (file 1..5) with 2 records each, and
// test_batch (file 6) with 3.
void WriteCifar10(const fs::path& dir) {
  auto write = [&](const std::string& name, int file, int records) {
    std::string bytes;
    for (int r = 0; r < records; ++r) {
      bytes += static_cast<char>(Cifar10Label(file, r));
      for (int c = 0; c < 3; ++c) {
        for (int i = 0; i < 1024; ++i) bytes += static_cast<char>(CifarPixel(file, r, c, i));
      }
    }
    WriteFile(dir / name, bytes);
  };
  for (int f = 1; f <= 5; ++f) write("data_batch_" + std::to_string(f) + ".bin", f, 2);
  write("test_batch.bin", 6, 3);
}

// CIFAR-100: train.bin (file 1, 4 records), test.bin (file 2, 3 records).
void WriteCifar100(const fs::path& dir) {
  auto write = [&](const std::string& name, int file, int records) {
    std::string bytes;
    for (int r = 0; r < records; ++r) {
      bytes += static_cast<char>((file + r) % 20);  // coarse label, not kept
      bytes += static_cast<char>(Cifar100Fine(file, r));
      for (int c = 0; c < 3; ++c) {
        for (int i = 0; i < 1024; ++i) bytes += static_cast<char>(CifarPixel(file, r, c, i));
      }
    }
    WriteFile(dir / name, bytes);
  };
  write("train.bin", 1, 4);
  write("test.bin", 2, 3);
}

const std::vector<float> kCifar10Mean = {0.4914f, 0.4822f, 0.4465f};
const std::vector<float> kCifar10Std = {0.2470f, 0.2435f, 0.2616f};
const std::vector<float> kCifar100Mean = {0.5071f, 0.4865f, 0.4409f};
const std::vector<float> kCifar100Std = {0.2673f, 0.2564f, 0.2762f};

// Checks a handful of pixels of sample `row` against (v/255 - mean)/std.
void ExpectNormalisedPixels(const torch::Tensor& images, std::int64_t row, int file, int record,
                            const std::vector<float>& mean, const std::vector<float>& stddev) {
  for (int c = 0; c < 3; ++c) {
    for (int index : {0, 1, 33, 517, 1023}) {
      const float v = CifarPixel(file, record, c, index) / 255.0f;
      const float expected = (v - mean[c]) / stddev[c];
      EXPECT_NEAR(images[row][c][index / 32][index % 32].item<float>(), expected, 1e-5)
          << "row " << row << " channel " << c << " pixel " << index;
    }
  }
}

TEST(Cifar10, LoadsShapesLabelsAndNormalisesPerChannel) {
  TempDir dir;
  WriteCifar10(dir.path() / "cifar-10-batches-bin");
  DatasetRequest request;
  request.name = "cifar10";
  request.path = dir.path().string();  // the parent of the extracted folder
  const TensorDataset data = LoadDataset(request);

  EXPECT_EQ(Shape(data.train_inputs), (std::vector<std::int64_t>{10, 3, 32, 32}));
  EXPECT_EQ(Shape(data.test_inputs), (std::vector<std::int64_t>{3, 3, 32, 32}));
  EXPECT_EQ(data.train_inputs.scalar_type(), torch::kFloat32);
  EXPECT_EQ(data.train_targets.scalar_type(), torch::kLong);
  std::vector<std::int64_t> train_labels, test_labels;
  for (int f = 1; f <= 5; ++f) {
    for (int r = 0; r < 2; ++r) train_labels.push_back(Cifar10Label(f, r));
  }
  for (int r = 0; r < 3; ++r) test_labels.push_back(Cifar10Label(6, r));
  EXPECT_EQ(Longs(data.train_targets), train_labels);  // files in order 1..5
  EXPECT_EQ(Longs(data.test_targets), test_labels);

  ExpectNormalisedPixels(data.train_inputs, 0, 1, 0, kCifar10Mean, kCifar10Std);
  ExpectNormalisedPixels(data.train_inputs, 7, 4, 1, kCifar10Mean, kCifar10Std);
  ExpectNormalisedPixels(data.test_inputs, 2, 6, 2, kCifar10Mean, kCifar10Std);

  EXPECT_EQ(data.spec.name, "cifar10");
  EXPECT_EQ(data.spec.input_kind, InputKind::kImage);
  EXPECT_EQ(data.spec.task, TaskKind::kClassification);
  EXPECT_EQ(data.spec.input_shape, (std::vector<std::int64_t>{3, 32, 32}));
  EXPECT_EQ(data.spec.num_classes, 10);
  ASSERT_EQ(data.spec.class_names.size(), 10u);
  EXPECT_EQ(data.spec.class_names[0], "airplane");
  EXPECT_FALSE(data.augmentation.enabled());  // augment is off by default
}

TEST(Cifar10, WithoutNormalisationPixelsAreFractionsOfOne) {
  TempDir dir;
  WriteCifar10(dir.path());  // the extracted folder itself
  DatasetRequest request;
  request.name = "cifar10";
  request.path = dir.path().string();
  request.normalize = false;
  const TensorDataset data = LoadDataset(request);
  ExpectNormalisedPixels(data.train_inputs, 3, 2, 1, {0, 0, 0}, {1, 1, 1});
  EXPECT_GE(data.train_inputs.min().item<float>(), 0.0f);
  EXPECT_LE(data.train_inputs.max().item<float>(), 1.0f);
}

TEST(Cifar10, AugmentationPadsWithTheNormalisedBlackPixel) {
  TempDir dir;
  WriteCifar10(dir.path());
  DatasetRequest request;
  request.name = "cifar10";
  request.path = dir.path().string();
  request.augment = true;
  request.crop_padding_px = 3;
  const TensorDataset data = LoadDataset(request);
  EXPECT_TRUE(data.augmentation.enabled());
  EXPECT_EQ(data.augmentation.crop_padding_px, 3);
  EXPECT_TRUE(data.augmentation.horizontal_flip);
  ASSERT_EQ(data.augmentation.fill.size(), 3u);
  for (int c = 0; c < 3; ++c) {
    // torchvision pads before normalising: black (0) becomes -mean/std.
    EXPECT_NEAR(data.augmentation.fill[c], -kCifar10Mean[c] / kCifar10Std[c], 1e-6) << c;
  }

  request.normalize = false;
  const TensorDataset raw = LoadDataset(request);
  ASSERT_EQ(raw.augmentation.fill.size(), 3u);
  for (float fill : raw.augmentation.fill) EXPECT_EQ(fill, 0.0f);
}

TEST(Cifar10, ClassNamesComeFromBatchesMetaWhenPresent) {
  TempDir dir;
  WriteCifar10(dir.path());
  std::string names;
  for (int i = 0; i < 10; ++i) names += "class_" + std::to_string(i) + "\n";
  WriteFile(dir.path() / "batches.meta.txt", names + "\n");
  DatasetRequest request;
  request.name = "cifar10";
  request.path = dir.path().string();
  const TensorDataset data = LoadDataset(request);
  ASSERT_EQ(data.spec.class_names.size(), 10u);
  EXPECT_EQ(data.spec.class_names[9], "class_9");
}

TEST(Cifar10, MissingFolderSaysWhereToGetIt) {
  TempDir dir;
  DatasetRequest request;
  request.name = "cifar10";
  request.path = (dir.path() / "nowhere").string();
  try {
    LoadDataset(request);
    FAIL() << "no error for a missing folder";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cifar-10-binary.tar.gz"), std::string::npos)
        << error.what();
  }
}

TEST(Cifar100, KeepsTheFineLabelAndUsesItsOwnStatistics) {
  TempDir dir;
  WriteCifar100(dir.path() / "cifar-100-binary");
  DatasetRequest request;
  request.name = "cifar100";
  request.path = dir.path().string();
  request.augment = true;
  const TensorDataset data = LoadDataset(request);
  EXPECT_EQ(Shape(data.train_inputs), (std::vector<std::int64_t>{4, 3, 32, 32}));
  EXPECT_EQ(Shape(data.test_inputs), (std::vector<std::int64_t>{3, 3, 32, 32}));
  std::vector<std::int64_t> fine;
  for (int r = 0; r < 4; ++r) fine.push_back(Cifar100Fine(1, r));
  EXPECT_EQ(Longs(data.train_targets), fine);
  EXPECT_EQ(data.test_targets[1].item<std::int64_t>(), Cifar100Fine(2, 1));
  ExpectNormalisedPixels(data.train_inputs, 2, 1, 2, kCifar100Mean, kCifar100Std);
  ExpectNormalisedPixels(data.test_inputs, 0, 2, 0, kCifar100Mean, kCifar100Std);
  EXPECT_EQ(data.spec.num_classes, 100);
  EXPECT_EQ(data.spec.class_names.at(0), "apple");
  EXPECT_EQ(data.spec.input_shape, (std::vector<std::int64_t>{3, 32, 32}));
  ASSERT_EQ(data.augmentation.fill.size(), 3u);
  EXPECT_NEAR(data.augmentation.fill[2], -kCifar100Mean[2] / kCifar100Std[2], 1e-6);
}

// --- Subsets ----------------------------------------------------------------------

// Row i of `rows` equals some row of `all` (returns its index, or -1).
std::int64_t FindRow(const torch::Tensor& all, const torch::Tensor& row) {
  for (std::int64_t i = 0; i < all.size(0); ++i) {
    if (torch::equal(all[i], row)) return i;
  }
  return -1;
}

TEST(Subsets, TrainAndTestSizePickSeededDistinctRows) {
  TempDir dir;
  WriteCifar10(dir.path());
  DatasetRequest request;
  request.name = "cifar10";
  request.path = dir.path().string();
  const TensorDataset full = LoadDataset(request);
  request.train_size = 4;
  request.test_size = 2;
  const TensorDataset subset = LoadDataset(request);
  ASSERT_EQ(subset.train_inputs.size(0), 4);
  ASSERT_EQ(subset.train_targets.size(0), 4);
  ASSERT_EQ(subset.test_inputs.size(0), 2);
  ASSERT_EQ(subset.test_targets.size(0), 2);
  std::set<std::int64_t> picked;
  for (std::int64_t i = 0; i < 4; ++i) {
    const std::int64_t row = FindRow(full.train_inputs, subset.train_inputs[i]);
    ASSERT_GE(row, 0) << "subset row " << i << " is not a training row";
    EXPECT_EQ(subset.train_targets[i].item<std::int64_t>(),
              full.train_targets[row].item<std::int64_t>())
        << "label travelled apart from its image";
    picked.insert(row);
  }
  EXPECT_EQ(picked.size(), 4u) << "a row was picked twice";
  for (std::int64_t i = 0; i < 2; ++i)
    EXPECT_GE(FindRow(full.test_inputs, subset.test_inputs[i]), 0);

  // Same seed, same subset; a size at or above the split's keeps it all.
  EXPECT_TRUE(torch::equal(LoadDataset(request).train_inputs, subset.train_inputs));
  request.train_size = 1000;
  EXPECT_EQ(LoadDataset(request).train_inputs.size(0), 10);
}

// --- IDX (MNIST, Fashion-MNIST) ---------------------------------------------------

std::string BigEndian32(std::uint32_t value) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (24 - 8 * i)) & 0xff);
  return out;
}

std::uint8_t IdxPixel(bool train, int image, int index) {
  return static_cast<std::uint8_t>(((train ? 0 : 101) + image * 13 + index * 3) % 256);
}

void WriteIdx(const fs::path& dir, int train_count, int test_count) {
  for (bool train : {true, false}) {
    const int count = train ? train_count : test_count;
    const std::string prefix = train ? "train" : "t10k";
    std::string images =
        BigEndian32(0x00000803) + BigEndian32(count) + BigEndian32(28) + BigEndian32(28);
    std::string labels = BigEndian32(0x00000801) + BigEndian32(count);
    for (int n = 0; n < count; ++n) {
      for (int i = 0; i < 28 * 28; ++i) images += static_cast<char>(IdxPixel(train, n, i));
      labels += static_cast<char>((n * 3 + (train ? 1 : 2)) % 10);
    }
    WriteFile(dir / (prefix + "-images-idx3-ubyte"), images);
    WriteFile(dir / (prefix + "-labels-idx1-ubyte"), labels);
  }
}

TEST(Idx, MnistAndFashionMnistReadTheFourFiles) {
  TempDir dir;
  WriteIdx(dir.path(), 5, 3);
  struct Case {
    const char* name;
    float mean, stddev;
  };
  for (const Case& c : {Case{"mnist", 0.1307f, 0.3081f}, Case{"fashion_mnist", 0.2860f, 0.3530f}}) {
    SCOPED_TRACE(c.name);
    DatasetRequest request;
    request.name = c.name;
    request.path = dir.path().string();
    const TensorDataset data = LoadDataset(request);
    EXPECT_EQ(Shape(data.train_inputs), (std::vector<std::int64_t>{5, 1, 28, 28}));
    EXPECT_EQ(Shape(data.test_inputs), (std::vector<std::int64_t>{3, 1, 28, 28}));
    EXPECT_EQ(Longs(data.train_targets), (std::vector<std::int64_t>{1, 4, 7, 0, 3}));
    EXPECT_EQ(Longs(data.test_targets), (std::vector<std::int64_t>{2, 5, 8}));
    for (int index : {0, 29, 400, 783}) {
      const float expected = (IdxPixel(true, 3, index) / 255.0f - c.mean) / c.stddev;
      EXPECT_NEAR(data.train_inputs[3][0][index / 28][index % 28].item<float>(), expected, 1e-5);
    }
    EXPECT_EQ(data.spec.input_shape, (std::vector<std::int64_t>{1, 28, 28}));
    EXPECT_EQ(data.spec.num_classes, 10);
  }
}

// --- Text -------------------------------------------------------------------------

// A vocab.txt with the specials out of BERT's usual order, so ids are not
// what a default would give: [PAD] = 1, [SEP] = 2, [CLS] = 3.
const std::vector<std::string> kVocab = {"[UNK]", "[PAD]",     "[SEP]", "[CLS]",    "[MASK]",
                                         "a",     "bad",       "movie", "terrible", "plot",
                                         "great", "wonderful", "film"};
constexpr std::int64_t kPadId = 1, kSepId = 2, kClsId = 3;

std::string WriteVocab(const fs::path& path) {
  std::string text;
  for (const auto& token : kVocab) text += token + "\n";
  WriteFile(path, text);
  return path.string();
}

std::int64_t VocabId(const std::string& token) {
  return std::find(kVocab.begin(), kVocab.end(), token) - kVocab.begin();
}

void WriteImdb(const fs::path& root) {
  const fs::path imdb = root / "aclImdb";
  WriteFile(imdb / "train/neg/0_2.txt", "A bad movie");
  WriteFile(imdb / "train/neg/1_1.txt", "terrible plot<br />terrible film");
  WriteFile(imdb / "train/pos/0_9.txt", "a great movie");
  WriteFile(imdb / "train/pos/1_8.txt", "Wonderful film");
  WriteFile(imdb / "train/pos/2_7.txt", "great great plot");
  WriteFile(imdb / "test/neg/0_3.txt", "bad film");
  WriteFile(imdb / "test/pos/0_10.txt", "great plot");
  WriteFile(imdb / "train/unsup/0_0.txt", "ignored unlabelled review");
}

TEST(Imdb, EncodesWithTheGivenVocabulary) {
  TempDir dir;
  WriteImdb(dir.path());
  DatasetRequest request;
  request.name = "imdb";
  request.path = dir.path().string();
  request.vocab_path = WriteVocab(dir.path() / "vocab.txt");
  request.max_length = 8;
  const TensorDataset data = LoadDataset(request);

  EXPECT_EQ(Shape(data.train_inputs), (std::vector<std::int64_t>{5, 8}));
  EXPECT_EQ(Shape(data.test_inputs), (std::vector<std::int64_t>{2, 8}));
  EXPECT_EQ(data.train_inputs.scalar_type(), torch::kLong);
  EXPECT_TRUE(data.train_inputs.select(1, 0).eq(kClsId).all().item<bool>());
  EXPECT_TRUE(data.test_inputs.select(1, 0).eq(kClsId).all().item<bool>());
  // neg files first, each class in sorted file-name order; lower-cased.
  EXPECT_EQ(Longs(data.train_targets), (std::vector<std::int64_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(Longs(data.train_inputs[0]),
            (std::vector<std::int64_t>{kClsId, VocabId("a"), VocabId("bad"), VocabId("movie"),
                                       kSepId, kPadId, kPadId, kPadId}));
  // "<br />" is a line break, not words.
  EXPECT_EQ(
      Longs(data.train_inputs[1]),
      (std::vector<std::int64_t>{kClsId, VocabId("terrible"), VocabId("plot"), VocabId("terrible"),
                                 VocabId("film"), kSepId, kPadId, kPadId}));
  EXPECT_EQ(Longs(data.test_inputs[1]),
            (std::vector<std::int64_t>{kClsId, VocabId("great"), VocabId("plot"), kSepId, kPadId,
                                       kPadId, kPadId, kPadId}));

  EXPECT_EQ(data.spec.input_kind, InputKind::kTokens);
  EXPECT_EQ(data.spec.input_shape, (std::vector<std::int64_t>{8}));
  EXPECT_EQ(data.spec.vocab_size, static_cast<std::int64_t>(kVocab.size()));
  EXPECT_EQ(data.spec.pad_token_id, kPadId);
  EXPECT_EQ(data.spec.num_classes, 2);
  EXPECT_EQ(data.spec.class_names, (std::vector<std::string>{"neg", "pos"}));
  EXPECT_EQ(data.vocabulary, kVocab);
  EXPECT_FALSE(data.vocabulary_built);
  EXPECT_FALSE(AnyNoteContains(data, "built")) << Notes(data);
  EXPECT_FALSE(AnyNoteContains(data, "truncated")) << Notes(data);
}

TEST(Imdb, TruncationIsNoted) {
  TempDir dir;
  WriteImdb(dir.path());
  DatasetRequest request;
  request.name = "imdb";
  request.path = (dir.path() / "aclImdb").string();  // the folder itself works too
  request.vocab_path = WriteVocab(dir.path() / "vocab.txt");
  request.max_length = 4;  // [CLS] + 2 tokens + [SEP]
  const TensorDataset data = LoadDataset(request);
  EXPECT_EQ(Shape(data.train_inputs), (std::vector<std::int64_t>{5, 4}));
  EXPECT_TRUE(data.train_inputs.select(1, 3).eq(kSepId).all().item<bool>())
      << "every training text is 2 tokens or longer, so each ends in [SEP] at position 3";
  // "a bad movie", "terrible plot terrible film", "a great movie", "great great plot".
  EXPECT_TRUE(AnyNoteContains(data, "4 of 5 training texts truncated to 4 tokens")) << Notes(data);
}

TEST(Imdb, BuildsAVocabularyWhenNoneIsGiven) {
  TempDir dir;
  WriteImdb(dir.path());
  DatasetRequest request;
  request.name = "imdb";
  request.path = dir.path().string();
  request.max_length = 16;
  const TensorDataset data = LoadDataset(request);
  EXPECT_TRUE(data.vocabulary_built);
  EXPECT_TRUE(AnyNoteContains(data, "no vocabulary given")) << Notes(data);
  EXPECT_TRUE(AnyNoteContains(data, "built one of")) << Notes(data);
  ASSERT_GE(data.vocabulary.size(), 5u);
  EXPECT_EQ(data.vocabulary[0], "[PAD]");
  EXPECT_EQ(data.spec.vocab_size, static_cast<std::int64_t>(data.vocabulary.size()));
  EXPECT_LE(data.spec.vocab_size, request.vocab_size);
  EXPECT_EQ(data.spec.pad_token_id, 0);
  const std::int64_t cls =
      std::find(data.vocabulary.begin(), data.vocabulary.end(), "[CLS]") - data.vocabulary.begin();
  EXPECT_TRUE(data.train_inputs.select(1, 0).eq(cls).all().item<bool>());
  // Built from the training texts, it covers them: no [UNK].
  const std::int64_t unk =
      std::find(data.vocabulary.begin(), data.vocabulary.end(), "[UNK]") - data.vocabulary.begin();
  EXPECT_FALSE(data.train_inputs.eq(unk).any().item<bool>());
  EXPECT_LT(data.train_inputs.max().item<std::int64_t>(), data.spec.vocab_size);
}

TEST(Imdb, MissingLayoutNamesWhatIsMissing) {
  TempDir dir;
  WriteFile(dir.path() / "aclImdb/train/neg/0_1.txt", "bad");
  DatasetRequest request;
  request.name = "imdb";
  request.path = dir.path().string();
  try {
    LoadDataset(request);
    FAIL() << "no error for a half-extracted folder";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("test/pos/"), std::string::npos) << error.what();
  }
}

// Ten rows, "good ..." labelled 1 and "bad ..." labelled 0.
std::string WriteTextCsv(const fs::path& path) {
  const std::vector<std::string> nouns = {"apple", "river", "stone", "cloud",  "tiger",
                                          "piano", "lemon", "ocean", "forest", "rocket"};
  std::string text = "id,Text,LABEL\n";
  for (std::size_t i = 0; i < nouns.size(); ++i) {
    const bool good = i % 2 == 0;
    text += std::to_string(i) + ",\"" + (good ? "good " : "bad ") + nouns[i] + ", really\"," +
            (good ? "1" : "0") + "\n";
  }
  WriteFile(path, text);
  return path.string();
}

TEST(TextCsv, SplitsByTestFractionKeepingLabelsWithTexts) {
  TempDir dir;
  DatasetRequest request;
  request.name = "text_csv";
  request.path = WriteTextCsv(dir.path() / "reviews.csv");
  request.test_fraction = 0.3;
  request.max_length = 12;
  const TensorDataset data = LoadDataset(request);
  EXPECT_EQ(data.train_inputs.size(0), 7);
  EXPECT_EQ(data.test_inputs.size(0), 3);
  EXPECT_EQ(data.train_targets.size(0), 7);
  EXPECT_EQ(data.spec.num_classes, 2);
  EXPECT_TRUE(data.vocabulary_built);

  // "good" and "bad" occur often enough to be whole words of the built
  // vocabulary: the first word says the label.
  const auto find = [&](const char* token) {
    return std::find(data.vocabulary.begin(), data.vocabulary.end(), token) -
           data.vocabulary.begin();
  };
  const std::int64_t good = find("good"), bad = find("bad");
  ASSERT_LT(good, static_cast<std::int64_t>(data.vocabulary.size()));
  ASSERT_LT(bad, static_cast<std::int64_t>(data.vocabulary.size()));
  std::int64_t positives = 0;
  for (const auto* split : {&data.train_inputs, &data.test_inputs}) {
    const torch::Tensor& targets =
        split == &data.train_inputs ? data.train_targets : data.test_targets;
    for (std::int64_t i = 0; i < split->size(0); ++i) {
      const std::int64_t first_word = (*split)[i][1].item<std::int64_t>();
      const std::int64_t label = targets[i].item<std::int64_t>();
      EXPECT_EQ(first_word, label == 1 ? good : bad) << "row " << i;
      positives += label;
    }
  }
  EXPECT_EQ(positives, 5);  // every row landed on one side
  // No row on both sides.
  for (std::int64_t i = 0; i < data.test_inputs.size(0); ++i) {
    EXPECT_EQ(FindRow(data.train_inputs, data.test_inputs[i]), -1) << "test row " << i;
  }

  // The split is seeded.
  EXPECT_TRUE(torch::equal(LoadDataset(request).test_inputs, data.test_inputs));
}

TEST(TextCsv, SubsetsApplyAfterTheSplit) {
  TempDir dir;
  DatasetRequest request;
  request.name = "text_csv";
  request.path = WriteTextCsv(dir.path() / "reviews.csv");
  request.test_fraction = 0.5;
  request.train_size = 2;
  request.test_size = 3;
  const TensorDataset data = LoadDataset(request);
  EXPECT_EQ(data.train_inputs.size(0), 2);
  EXPECT_EQ(data.train_targets.size(0), 2);
  EXPECT_EQ(data.test_inputs.size(0), 3);
}

TEST(TextCsv, NeedsAPath) {
  DatasetRequest request;
  request.name = "text_csv";
  try {
    LoadDataset(request);
    FAIL() << "no error without dataset.path";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("dataset.path"), std::string::npos) << error.what();
  }
}

TEST(TextFolder, ReadsTrainAndTestClassFolders) {
  TempDir dir;
  WriteFile(dir.path() / "train/ham/a.txt", "see you at lunch");
  WriteFile(dir.path() / "train/ham/b.txt", "lunch at noon");
  WriteFile(dir.path() / "train/spam/a.txt", "win money now");
  WriteFile(dir.path() / "test/ham/c.txt", "lunch now");
  WriteFile(dir.path() / "test/spam/c.txt", "money money");
  DatasetRequest request;
  request.name = "text_folder";
  request.path = dir.path().string();
  request.vocab_path = WriteVocab(dir.path() / "vocab.txt");
  request.max_length = 6;
  const TensorDataset data = LoadDataset(request);
  EXPECT_EQ(Shape(data.train_inputs), (std::vector<std::int64_t>{3, 6}));
  EXPECT_EQ(Longs(data.train_targets), (std::vector<std::int64_t>{0, 0, 1}));
  EXPECT_EQ(Longs(data.test_targets), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(data.spec.class_names, (std::vector<std::string>{"ham", "spam"}));
  // None of these words is in the vocabulary.
  EXPECT_EQ(data.train_inputs[2][1].item<std::int64_t>(), VocabId("[UNK]"));
}

void WriteFortunes(const fs::path& dir) {
  WriteFile(dir / "alpha", "alpha one\n%\nalpha two\nsecond line\n%\nalpha three\n%\n");
  WriteFile(dir / "beta", "beta one\n%\n%\nbeta two\n%\nbeta three\n%\nbeta four\n");
  WriteFile(dir / "gamma", "gamma one\n%\ngamma two\n%\n");
  WriteFile(dir / "alpha.dat", std::string("\x00\x00\x00\x02", 4));  // strfile's index
}

TEST(Fortunes, ReadsTheNamedCategoriesFromTheFolder) {
  TempDir dir;
  WriteFortunes(dir.path());
  DatasetRequest request;
  request.name = "fortunes";
  request.path = dir.path().string();
  request.categories = "alpha, beta";
  request.test_fraction = 0.25;
  const TensorDataset data = LoadDataset(request);
  EXPECT_EQ(data.source, dir.path().string());
  EXPECT_EQ(data.spec.class_names, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(data.spec.num_classes, 2);
  // 3 + 4 entries (gamma not asked for), round(0.25 * 7) = 2 for test.
  EXPECT_EQ(data.train_inputs.size(0), 5);
  EXPECT_EQ(data.test_inputs.size(0), 2);
  const torch::Tensor labels = torch::cat({data.train_targets, data.test_targets});
  EXPECT_EQ(labels.eq(0).sum().item<std::int64_t>(), 3);
  EXPECT_EQ(labels.eq(1).sum().item<std::int64_t>(), 4);
  EXPECT_TRUE(AnyNoteContains(data, "1 empty texts skipped")) << Notes(data);

  request.categories = "alpha,gamma,beta";
  const TensorDataset three = LoadDataset(request);
  EXPECT_EQ(three.spec.num_classes, 3);
  EXPECT_EQ(three.train_inputs.size(0) + three.test_inputs.size(0), 9);
}

TEST(Fortunes, RejectsOneCategoryAndUnknownOnes) {
  TempDir dir;
  WriteFortunes(dir.path());
  DatasetRequest request;
  request.name = "fortunes";
  request.path = dir.path().string();
  request.categories = "alpha";
  EXPECT_THROW(LoadDataset(request), std::runtime_error);
  request.categories = "alpha,delta";
  try {
    LoadDataset(request);
    FAIL() << "no error for an unknown category";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("delta"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("gamma"), std::string::npos)
        << "the available categories are listed: " << error.what();
  }
}

// --- Time series --------------------------------------------------------------------

// 60 weekly values 100 + 2i; rows 5, 17 and 18 missing. The series is a
// line, so linear interpolation gives the missing values back exactly.
constexpr int kSeriesLength = 60;
double SeriesValue(int i) { return 100.0 + 2.0 * i; }

std::string WriteSeriesCsv(const fs::path& path) {
  std::string text = "week,ppm\n";
  for (int i = 0; i < kSeriesLength; ++i) {
    std::string value = std::to_string(SeriesValue(i));
    if (i == 5) value = "";
    if (i == 17) value = "NA";
    if (i == 18) value = "NaN";
    text += "2000-w" + std::to_string(i) + "," + value + "\n";
  }
  WriteFile(path, text);
  return path.string();
}

TEST(TimeSeries, WindowsStandardisedTargetsAndAChronologicalSplit) {
  TempDir dir;
  DatasetRequest request;
  request.name = "timeseries_csv";
  request.path = WriteSeriesCsv(dir.path() / "series.csv");
  request.window = 8;
  request.horizon = 1;
  request.test_fraction = 0.25;
  const TensorDataset data = LoadDataset(request);

  EXPECT_TRUE(AnyNoteContains(data, "3 missing values of 60 filled")) << Notes(data);
  EXPECT_TRUE(AnyNoteContains(data, "longest gap 2")) << Notes(data);
  // 60 - 8 - 1 + 1 = 52 windows: round(0.75 * 52) = 39 train, 13 test.
  EXPECT_EQ(Shape(data.train_inputs), (std::vector<std::int64_t>{39, 1, 8}));
  EXPECT_EQ(Shape(data.test_inputs), (std::vector<std::int64_t>{13, 1, 8}));
  EXPECT_EQ(Shape(data.train_targets), (std::vector<std::int64_t>{39, 1}));
  EXPECT_EQ(data.train_inputs.scalar_type(), torch::kFloat32);

  // Statistics of the training period only (values 0..46; the first test
  // target is value 47): mean 100 + 2 * 23, population stddev 2 * sqrt((47^2 - 1) / 12).
  EXPECT_NEAR(data.target_mean, 146.0, 1e-9);
  EXPECT_NEAR(data.target_stddev, 2.0 * std::sqrt((47.0 * 47.0 - 1.0) / 12.0), 1e-9);

  const auto raw = [&](const torch::Tensor& t) {
    return t.to(torch::kFloat64) * data.target_stddev + data.target_mean;
  };
  const torch::Tensor train_targets = raw(data.train_targets);
  const torch::Tensor test_targets = raw(data.test_targets);
  for (std::int64_t t = 0; t < 39; ++t) {
    EXPECT_NEAR(train_targets[t][0].item<double>(), SeriesValue(t + 8), 1e-3) << "window " << t;
    EXPECT_NEAR(raw(data.train_inputs)[t][0][7].item<double>(), SeriesValue(t + 7), 1e-3);
  }
  for (std::int64_t t = 0; t < 13; ++t) {
    EXPECT_NEAR(test_targets[t][0].item<double>(), SeriesValue(39 + t + 8), 1e-3) << t;
  }
  // The missing row 5 came back as its interpolation.
  EXPECT_NEAR(raw(data.train_inputs)[0][0][5].item<double>(), SeriesValue(5), 1e-3);
  EXPECT_NEAR(raw(data.train_inputs)[10][0][7].item<double>(), SeriesValue(17), 1e-3);
  // Every test target comes after every train target.
  EXPECT_GT(test_targets.min().item<double>(), train_targets.max().item<double>());

  EXPECT_EQ(data.spec.input_kind, InputKind::kSeries);
  EXPECT_EQ(data.spec.task, TaskKind::kRegression);
  EXPECT_EQ(data.spec.input_shape, (std::vector<std::int64_t>{1, 8}));
  EXPECT_EQ(data.spec.target_size, 1);
  EXPECT_EQ(data.spec.class_names, (std::vector<std::string>{"ppm"}));
}

TEST(TimeSeries, HorizonAndValueColumn) {
  TempDir dir;
  std::string text = "date,other,level\n";
  for (int i = 0; i < 30; ++i) {
    text += "d" + std::to_string(i) + "," + std::to_string(-i) + "," + std::to_string(i * i) + "\n";
  }
  WriteFile(dir.path() / "two.csv", text);
  DatasetRequest request;
  request.name = "timeseries_csv";
  request.path = (dir.path() / "two.csv").string();
  request.value_column = "level";
  request.window = 4;
  request.horizon = 3;
  request.test_fraction = 0.5;
  const TensorDataset data = LoadDataset(request);
  EXPECT_TRUE(data.notes.empty()) << Notes(data);
  // 30 - 4 - 3 + 1 = 24 windows, 12 per side; window t targets value t + 6.
  ASSERT_EQ(data.train_targets.size(0), 12);
  ASSERT_EQ(data.test_targets.size(0), 12);
  const double target =
      data.train_targets[2][0].item<double>() * data.target_stddev + data.target_mean;
  EXPECT_NEAR(target, 8.0 * 8.0, 1e-3);
  EXPECT_EQ(data.spec.class_names, (std::vector<std::string>{"level"}));
}

TEST(TimeSeries, Co2ReadsAGivenCopy) {
  TempDir dir;
  DatasetRequest request;
  request.name = "co2";
  request.path = WriteSeriesCsv(dir.path() / "co2.csv");
  request.window = 10;
  const TensorDataset data = LoadDataset(request);
  EXPECT_EQ(data.spec.name, "co2");
  EXPECT_EQ(data.train_inputs.size(2), 10);
  EXPECT_TRUE(AnyNoteContains(data, "co2: 3 missing values")) << Notes(data);
}

// --- Names and nominal specs ----------------------------------------------------------

TEST(Datasets, UnknownNameListsTheKnownOnes) {
  DatasetRequest request;
  request.name = "cifar1O";
  for (int which = 0; which < 2; ++which) {
    try {
      if (which == 0) {
        LoadDataset(request);
      } else {
        NominalDatasetSpec(request);
      }
      FAIL() << "no error for an unknown dataset";
    } catch (const std::runtime_error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("unknown dataset 'cifar1O'"), std::string::npos) << message;
      for (const std::string& name : KnownDatasets()) {
        EXPECT_NE(message.find(name), std::string::npos) << name << " missing from: " << message;
      }
    }
  }
  EXPECT_EQ(KnownDatasets().size(), 10u);
}

void ExpectNominalAgrees(const DatasetRequest& request, bool compare_vocab) {
  SCOPED_TRACE(request.name);
  const TensorDataset data = LoadDataset(request);
  const DatasetSpec nominal = NominalDatasetSpec(request);
  EXPECT_EQ(nominal.name, data.spec.name);
  EXPECT_EQ(nominal.input_shape, data.spec.input_shape);
  EXPECT_EQ(nominal.input_kind, data.spec.input_kind);
  EXPECT_EQ(nominal.task, data.spec.task);
  EXPECT_EQ(nominal.num_classes, data.spec.num_classes);
  EXPECT_EQ(nominal.target_size, data.spec.target_size);
  if (compare_vocab) {
    EXPECT_EQ(nominal.vocab_size, data.spec.vocab_size);
    EXPECT_EQ(nominal.pad_token_id, data.spec.pad_token_id);
  }
  // The sample shape is what the tensors hold.
  std::vector<std::int64_t> sample = Shape(data.train_inputs);
  sample.erase(sample.begin());
  EXPECT_EQ(nominal.input_shape, sample);
}

TEST(Datasets, NominalSpecAgreesWithTheLoadedOne) {
  TempDir dir;
  WriteCifar10(dir.path() / "c10");
  WriteCifar100(dir.path() / "c100");
  WriteIdx(dir.path() / "idx", 4, 2);
  WriteImdb(dir.path() / "imdb");
  WriteFortunes(dir.path() / "fortunes");
  WriteFile(dir.path() / "folder/neg/a.txt", "a bad film");
  WriteFile(dir.path() / "folder/neg/b.txt", "terrible movie");
  WriteFile(dir.path() / "folder/pos/a.txt", "a great film");
  WriteFile(dir.path() / "folder/pos/b.txt", "wonderful plot");
  WriteFile(dir.path() / "folder/pos/c.txt", "great movie");
  const std::string vocab = WriteVocab(dir.path() / "vocab.txt");
  const std::string csv = WriteTextCsv(dir.path() / "texts.csv");
  const std::string series = WriteSeriesCsv(dir.path() / "series.csv");

  auto request = [](const std::string& name, const fs::path& path) {
    DatasetRequest r;
    r.name = name;
    r.path = path.string();
    return r;
  };
  ExpectNominalAgrees(request("cifar10", dir.path() / "c10"), false);
  ExpectNominalAgrees(request("cifar100", dir.path() / "c100"), false);
  ExpectNominalAgrees(request("mnist", dir.path() / "idx"), false);
  ExpectNominalAgrees(request("fashion_mnist", dir.path() / "idx"), false);
  for (const std::string& vocab_path : {vocab, std::string()}) {
    SCOPED_TRACE(vocab_path.empty() ? "built vocabulary" : "given vocabulary");
    const bool given = !vocab_path.empty();
    DatasetRequest imdb = request("imdb", dir.path() / "imdb");
    imdb.vocab_path = vocab_path;
    imdb.max_length = 10;
    ExpectNominalAgrees(imdb, given);
    DatasetRequest fortunes = request("fortunes", dir.path() / "fortunes");
    fortunes.categories = "gamma,alpha,beta";
    fortunes.vocab_path = vocab_path;
    ExpectNominalAgrees(fortunes, given);
    EXPECT_EQ(NominalDatasetSpec(fortunes).class_names,
              (std::vector<std::string>{"gamma", "alpha", "beta"}));
    DatasetRequest folder = request("text_folder", dir.path() / "folder");
    folder.vocab_path = vocab_path;
    folder.test_fraction = 0.4;
    ExpectNominalAgrees(folder, given);
    DatasetRequest text_csv = request("text_csv", csv);
    text_csv.vocab_path = vocab_path;
    ExpectNominalAgrees(text_csv, given);
    if (!given) {
      // Without a vocabulary the nominal size is the most a built one holds.
      EXPECT_EQ(NominalDatasetSpec(text_csv).vocab_size, text_csv.vocab_size);
      EXPECT_LE(LoadDataset(text_csv).spec.vocab_size, text_csv.vocab_size);
    }
  }
  DatasetRequest ts = request("timeseries_csv", series);
  ts.window = 12;
  ExpectNominalAgrees(ts, false);
  ExpectNominalAgrees(request("co2", series), false);
}

// A text folder or CSV with three classes: the classes are the folder's
// subfolders (known without reading a text) or the CSV's labels.
TEST(Datasets, NominalSpecCountsTheClassesOfThreeClassTextData) {
  TempDir dir;
  for (const char* label : {"alpha", "beta", "gamma"}) {
    for (const char* file : {"a.txt", "b.txt"}) {
      WriteFile(dir.path() / "folder" / label / file, std::string(label) + " text " + file);
    }
  }
  std::string csv = "text,label\n";
  for (int i = 0; i < 9; ++i)
    csv += "row " + std::to_string(i) + "," + std::to_string(i % 3) + "\n";
  WriteFile(dir.path() / "three.csv", csv);
  for (const auto& [name, path] :
       {std::pair<std::string, fs::path>{"text_folder", dir.path() / "folder"},
        std::pair<std::string, fs::path>{"text_csv", dir.path() / "three.csv"}}) {
    SCOPED_TRACE(name);
    DatasetRequest request;
    request.name = name;
    request.path = path.string();
    request.test_fraction = 0.34;
    const TensorDataset data = LoadDataset(request);
    ASSERT_EQ(data.spec.num_classes, 3);
    // `carbonbench describe` sizes the classifier head from this.
    EXPECT_EQ(NominalDatasetSpec(request).num_classes, 3)
        << "NominalDatasetSpec assumes 2 classes for " << name
        << " (harness/src/pipeline/dataset.cpp, the text_folder/text_csv entries of Datasets())";
  }
}

}  // namespace
}  // namespace carbonbench
