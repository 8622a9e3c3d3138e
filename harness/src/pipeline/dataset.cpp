#include "pipeline/dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/cifar.h"
#include "data/fortunes.h"
#include "data/idx.h"
#include "data/text_folder.h"
#include "data/time_series.h"
#include "tokenizer/vocabulary_builder.h"
#include "tokenizer/wordpiece.h"
#include "util/strings.h"

namespace carbonbench {
namespace {

// Where a dataset is read from when no path is given. CIFAR and IMDb cannot
// come from a Debian package: a folder holding the extracted official
// archive, in the working directory, is the convention.
constexpr const char* kLocalDataDir = "data";
constexpr const char* kCo2Csv = "/usr/lib/python3/dist-packages/statsmodels/datasets/co2/co2.csv";
const std::vector<std::string> kDefaultFortuneCategories = {"computers", "food", "politics",
                                                            "science"};

struct ChannelStats {
  std::vector<float> mean;  // of the training pixels in [0, 1]
  std::vector<float> stddev;
};

// The usual published per-channel statistics of each training set.
const ChannelStats kFashionMnistStats{{0.2860f}, {0.3530f}};
const ChannelStats kMnistStats{{0.1307f}, {0.3081f}};
const ChannelStats kCifar10Stats{{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
const ChannelStats kCifar100Stats{{0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}};

const std::vector<std::string> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
const std::vector<std::string> kDigitClasses = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

std::string PathOr(const DatasetRequest& request, const std::string& fallback) {
  return request.path.empty() ? fallback : request.path;
}

std::string RequirePath(const DatasetRequest& request, const std::string& what) {
  if (request.path.empty()) {
    throw std::runtime_error(fmt::format("dataset {} needs dataset.path: {}", request.name, what));
  }
  return request.path;
}

std::vector<std::string> FortuneCategories(const DatasetRequest& request) {
  if (request.categories.empty()) return kDefaultFortuneCategories;
  std::vector<std::string> categories;
  for (const auto& part : SplitString(request.categories, ',')) {
    std::string name = Trim(part);
    if (!name.empty()) categories.push_back(name);
  }
  if (categories.size() < 2) {
    throw std::runtime_error(fmt::format(
        "dataset.categories '{}' must name two or more fortune files, e.g. computers,science",
        request.categories));
  }
  return categories;
}

// A seeded random subset (all rows, shuffled, when size is 0 or too large).
std::pair<torch::Tensor, torch::Tensor> Subset(torch::Tensor inputs, torch::Tensor targets,
                                               std::int64_t size, std::int64_t seed) {
  const std::int64_t count = inputs.size(0);
  if (size <= 0 || size >= count) return {inputs, targets};
  auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
  torch::Tensor order = torch::randperm(count, generator, torch::kLong).slice(0, 0, size);
  return {inputs.index_select(0, order), targets.index_select(0, order)};
}

void ApplySubsets(TensorDataset& dataset, const DatasetRequest& request) {
  std::tie(dataset.train_inputs, dataset.train_targets) =
      Subset(dataset.train_inputs, dataset.train_targets, request.train_size, request.seed);
  // A different stream for the test subset, so the two are independent.
  std::tie(dataset.test_inputs, dataset.test_targets) =
      Subset(dataset.test_inputs, dataset.test_targets, request.test_size, request.seed + 1);
}

// uint8 pixels {count, channels, h, w} -> float in [0, 1], standardised per
// channel when asked.
torch::Tensor ImageTensor(const std::uint8_t* pixels, std::vector<std::int64_t> shape,
                          const ChannelStats& stats, bool normalize) {
  torch::Tensor images = torch::from_blob(const_cast<std::uint8_t*>(pixels), shape, torch::kUInt8)
                             .to(torch::kFloat32)
                             .div_(255.0f);
  if (!normalize) return images;
  const auto channels = static_cast<std::int64_t>(stats.mean.size());
  torch::Tensor mean = torch::tensor(stats.mean).view({1, channels, 1, 1});
  torch::Tensor stddev = torch::tensor(stats.stddev).view({1, channels, 1, 1});
  return images.sub_(mean).div_(stddev);
}

torch::Tensor LabelTensor(const std::vector<std::int64_t>& labels) {
  return torch::tensor(labels, torch::kLong);
}

void SetImagePreparation(TensorDataset& dataset, const DatasetRequest& request,
                         const ChannelStats& stats) {
  if (request.normalize) {
    dataset.pixel_mean = stats.mean;
    dataset.pixel_stddev = stats.stddev;
  }
  if (!request.augment) return;
  dataset.augmentation.crop_padding_px = request.crop_padding_px;
  dataset.augmentation.horizontal_flip = true;
  for (std::size_t c = 0; c < stats.mean.size(); ++c) {
    dataset.augmentation.fill.push_back(request.normalize ? -stats.mean[c] / stats.stddev[c]
                                                          : 0.0f);
  }
}

// --- IDX (MNIST, Fashion-MNIST) ---------------------------------------------

TensorDataset LoadIdx(const DatasetRequest& request, const std::string& default_dir,
                      const ChannelStats& stats, const std::vector<std::string>& classes) {
  const std::string dir = PathOr(request, default_dir);
  const int num_classes = static_cast<int>(classes.size());
  const IdxSplit train = ReadIdxSplit(dir, /*train=*/true, num_classes);
  const IdxSplit test = ReadIdxSplit(dir, /*train=*/false, num_classes);
  TensorDataset dataset;
  dataset.source = dir;
  dataset.spec.input_shape = {1, train.images.dims[1], train.images.dims[2]};
  dataset.spec.num_classes = num_classes;
  dataset.spec.class_names = classes;
  auto to_tensors = [&](const IdxSplit& split) {
    const auto& dims = split.images.dims;
    torch::Tensor images = ImageTensor(split.images.data.data(), {dims[0], 1, dims[1], dims[2]},
                                       stats, request.normalize);
    torch::Tensor labels =
        torch::from_blob(const_cast<std::uint8_t*>(split.labels.data()),
                         {static_cast<std::int64_t>(split.labels.size())}, torch::kUInt8)
            .to(torch::kLong);
    return std::make_pair(images, labels);
  };
  std::tie(dataset.train_inputs, dataset.train_targets) = to_tensors(train);
  std::tie(dataset.test_inputs, dataset.test_targets) = to_tensors(test);
  SetImagePreparation(dataset, request, stats);
  return dataset;
}

// --- CIFAR --------------------------------------------------------------------

TensorDataset LoadCifar(const DatasetRequest& request, CifarVariant variant,
                        const ChannelStats& stats) {
  const CifarDataset cifar = ReadCifar(PathOr(request, kLocalDataDir), variant);
  TensorDataset dataset;
  dataset.source = cifar.dir;
  dataset.spec.input_shape = {cifar.train.channels, cifar.train.height, cifar.train.width};
  dataset.spec.num_classes = static_cast<std::int64_t>(cifar.class_names.size());
  dataset.spec.class_names = cifar.class_names;
  auto to_tensors = [&](const ImageSplit& split) {
    return std::make_pair(
        ImageTensor(split.pixels.data(), {split.count, split.channels, split.height, split.width},
                    stats, request.normalize),
        LabelTensor(split.labels));
  };
  std::tie(dataset.train_inputs, dataset.train_targets) = to_tensors(cifar.train);
  std::tie(dataset.test_inputs, dataset.test_targets) = to_tensors(cifar.test);
  SetImagePreparation(dataset, request, stats);
  return dataset;
}

// --- Text ---------------------------------------------------------------------

// Seeded split of a dataset that ships without a test split.
void SplitText(TextDataset& text, double test_fraction, std::int64_t seed) {
  const auto count = static_cast<std::int64_t>(text.train.texts.size());
  auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed) ^ 0x5eed);
  torch::Tensor order = torch::randperm(count, generator, torch::kLong);
  const auto test_count = static_cast<std::int64_t>(std::llround(test_fraction * count));
  if (test_count < 1 || test_count >= count) {
    throw std::runtime_error(
        fmt::format("{} texts cannot be split with test_fraction {}", count, test_fraction));
  }
  TextSplit train, test;
  auto rows = order.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < count; ++i) {
    TextSplit& side = i < test_count ? test : train;
    side.texts.push_back(std::move(text.train.texts[rows[i]]));
    side.labels.push_back(text.train.labels[rows[i]]);
  }
  text.train = std::move(train);
  text.test = std::move(test);
  text.has_test_split = true;
}

// Picks a subset of texts before tokenising, so a small run does not encode
// 50,000 reviews to use 2,000.
void SubsetText(TextSplit& split, std::int64_t size, std::int64_t seed) {
  const auto count = static_cast<std::int64_t>(split.texts.size());
  if (size <= 0 || size >= count) return;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
  torch::Tensor order = torch::randperm(count, generator, torch::kLong).slice(0, 0, size);
  TextSplit subset;
  auto rows = order.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < size; ++i) {
    subset.texts.push_back(std::move(split.texts[rows[i]]));
    subset.labels.push_back(split.labels[rows[i]]);
  }
  split = std::move(subset);
}

TextDataset ReadText(const DatasetRequest& request) {
  if (request.name == "imdb") return ReadImdb(PathOr(request, kLocalDataDir));
  if (request.name == "fortunes") {
    return ReadFortunes(PathOr(request, kDefaultFortunesDir), FortuneCategories(request));
  }
  if (request.name == "text_folder") {
    return ReadTextFolder(RequirePath(request,
                                      "a folder with one subfolder of text files per "
                                      "class (optionally under train/ and test/)"));
  }
  return ReadTextCsv(
      RequirePath(request, "a CSV file with a header holding text and label columns"));
}

std::string TextSource(const DatasetRequest& request) {
  if (request.name == "fortunes") return PathOr(request, kDefaultFortunesDir);
  if (request.name == "imdb") return PathOr(request, kLocalDataDir);
  return request.path;
}

TensorDataset LoadText(const DatasetRequest& request) {
  TextDataset text = ReadText(request);
  if (!text.has_test_split) SplitText(text, request.test_fraction, request.seed);
  SubsetText(text.train, request.train_size, request.seed);
  SubsetText(text.test, request.test_size, request.seed + 1);

  TensorDataset dataset;
  dataset.source = TextSource(request);
  if (text.skipped_empty > 0) {
    dataset.notes.push_back(
        fmt::format("{}: {} empty texts skipped", request.name, text.skipped_empty));
  }
  const WordPieceVocabulary vocabulary =
      request.vocab_path.empty()
          ? BuildVocabulary(text.train.texts,
                            VocabularySettings{static_cast<std::size_t>(request.vocab_size)})
          : WordPieceVocabulary::Load(request.vocab_path);
  dataset.vocabulary = vocabulary.tokens();
  dataset.vocabulary_built = request.vocab_path.empty();
  if (dataset.vocabulary_built) {
    dataset.notes.push_back(fmt::format(
        "{}: no vocabulary given, built one of {} WordPiece tokens from the training split",
        request.name, vocabulary.size()));
  }
  const WordPieceTokenizer tokenizer(vocabulary);
  const auto max_length = static_cast<std::size_t>(request.max_length);
  auto encode = [&](const TextSplit& split, const char* side) {
    // Texts are encoded once here, not per epoch: the ids of a text never
    // change, so batches are cut from one tensor like any other dataset.
    EncodedBatch encoded = tokenizer.EncodeBatch(split.texts, max_length);
    const auto truncated =
        std::count_if(encoded.num_truncated_tokens.begin(), encoded.num_truncated_tokens.end(),
                      [](std::size_t n) { return n > 0; });
    if (truncated > 0) {
      dataset.notes.push_back(fmt::format("{}: {} of {} {} texts truncated to {} tokens",
                                          request.name, truncated, split.texts.size(), side,
                                          max_length));
    }
    torch::Tensor ids = torch::tensor(encoded.input_ids, torch::kLong)
                            .view({static_cast<std::int64_t>(encoded.batch_size),
                                   static_cast<std::int64_t>(max_length)});
    return std::make_pair(ids, LabelTensor(split.labels));
  };
  std::tie(dataset.train_inputs, dataset.train_targets) = encode(text.train, "training");
  std::tie(dataset.test_inputs, dataset.test_targets) = encode(text.test, "test");
  dataset.spec.input_kind = InputKind::kTokens;
  dataset.spec.input_shape = {request.max_length};
  dataset.spec.num_classes = static_cast<std::int64_t>(text.class_names.size());
  dataset.spec.class_names = text.class_names;
  dataset.spec.vocab_size = static_cast<std::int64_t>(vocabulary.size());
  dataset.spec.pad_token_id = vocabulary.pad_id();
  return dataset;
}

// --- Time series --------------------------------------------------------------

TensorDataset LoadSeries(const DatasetRequest& request) {
  const std::string path = request.name == "co2"
                               ? PathOr(request, kCo2Csv)
                               : RequirePath(request, "a CSV file with a date and a value column");
  if (request.name == "co2" && !std::filesystem::exists(path)) {
    throw std::runtime_error(
        fmt::format("co2: cannot find {} (Mauna Loa weekly CO2; install it with `apt-get install "
                    "python3-statsmodels`, or set dataset.path to a copy)",
                    path));
  }
  TimeSeries series = ReadTimeSeriesCsv(path, "", request.value_column);
  TensorDataset dataset;
  dataset.source = path;
  const FillReport filled = FillMissing(series.values);
  if (filled.filled > 0) {
    dataset.notes.push_back(
        fmt::format("{}: {} missing values of {} filled by linear interpolation (longest gap {})",
                    request.name, filled.filled, series.values.size(), filled.longest_gap));
  }
  const Windows windows = MakeWindows(series.values, request.window, request.horizon);
  const WindowSplit split = SplitWindowsChronologically(windows, request.test_fraction);

  // Standardised with the training period's statistics only, so nothing of
  // the test period leaks into training.
  const std::vector<double> train_values(series.values.begin(),
                                         series.values.begin() + split.test_start_index);
  const double mean =
      std::accumulate(train_values.begin(), train_values.end(), 0.0) / train_values.size();
  double variance = 0;
  for (double v : train_values) variance += (v - mean) * (v - mean);
  const double stddev = std::max(1e-12, std::sqrt(variance / train_values.size()));
  auto to_tensors = [&](const Windows& w) {
    torch::Tensor inputs = torch::tensor(w.inputs, torch::kFloat64).view({w.count, 1, w.window});
    torch::Tensor targets = torch::tensor(w.targets, torch::kFloat64).view({w.count, 1});
    return std::make_pair(((inputs - mean) / stddev).to(torch::kFloat32),
                          ((targets - mean) / stddev).to(torch::kFloat32));
  };
  std::tie(dataset.train_inputs, dataset.train_targets) = to_tensors(split.train);
  std::tie(dataset.test_inputs, dataset.test_targets) = to_tensors(split.test);
  dataset.target_mean = mean;
  dataset.target_stddev = stddev;
  dataset.spec.input_kind = InputKind::kSeries;
  dataset.spec.task = TaskKind::kRegression;
  dataset.spec.input_shape = {1, request.window};
  dataset.spec.target_size = 1;
  dataset.spec.class_names = {series.value_column};
  return dataset;
}

// --- The table of datasets ----------------------------------------------------

struct DatasetEntry {
  const char* name;
  std::function<TensorDataset(const DatasetRequest&)> load;
  std::function<DatasetSpec(const DatasetRequest&)> nominal;
};

DatasetSpec ImageSpec(std::vector<std::int64_t> shape, std::vector<std::string> classes) {
  DatasetSpec spec;
  spec.input_shape = std::move(shape);
  spec.num_classes = static_cast<std::int64_t>(classes.size());
  spec.class_names = std::move(classes);
  return spec;
}

DatasetSpec TokenSpec(const DatasetRequest& request, std::vector<std::string> classes) {
  DatasetSpec spec;
  spec.input_kind = InputKind::kTokens;
  spec.input_shape = {request.max_length};
  spec.num_classes = static_cast<std::int64_t>(classes.size());
  spec.class_names = std::move(classes);
  if (request.vocab_path.empty()) {
    spec.vocab_size = request.vocab_size;
  } else {
    const WordPieceVocabulary vocabulary = WordPieceVocabulary::Load(request.vocab_path);
    spec.vocab_size = static_cast<std::int64_t>(vocabulary.size());
    spec.pad_token_id = vocabulary.pad_id();
  }
  return spec;
}

DatasetSpec SeriesSpec(const DatasetRequest& request) {
  DatasetSpec spec;
  spec.class_names = {request.value_column.empty() ? "value" : request.value_column};
  spec.input_kind = InputKind::kSeries;
  spec.task = TaskKind::kRegression;
  spec.input_shape = {1, request.window};
  return spec;
}

const std::vector<DatasetEntry>& Datasets() {
  static const std::vector<DatasetEntry> entries = {
      {"fashion_mnist",
       [](const DatasetRequest& r) {
         return LoadIdx(r, "/usr/share/datasets/fashion-mnist", kFashionMnistStats,
                        kFashionMnistClasses);
       },
       [](const DatasetRequest&) {
         return ImageSpec({1, 28, 28}, kFashionMnistClasses);
       }},
      {"mnist",
       [](const DatasetRequest& r) {
         return LoadIdx(r, "/usr/share/datasets/mnist", kMnistStats, kDigitClasses);
       },
       [](const DatasetRequest&) {
         return ImageSpec({1, 28, 28}, kDigitClasses);
       }},
      {"cifar10",
       [](const DatasetRequest& r) { return LoadCifar(r, CifarVariant::kCifar10, kCifar10Stats); },
       [](const DatasetRequest&) {
         return ImageSpec({3, 32, 32}, StandardCifarClassNames(CifarVariant::kCifar10));
       }},
      {"cifar100",
       [](const DatasetRequest& r) {
         return LoadCifar(r, CifarVariant::kCifar100, kCifar100Stats);
       },
       [](const DatasetRequest&) {
         return ImageSpec({3, 32, 32}, StandardCifarClassNames(CifarVariant::kCifar100));
       }},
      {"imdb", LoadText,
       [](const DatasetRequest& r) {
         return TokenSpec(r, {"neg", "pos"});
       }},
      {"fortunes", LoadText,
       [](const DatasetRequest& r) { return TokenSpec(r, FortuneCategories(r)); }},
      // The classes of user text data are only known from the data itself.
      {"text_folder", LoadText,
       [](const DatasetRequest& r) { return TokenSpec(r, ReadText(r).class_names); }},
      {"text_csv", LoadText,
       [](const DatasetRequest& r) { return TokenSpec(r, ReadText(r).class_names); }},
      {"co2", LoadSeries, SeriesSpec},
      {"timeseries_csv", LoadSeries, SeriesSpec},
  };
  return entries;
}

const DatasetEntry& Find(const std::string& name) {
  for (const auto& entry : Datasets()) {
    if (name == entry.name) return entry;
  }
  throw std::runtime_error(fmt::format("unknown dataset '{}'{} (known: {})", name,
                                       DidYouMean(name, KnownDatasets()),
                                       JoinStrings(KnownDatasets(), ", ")));
}

}  // namespace

const std::vector<std::string>& KnownDatasets() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& entry : Datasets()) out.push_back(entry.name);
    return out;
  }();
  return names;
}

TensorDataset LoadDataset(const DatasetRequest& request) {
  TensorDataset dataset = Find(request.name).load(request);
  dataset.spec.name = request.name;
  ApplySubsets(dataset, request);
  return dataset;
}

DatasetSpec NominalDatasetSpec(const DatasetRequest& request) {
  DatasetSpec spec = Find(request.name).nominal(request);
  spec.name = request.name;
  return spec;
}

}  // namespace carbonbench
