// Splitting a suite across machines: `run --shard i/n` runs one of n parts
// of the suite's cells, so the n shards together run every cell exactly
// once. Cells go to shards either by their predicted cost, longest first to
// the least-loaded shard (so no machine waits long for the slowest), or
// round-robin by position (i-1, i-1+n, ...), which needs no prediction.
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

// Round-robin membership of the cell at `position`.
bool InShard(std::size_t position, const Shard& shard);

// The 1-based shard of each of `cells` cells, round-robin by position.
std::vector<int> RoundRobinShards(std::size_t cells, int shard_count);

// The 1-based shard of each cell given its predicted cost (any unit, >= 0):
// cells longest first (ties: earlier position first), each to the shard with
// the least cost so far (ties: the lowest shard). The same costs always give
// the same shards; the slowest shard ends within 4/3 of the best possible
// split (Graham's bound for longest-first list scheduling).
std::vector<int> BalancedShards(const std::vector<double>& costs, int shard_count);

// What a split costs in wall time when the shards run side by side.
struct ShardLoads {
  std::vector<double> loads;  // per shard, 1-based shard i at [i-1]
  double makespan = 0;        // the largest load: when the last shard ends
  // No split can end sooner than the larger of total / shards and the
  // longest single cell.
  double ideal = 0;
};

ShardLoads LoadsOf(const std::vector<double>& costs, const std::vector<int>& shards,
                   int shard_count);

}  // namespace carbonbench
