#include "pipeline/batch_loader.h"

#include <omp.h>

#include <chrono>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ThreadLocalState.h>
#include <torch/torch.h>

namespace carbonbench {

torch::Tensor AugmentImages(const torch::Tensor& images, const ImageAugmentation& augmentation,
                            at::Generator& generator) {
  if (!augmentation.enabled()) return images;
  if (images.dim() != 4) {
    throw std::invalid_argument("image augmentation needs {batch, channels, height, width}");
  }
  const std::int64_t count = images.size(0), channels = images.size(1);
  const std::int64_t height = images.size(2), width = images.size(3);
  const std::int64_t pad = augmentation.crop_padding_px;

  torch::Tensor padded = images;
  if (pad > 0) {
    std::vector<float> fill = augmentation.fill;
    fill.resize(static_cast<std::size_t>(channels), 0.0f);
    padded = torch::from_blob(fill.data(), {1, channels, 1, 1}, torch::kFloat32)
                 .to(images.dtype())
                 .expand({count, channels, height + 2 * pad, width + 2 * pad})
                 .clone();
    padded.slice(2, pad, pad + height).slice(3, pad, pad + width).copy_(images);
  }
  torch::Tensor offsets = torch::randint(0, 2 * pad + 1, {count, 2}, generator, torch::kLong);
  torch::Tensor flips = torch::rand({count}, generator).lt(0.5);
  auto offset = offsets.accessor<std::int64_t, 2>();
  auto flip = flips.accessor<bool, 1>();

  torch::Tensor out = torch::empty_like(images);
  for (std::int64_t i = 0; i < count; ++i) {
    torch::Tensor sample = padded[i]
                               .slice(1, offset[i][0], offset[i][0] + height)
                               .slice(2, offset[i][1], offset[i][1] + width);
    if (augmentation.horizontal_flip && flip[i]) sample = sample.flip({2});
    out[i].copy_(sample);
  }
  return out;
}

BatchLoader::BatchLoader(torch::Tensor inputs, torch::Tensor targets, torch::Tensor order,
                         const BatchLoaderSettings& settings)
    : inputs_(std::move(inputs)),
      targets_(std::move(targets)),
      order_(std::move(order)),
      settings_(settings) {
  if (settings_.batch_size < 1) throw std::invalid_argument("batch size must be 1 or more");
  if (settings_.prefetch_batches < 1) settings_.prefetch_batches = 1;
  generator_ = at::make_generator<at::CPUGeneratorImpl>(settings_.augmentation_seed);
  if (!settings_.background) return;
  // The producer runs under the consumer's thread-local state, so whatever
  // watches this thread's tensors (TensorMemory, the profiler) sees the
  // batches it makes as well as the frees of them here.
  producer_ = std::thread([this, state = at::ThreadLocalState()] {
    at::ThreadLocalStateGuard guard(state);
    Produce();
  });
}

BatchLoader::~BatchLoader() {
  if (!producer_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  producer_.join();
}

Batch BatchLoader::MakeBatch(std::int64_t begin) {
  const std::int64_t end = std::min(order_.size(0), begin + settings_.batch_size);
  Batch batch;
  if (gathered_) {
    batch = {inputs_.slice(0, begin, end), targets_.slice(0, begin, end)};
  } else {
    torch::Tensor rows = order_.slice(0, begin, end);
    batch = {inputs_.index_select(0, rows), targets_.index_select(0, rows)};
  }
  if (settings_.augmentation.enabled()) {
    batch.inputs = AugmentImages(batch.inputs, settings_.augmentation, generator_);
  }
  return batch;
}

void BatchLoader::Produce() {
  try {
    // The producer's tensor work is small (an index_select and a few
    // copies); one OpenMP thread keeps it off the cores the training step's
    // kernels use. (This thread's setting only: at::set_num_threads would
    // change the whole process.)
    omp_set_num_threads(1);
    for (std::int64_t begin = 0; begin < order_.size(0); begin += settings_.batch_size) {
      Batch batch = MakeBatch(begin);
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || ready_.size() < settings_.prefetch_batches; });
      if (stopping_) return;
      ready_.push_back(std::move(batch));
      lock.unlock();
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  changed_.notify_all();
}

std::optional<Batch> BatchLoader::Next() {
  const auto start = std::chrono::steady_clock::now();
  if (!settings_.background) {
    if (next_begin_ >= order_.size(0)) return std::nullopt;
    // A split that fits comfortably in memory is put in visiting order with
    // one gather per pass; batches are then views. For small models many
    // small gathers cost a noticeable share of a step.
    constexpr std::int64_t kGatherWholePassBytes = 256LL << 20;
    if (next_begin_ == 0 && !gathered_ &&
        static_cast<std::int64_t>(inputs_.nbytes()) <= kGatherWholePassBytes) {
      inputs_ = inputs_.index_select(0, order_);
      targets_ = targets_.index_select(0, order_);
      gathered_ = true;
    }
    Batch batch = MakeBatch(next_begin_);
    next_begin_ += settings_.batch_size;
    wait_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return batch;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
  wait_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (ready_.empty()) {
    if (error_) std::rethrow_exception(error_);
    return std::nullopt;
  }
  Batch batch = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return batch;
}

}  // namespace carbonbench
