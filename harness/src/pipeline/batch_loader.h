// Batches for one pass over a split, cut (and augmented) on a background
// thread a few batches ahead, so the training loop waits for data only when
// preparing a batch takes longer than a training step.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <torch/types.h>

namespace carbonbench {

// Training-time image augmentation (torchvision's RandomCrop(padding) +
// RandomHorizontalFlip), applied to normalised images.
struct ImageAugmentation {
  std::int64_t crop_padding_px = 0;  // 0: no random crop
  bool horizontal_flip = false;
  // Per channel: the normalised value of a black pixel, which is what
  // torchvision pads with (it pads before normalising).
  std::vector<float> fill;

  bool enabled() const { return crop_padding_px > 0 || horizontal_flip; }
};

// Applies `augmentation` to a batch of images {batch, channels, h, w}, each
// sample with its own crop offset and flip, drawn from `generator`.
torch::Tensor AugmentImages(const torch::Tensor& images, const ImageAugmentation& augmentation,
                            at::Generator& generator);

struct Batch {
  torch::Tensor inputs;
  torch::Tensor targets;
};

struct BatchLoaderSettings {
  std::int64_t batch_size = 64;
  std::size_t prefetch_batches = 4;  // how far the producer runs ahead
  ImageAugmentation augmentation;    // training splits only
  std::uint64_t augmentation_seed = 0;
  // Prepare batches on a background thread. Worth it only when a batch costs
  // real work (augmentation): a plain batch is one index_select, far cheaper
  // than handing it between threads, and on a small machine the extra thread
  // competes with the training step's OpenMP threads for the cores.
  bool background = true;
};

class BatchLoader {
 public:
  // `order` lists the rows of `inputs`/`targets` to visit (a permutation for
  // training, arange for evaluation). The tensors must outlive the loader.
  BatchLoader(torch::Tensor inputs, torch::Tensor targets, torch::Tensor order,
              const BatchLoaderSettings& settings);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // The next batch, or nothing at the end of the pass. Rethrows an error the
  // producer hit. Time spent blocked here is added to wait_s().
  std::optional<Batch> Next();

  // Seconds Next() spent waiting for the producer.
  double wait_s() const { return wait_s_; }

 private:
  void Produce();
  Batch MakeBatch(std::int64_t begin);

  torch::Tensor inputs_, targets_, order_;
  BatchLoaderSettings settings_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  bool finished_ = false;  // the producer has queued its last batch
  bool stopping_ = false;  // the consumer has gone away
  std::exception_ptr error_;
  double wait_s_ = 0;
  std::int64_t next_begin_ = 0;  // inline mode: the next batch's first row
  bool gathered_ = false;        // inline mode: rows already in visiting order
  at::Generator generator_;
  std::thread producer_;
};

}  // namespace carbonbench
