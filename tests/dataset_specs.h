// Datasets as a model sees them, with no data behind them: enough to build
// and run a model under test.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "carbonbench/dataset_spec.h"

namespace carbonbench::test_support {

// Images of `shape` (channels, height, width) in `classes` classes.
inline DatasetSpec ImageSpec(std::vector<std::int64_t> shape, std::int64_t classes) {
  DatasetSpec spec;
  spec.name = "synthetic_images";
  spec.input_shape = std::move(shape);
  spec.num_classes = classes;
  return spec;
}

// Sequences of `max_length` token ids below `vocab_size`, `pad_token_id`
// marking padding, in `classes` classes (0: a regression target).
inline DatasetSpec TokenSpec(std::int64_t max_length, std::int64_t vocab_size, std::int64_t classes,
                             std::int64_t pad_token_id = 0) {
  DatasetSpec spec;
  spec.name = "synthetic_tokens";
  spec.input_kind = InputKind::kTokens;
  spec.input_shape = {max_length};
  spec.vocab_size = vocab_size;
  spec.pad_token_id = pad_token_id;
  spec.num_classes = classes;
  return spec;
}

}  // namespace carbonbench::test_support
