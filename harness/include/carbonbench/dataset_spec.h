// What a model needs to know about the data to size itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench {

enum class InputKind { kImage, kTokens, kSeries };
enum class TaskKind { kClassification, kRegression };

const char* InputKindName(InputKind kind);

struct DatasetSpec {
  std::string name;
  std::vector<std::int64_t> input_shape;  // one sample, e.g. {1, 28, 28}
  InputKind input_kind = InputKind::kImage;
  TaskKind task = TaskKind::kClassification;
  std::int64_t num_classes = 0;  // classification only
  std::vector<std::string> class_names;
  std::int64_t vocab_size = 0;  // token inputs only
};

}  // namespace carbonbench
