// Splitting a suite across machines: `run --shard i/n` runs the cells at
// positions i-1, i-1+n, i-1+2n, ... of the suite's resolved order, so the n
// shards together run every cell exactly once, in balanced parts.
#pragma once

#include <cstddef>
#include <string>

namespace carbonbench {

struct Shard {
  int index = 1;  // 1-based: "1/3" is the first of three
  int count = 1;
};

// "i/n" with 1 <= i <= n; throws std::invalid_argument saying the form.
Shard ParseShard(const std::string& text);

bool InShard(std::size_t position, const Shard& shard);

}  // namespace carbonbench
