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
  // One sample: images {channels, height, width}, tokens {max_length} (int64
  // ids), series {channels, window_length}.
  std::vector<std::int64_t> input_shape;
  InputKind input_kind = InputKind::kImage;
  TaskKind task = TaskKind::kClassification;
  std::int64_t num_classes = 0;  // classification only
  std::vector<std::string> class_names;
  std::int64_t target_size = 1;   // regression only: values predicted per sample
  std::int64_t vocab_size = 0;    // token inputs only
  std::int64_t pad_token_id = 0;  // token inputs only: positions holding it are padding
};

// For a model's Build(): throws std::invalid_argument, naming the model,
// what it needs and what `dataset` has, unless the dataset has `input` inputs
// of `input_rank` dimensions per sample (all 1 or more) for a `task` task
// (with 2 or more classes, or 1 or more targets), and token inputs a
// vocabulary that holds the pad id. `dimensions` names them in the message
// (e.g. "{channels, height, width}"); empty: only their count.
void RequireDataset(const std::string& model, const DatasetSpec& dataset, InputKind input,
                    std::size_t input_rank, TaskKind task, const std::string& dimensions = "");

}  // namespace carbonbench
