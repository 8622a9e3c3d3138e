// BatchLoader (order, batch sizes, background vs inline, errors, shutdown)
// and AugmentImages (shape, flips, padded crops, fill, seeding).
#include "pipeline/batch_loader.h"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/types.h>

#include "energy/tensor_memory.h"

namespace carbonbench {
namespace {

at::Generator Seeded(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// Rows whose content names their index: inputs[i] = {i, 1000 + i}, targets[i] = i.
struct Rows {
  torch::Tensor inputs;
  torch::Tensor targets;
};

Rows NumberedRows(std::int64_t count) {
  torch::Tensor index = torch::arange(count, torch::kLong);
  return {torch::stack({index, index + 1000}, 1).to(torch::kFloat32), index};
}

std::vector<Batch> Drain(BatchLoader& loader) {
  std::vector<Batch> batches;
  while (std::optional<Batch> batch = loader.Next()) batches.push_back(std::move(*batch));
  return batches;
}

std::vector<Batch> LoadAll(const torch::Tensor& inputs, const torch::Tensor& targets,
                           const torch::Tensor& order, const BatchLoaderSettings& settings) {
  BatchLoader loader(inputs, targets, order, settings);
  return Drain(loader);
}

// Images {count, channels, h, w} whose every value differs, so a crop or a
// flip can be told from any other.
torch::Tensor PatternImages(std::int64_t count, std::int64_t channels, std::int64_t height,
                            std::int64_t width) {
  return torch::arange(count * channels * height * width, torch::kFloat32)
      .view({count, channels, height, width})
      .add(1.0);
}

// The sample as AugmentImages pads it: `fill[c]` around channel c.
torch::Tensor PadWithFill(const torch::Tensor& sample, std::int64_t pad,
                          const std::vector<float>& fill) {
  const std::int64_t channels = sample.size(0), height = sample.size(1), width = sample.size(2);
  torch::Tensor padded = torch::empty({channels, height + 2 * pad, width + 2 * pad});
  for (std::int64_t c = 0; c < channels; ++c) padded[c].fill_(fill[c]);
  padded.slice(1, pad, pad + height).slice(2, pad, pad + width).copy_(sample);
  return padded;
}

// Whether `out` is a height x width window of `padded` (mirrored when
// `mirrored`); reports the offset found.
bool IsWindowOf(const torch::Tensor& out, const torch::Tensor& padded, bool mirrored,
                std::int64_t* dy_found = nullptr, std::int64_t* dx_found = nullptr) {
  const std::int64_t height = out.size(1), width = out.size(2);
  for (std::int64_t dy = 0; dy + height <= padded.size(1); ++dy) {
    for (std::int64_t dx = 0; dx + width <= padded.size(2); ++dx) {
      torch::Tensor window = padded.slice(1, dy, dy + height).slice(2, dx, dx + width);
      if (mirrored) window = window.flip({2});
      if (torch::equal(window, out)) {
        if (dy_found != nullptr) *dy_found = dy;
        if (dx_found != nullptr) *dx_found = dx;
        return true;
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------- BatchLoader

TEST(BatchLoader, VisitsEveryRowOfOrderOnceInOrder) {
  const Rows rows = NumberedRows(10);
  auto generator = Seeded(7);
  const torch::Tensor order = torch::randperm(10, generator, torch::kLong);
  for (bool background : {true, false}) {
    SCOPED_TRACE(background ? "background" : "inline");
    BatchLoaderSettings settings;
    settings.batch_size = 4;
    settings.background = background;
    const std::vector<Batch> batches = LoadAll(rows.inputs, rows.targets, order, settings);
    ASSERT_EQ(batches.size(), 3u);
    EXPECT_EQ(batches[0].targets.size(0), 4);
    EXPECT_EQ(batches[1].targets.size(0), 4);
    EXPECT_EQ(batches[2].targets.size(0), 2);  // the last one is short
    std::vector<torch::Tensor> targets, inputs;
    for (const Batch& batch : batches) {
      targets.push_back(batch.targets);
      inputs.push_back(batch.inputs);
    }
    EXPECT_TRUE(torch::equal(torch::cat(targets), order));
    // Inputs travel with their targets.
    EXPECT_TRUE(torch::equal(torch::cat(inputs), rows.inputs.index_select(0, order)));
  }
}

TEST(BatchLoader, EmptyOrderGivesNoBatch) {
  const Rows rows = NumberedRows(3);
  for (bool background : {true, false}) {
    BatchLoaderSettings settings;
    settings.background = background;
    BatchLoader loader(rows.inputs, rows.targets, torch::empty({0}, torch::kLong), settings);
    EXPECT_FALSE(loader.Next().has_value());
    EXPECT_FALSE(loader.Next().has_value());  // stays at the end
  }
}

TEST(BatchLoader, BatchLargerThanOrderGivesOneBatch) {
  const Rows rows = NumberedRows(5);
  BatchLoaderSettings settings;
  settings.batch_size = 64;
  const std::vector<Batch> batches =
      LoadAll(rows.inputs, rows.targets, torch::arange(5, torch::kLong), settings);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].inputs.size(0), 5);
}

TEST(BatchLoader, RejectsBatchSizeBelowOne) {
  const Rows rows = NumberedRows(3);
  BatchLoaderSettings settings;
  settings.batch_size = 0;
  EXPECT_THROW(BatchLoader(rows.inputs, rows.targets, torch::arange(3, torch::kLong), settings),
               std::invalid_argument);
}

TEST(BatchLoader, BackgroundAndInlineGiveIdenticalAugmentedBatches) {
  const torch::Tensor images = PatternImages(23, 2, 6, 6);
  const torch::Tensor labels = torch::arange(23, torch::kLong);
  auto generator = Seeded(3);
  const torch::Tensor order = torch::randperm(23, generator, torch::kLong);
  BatchLoaderSettings settings;
  settings.batch_size = 5;
  settings.prefetch_batches = 2;
  settings.augmentation.crop_padding_px = 2;
  settings.augmentation.horizontal_flip = true;
  settings.augmentation.fill = {-1.0f, -2.0f};
  settings.augmentation_seed = 99;
  settings.background = true;
  const std::vector<Batch> background = LoadAll(images, labels, order, settings);
  settings.background = false;
  const std::vector<Batch> inline_batches = LoadAll(images, labels, order, settings);
  ASSERT_EQ(background.size(), 5u);
  ASSERT_EQ(inline_batches.size(), background.size());
  bool any_changed = false;
  for (std::size_t i = 0; i < background.size(); ++i) {
    EXPECT_TRUE(torch::equal(background[i].inputs, inline_batches[i].inputs)) << "batch " << i;
    EXPECT_TRUE(torch::equal(background[i].targets, inline_batches[i].targets)) << "batch " << i;
    any_changed = any_changed || !torch::equal(background[i].inputs,
                                               images.index_select(0, background[i].targets));
  }
  EXPECT_TRUE(any_changed) << "the augmentation was not applied";
}

TEST(BatchLoader, ProducerErrorIsRethrownByNext) {
  const Rows rows = NumberedRows(4);
  // Row 100 does not exist: index_select fails when that batch is cut.
  const torch::Tensor order = torch::tensor(std::vector<std::int64_t>{0, 1, 100, 2}, torch::kLong);
  for (bool background : {true, false}) {
    SCOPED_TRACE(background ? "background" : "inline");
    BatchLoaderSettings settings;
    settings.batch_size = 1;
    settings.background = background;
    BatchLoader loader(rows.inputs, rows.targets, order, settings);
    if (!background) {
      // Inline, a small split is gathered in visiting order at the first
      // batch, so the bad row is found there.
      EXPECT_ANY_THROW(loader.Next());
      continue;
    }
    // The batches before the bad one still arrive.
    for (std::int64_t expected : {0, 1}) {
      std::optional<Batch> batch = loader.Next();
      ASSERT_TRUE(batch.has_value());
      EXPECT_EQ(batch->targets.item<std::int64_t>(), expected);
    }
    EXPECT_ANY_THROW(loader.Next());
  }
}

TEST(BatchLoader, ProducerErrorIsRethrownEvenWhenItIsTheFirstBatch) {
  const Rows rows = NumberedRows(4);
  BatchLoaderSettings settings;
  settings.batch_size = 2;
  BatchLoader loader(rows.inputs, rows.targets,
                     torch::tensor(std::vector<std::int64_t>{-50, 0}, torch::kLong), settings);
  EXPECT_ANY_THROW(loader.Next());
}

TEST(BatchLoader, DestroyingMidEpochDoesNotHang) {
  const Rows rows = NumberedRows(1000);
  const torch::Tensor order = torch::arange(1000, torch::kLong);
  {
    BatchLoaderSettings settings;
    settings.batch_size = 1;
    settings.prefetch_batches = 1;  // the producer soon blocks on a full queue
    BatchLoader loader(rows.inputs, rows.targets, order, settings);
    ASSERT_TRUE(loader.Next().has_value());
    ASSERT_TRUE(loader.Next().has_value());
  }  // ~BatchLoader must wake and join the blocked producer
  {
    BatchLoaderSettings settings;
    settings.batch_size = 3;
    BatchLoader never_read(rows.inputs, rows.targets, order, settings);
  }
  SUCCEED();
}

TEST(BatchLoader, WaitTimeIsCounted) {
  const Rows rows = NumberedRows(8);
  BatchLoaderSettings settings;
  settings.batch_size = 2;
  BatchLoader loader(rows.inputs, rows.targets, torch::arange(8, torch::kLong), settings);
  EXPECT_EQ(loader.wait_s(), 0.0);
  Drain(loader);
  EXPECT_GE(loader.wait_s(), 0.0);
}

// The producer thread works under the consumer's thread-local state: a
// TensorMemory watching the consumer counts the batches made for it, and
// their frees bring the count back to what was held before.
TEST(BatchLoader, BackgroundBatchesCountInTheConsumersTensorMemory) {
  const torch::Tensor images = PatternImages(64, 2, 8, 8);
  const torch::Tensor labels = torch::arange(64, torch::kLong);
  BatchLoaderSettings settings;
  settings.batch_size = 16;
  settings.augmentation.horizontal_flip = true;
  settings.background = true;
  TensorMemory memory;
  {
    BatchLoader loader(images, labels, torch::arange(64, torch::kLong), settings);
    Drain(loader);
  }
  const std::int64_t one_batch_bytes = 16 * 2 * 8 * 8 * static_cast<std::int64_t>(sizeof(float));
  EXPECT_GE(memory.PeakBytes(c10::DeviceType::CPU), one_batch_bytes);
  EXPECT_EQ(memory.CurrentBytes(c10::DeviceType::CPU), 0);
}

// ---------------------------------------------------------------- AugmentImages

TEST(AugmentImages, DisabledReturnsTheInput) {
  const torch::Tensor images = PatternImages(3, 1, 4, 4);
  auto generator = Seeded(1);
  EXPECT_TRUE(torch::equal(AugmentImages(images, ImageAugmentation{}, generator), images));
}

TEST(AugmentImages, RejectsAnythingButABatchOfImages) {
  ImageAugmentation augmentation;
  augmentation.horizontal_flip = true;
  auto generator = Seeded(1);
  EXPECT_THROW(AugmentImages(torch::zeros({3, 4, 4}), augmentation, generator),
               std::invalid_argument);
}

TEST(AugmentImages, FlipOnlyGivesEachSampleOrItsMirror) {
  const torch::Tensor images = PatternImages(64, 3, 5, 7);
  ImageAugmentation augmentation;
  augmentation.horizontal_flip = true;
  auto generator = Seeded(11);
  const torch::Tensor out = AugmentImages(images, augmentation, generator);
  ASSERT_EQ(out.sizes(), images.sizes());
  int same = 0, mirrored = 0;
  for (std::int64_t i = 0; i < images.size(0); ++i) {
    if (torch::equal(out[i], images[i])) {
      ++same;
    } else if (torch::equal(out[i], images[i].flip({2}))) {
      ++mirrored;
    } else {
      ADD_FAILURE() << "sample " << i << " is neither itself nor its horizontal mirror";
    }
  }
  // Each flip is a coin toss: 64 tosses give both sides.
  EXPECT_GT(same, 0);
  EXPECT_GT(mirrored, 0);
}

TEST(AugmentImages, PaddedCropIsAWindowOfTheFilledPadding) {
  const std::int64_t pad = 2;
  const torch::Tensor images = PatternImages(48, 3, 4, 5);
  ImageAugmentation augmentation;
  augmentation.crop_padding_px = pad;
  augmentation.fill = {-1.5f, -2.5f, -3.5f};
  auto generator = Seeded(5);
  const torch::Tensor out = AugmentImages(images, augmentation, generator);
  ASSERT_EQ(out.sizes(), images.sizes());
  std::vector<bool> fill_seen(3, false);
  bool off_centre = false;
  for (std::int64_t i = 0; i < images.size(0); ++i) {
    const torch::Tensor padded = PadWithFill(images[i], pad, augmentation.fill);
    std::int64_t dy = -1, dx = -1;
    EXPECT_TRUE(IsWindowOf(out[i], padded, /*mirrored=*/false, &dy, &dx))
        << "sample " << i << " is no window of its padded image (flip was off)";
    off_centre = off_centre || dy != pad || dx != pad;
    for (std::int64_t c = 0; c < 3; ++c) {
      if (out[i][c].eq(augmentation.fill[c]).any().item<bool>()) fill_seen[c] = true;
      // No other channel's fill leaks into this one.
      for (std::int64_t other = 0; other < 3; ++other) {
        if (other == c) continue;
        EXPECT_FALSE(out[i][c].eq(augmentation.fill[other]).any().item<bool>())
            << "sample " << i << " channel " << c << " holds channel " << other << "'s fill";
      }
    }
  }
  EXPECT_TRUE(off_centre) << "no sample was shifted in 48 draws";
  for (std::int64_t c = 0; c < 3; ++c) EXPECT_TRUE(fill_seen[c]) << "channel " << c;
}

TEST(AugmentImages, KnownSampleShiftedByKnownOffset) {
  // One 1x3x3 image 1..9; padding 1 with fill 0: every output is one of the
  // 9 windows (or their mirrors) of the 5x5 padded grid, and its fill count
  // follows from the offset.
  const torch::Tensor image = torch::arange(1, 10, torch::kFloat32).view({1, 1, 3, 3});
  const torch::Tensor batch = image.expand({32, 1, 3, 3}).contiguous();
  ImageAugmentation augmentation;
  augmentation.crop_padding_px = 1;
  augmentation.horizontal_flip = true;
  augmentation.fill = {0.0f};
  auto generator = Seeded(21);
  const torch::Tensor out = AugmentImages(batch, augmentation, generator);
  const torch::Tensor padded = PadWithFill(image[0], 1, {0.0f});
  for (std::int64_t i = 0; i < 32; ++i) {
    std::int64_t dy = -1, dx = -1;
    const bool plain = IsWindowOf(out[i], padded, false, &dy, &dx);
    const bool mirrored = plain || IsWindowOf(out[i], padded, true, &dy, &dx);
    ASSERT_TRUE(plain || mirrored) << "sample " << i << ":\n" << out[i];
    const std::int64_t zero_rows = dy == 1 ? 0 : 1, zero_cols = dx == 1 ? 0 : 1;
    const std::int64_t zeros = 3 * zero_rows + 3 * zero_cols - zero_rows * zero_cols;
    EXPECT_EQ(out[i].eq(0).sum().item<std::int64_t>(), zeros) << "sample " << i;
  }
}

TEST(AugmentImages, FillDefaultsToZeroForChannelsWithoutOne) {
  const torch::Tensor images = PatternImages(32, 2, 3, 3);
  ImageAugmentation augmentation;
  augmentation.crop_padding_px = 1;
  augmentation.fill = {-7.0f};  // channel 1 has none given
  auto generator = Seeded(4);
  const torch::Tensor out = AugmentImages(images, augmentation, generator);
  for (std::int64_t i = 0; i < 32; ++i) {
    EXPECT_TRUE(IsWindowOf(out[i], PadWithFill(images[i], 1, {-7.0f, 0.0f}), false))
        << "sample " << i;
  }
}

TEST(AugmentImages, SameSeedSameBatchDifferentSeedDifferentBatch) {
  const torch::Tensor images = PatternImages(32, 3, 8, 8);
  ImageAugmentation augmentation;
  augmentation.crop_padding_px = 2;
  augmentation.horizontal_flip = true;
  augmentation.fill = {0.5f, 0.5f, 0.5f};
  auto first = Seeded(123), again = Seeded(123), other = Seeded(124);
  const torch::Tensor a = AugmentImages(images, augmentation, first);
  const torch::Tensor b = AugmentImages(images, augmentation, again);
  const torch::Tensor c = AugmentImages(images, augmentation, other);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
  // The generator advances: a second draw from one stream differs.
  EXPECT_FALSE(torch::equal(AugmentImages(images, augmentation, first), a));
}

TEST(AugmentImages, KeepsTheDtype) {
  const torch::Tensor images = PatternImages(4, 1, 4, 4).to(torch::kFloat64);
  ImageAugmentation augmentation;
  augmentation.crop_padding_px = 1;
  augmentation.fill = {-0.25f};
  auto generator = Seeded(8);
  const torch::Tensor out = AugmentImages(images, augmentation, generator);
  EXPECT_EQ(out.scalar_type(), torch::kFloat64);
  for (std::int64_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(IsWindowOf(
        out[i], PadWithFill(images[i].to(torch::kFloat32), 1, {-0.25f}).to(torch::kFloat64),
        false));
  }
}

}  // namespace
}  // namespace carbonbench
