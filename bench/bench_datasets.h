// Datasets as the benchmarked models see them: the shapes of the real
// datasets, with synthetic data behind them.
#pragma once

#include <cstdint>

#include "carbonbench/dataset_spec.h"

namespace carbonbench::bench {

// Square images with `channels` channels, in 10 classes (Fashion-MNIST, CIFAR-10).
inline DatasetSpec ImageSpec(std::int64_t channels, std::int64_t side) {
  DatasetSpec spec;
  spec.input_shape = {channels, side, side};
  spec.num_classes = 10;
  return spec;
}

// Sequences of `length` token ids below `vocab_size`, in 4 classes.
inline DatasetSpec TokenSpec(std::int64_t length, std::int64_t vocab_size) {
  DatasetSpec spec;
  spec.input_kind = InputKind::kTokens;
  spec.input_shape = {length};
  spec.num_classes = 4;
  spec.vocab_size = vocab_size;
  return spec;
}

}  // namespace carbonbench::bench
