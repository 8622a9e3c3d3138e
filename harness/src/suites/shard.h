// Splitting a suite across machines: `run --shard i/n` runs one of n parts
// of the suite, so the n shards together run every cell repetition exactly
// once. Cell repetitions go to shards either by their predicted cost,
// longest first to the least-loaded shard (so no machine waits long for the
// slowest), or whole cells round-robin by position (i-1, i-1+n, ...), which
// needs no prediction.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace carbonbench {

struct Shard {
  int index = 1;  // 1-based: "1/3" is the first of three
  int count = 1;
};

// "i/n" with 1 <= i <= n; throws std::invalid_argument saying the form.
Shard ParseShard(const std::string& text);

// A shard's part of one cell: the cell's position in the suite and the
// repetitions (0-based, ascending) the shard runs.
struct ShardCell {
  std::size_t position = 0;
  std::vector<int> repetitions;
};

// Every cell with all its repetitions: the whole suite as one shard.
std::vector<ShardCell> WholeSuite(std::size_t cells, int repetitions);

// Round-robin membership of the cell at `position`.
bool InShard(std::size_t position, const Shard& shard);

// The 1-based shard of each of `cells` cells, round-robin by position.
std::vector<int> RoundRobinShards(std::size_t cells, int shard_count);

// The 1-based shard of each item given its predicted cost (any unit, >= 0):
// items longest first (ties: earlier position first), each to the shard with
// the least cost so far (ties: the lowest shard), then single moves and
// swaps out of the most-loaded shard while they lower the makespan. The
// same costs always give the same shards; the slowest shard ends within 4/3
// of the best possible split (Graham's bound for longest first).
std::vector<int> BalancedShards(const std::vector<double>& costs, int shard_count);

// What a split costs in wall time when the shards run side by side.
struct ShardLoads {
  std::vector<double> loads;  // per shard, 1-based shard i at [i-1]
  double makespan = 0;        // the largest load: when the last shard ends
  // No split can end sooner than the larger of total / shards and the
  // longest single item.
  double ideal = 0;
};

ShardLoads LoadsOf(const std::vector<double>& costs, const std::vector<int>& shards,
                   int shard_count);

}  // namespace carbonbench
