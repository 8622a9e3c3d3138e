// Combines results stores (several machines splitting a suite with
// `run --shard`) into a new one. Inputs are only read: opened read-only,
// never upgraded. The output is written to a temporary file beside it and
// renamed at the end, so a failed merge leaves nothing half-written.
#pragma once

#include <string>
#include <vector>

namespace carbonbench {

// The same cell repetition finished differently in two inputs; the one from
// the earlier input was kept.
struct MergeConflict {
  std::string suite;
  std::string cell_name;
  int repetition = 0;
  std::string kept_file, kept_started_at;
  std::string dropped_file, dropped_started_at;
};

struct MergeInputSummary {
  std::string path;
  int runs_taken = 0;  // rows written to the output from this input
  int duplicates = 0;  // the same finished run as an earlier input's
  int superseded = 0;  // failed here, finished (or failed later) elsewhere
  int unfinished = 0;  // "running" rows a killed process left: skipped
};

struct MergeSummary {
  std::vector<MergeInputSummary> inputs;
  std::vector<MergeConflict> conflicts;
  int runs_written = 0;
};

// Throws std::runtime_error (naming the file and the fix) when an input is
// missing, is not a carbonbench store, or is newer than this program, or
// when the output exists or is one of the inputs; nothing is written then.
MergeSummary MergeStores(const std::vector<std::string>& inputs, const std::string& output);

}  // namespace carbonbench
