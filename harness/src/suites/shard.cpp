#include "suites/shard.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace carbonbench {
namespace {

bool ParsePositive(const std::string& text, int* value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  const long parsed = std::strtol(text.c_str(), nullptr, 10);
  if (errno != 0 || parsed > 1000000) return false;
  *value = static_cast<int>(parsed);
  return true;
}

}  // namespace

Shard ParseShard(const std::string& text) {
  const std::string form =
      "shards are written i/n and numbered 1..n, e.g. --shard 1/2 on one machine and "
      "--shard 2/2 on another";
  const auto slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos || !ParsePositive(text.substr(0, slash), &shard.index) ||
      !ParsePositive(text.substr(slash + 1), &shard.count)) {
    throw std::invalid_argument(fmt::format("--shard '{}' is not a shard: {}", text, form));
  }
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw std::invalid_argument(fmt::format("--shard '{}' is out of range: {}", text, form));
  }
  return shard;
}

bool InShard(std::size_t position, const Shard& shard) {
  return position % static_cast<std::size_t>(shard.count) ==
         static_cast<std::size_t>(shard.index - 1);
}

std::vector<ShardCell> WholeSuite(std::size_t cells, int repetitions) {
  std::vector<ShardCell> whole(cells);
  for (std::size_t position = 0; position < cells; ++position) {
    whole[position].position = position;
    for (int repetition = 0; repetition < repetitions; ++repetition) {
      whole[position].repetitions.push_back(repetition);
    }
  }
  return whole;
}

std::vector<int> RoundRobinShards(std::size_t cells, int shard_count) {
  std::vector<int> shards(cells);
  for (std::size_t position = 0; position < cells; ++position) {
    shards[position] = static_cast<int>(position % static_cast<std::size_t>(shard_count)) + 1;
  }
  return shards;
}

namespace {

// Moves one item, or swaps two, out of the most-loaded shard while that
// lowers the larger of the two shards' loads below the current makespan.
// Each step lowers the sum of squared loads, so it ends; the makespan
// never rises, so longest first's bound still holds.
void Refine(const std::vector<double>& costs, std::vector<int>& shards,
            std::vector<double>& loads) {
  constexpr int kMaxSteps = 200;  // keeps a suite of thousands of runs quick
  for (int step = 0; step < kMaxSteps; ++step) {
    const int top = static_cast<int>(std::max_element(loads.begin(), loads.end()) - loads.begin());
    const double makespan = loads[static_cast<std::size_t>(top)];
    double best = makespan;
    std::size_t best_out = costs.size(), best_in = costs.size();
    int best_shard = -1;
    for (std::size_t out = 0; out < costs.size(); ++out) {
      if (shards[out] - 1 != top) continue;
      for (int other = 0; other < static_cast<int>(loads.size()); ++other) {
        if (other == top) continue;
        const double load = loads[static_cast<std::size_t>(other)];
        const double moved = std::max(makespan - costs[out], load + costs[out]);
        if (moved < best) {
          best = moved;
          best_out = out;
          best_in = costs.size();
          best_shard = other;
        }
        for (std::size_t in = 0; in < costs.size(); ++in) {
          if (shards[in] - 1 != other || costs[in] >= costs[out]) continue;
          const double delta = costs[out] - costs[in];
          const double swapped = std::max(makespan - delta, load + delta);
          if (swapped < best) {
            best = swapped;
            best_out = out;
            best_in = in;
            best_shard = other;
          }
        }
      }
    }
    if (best_shard < 0) return;
    shards[best_out] = best_shard + 1;
    loads[static_cast<std::size_t>(top)] -= costs[best_out];
    loads[static_cast<std::size_t>(best_shard)] += costs[best_out];
    if (best_in < costs.size()) {
      shards[best_in] = top + 1;
      loads[static_cast<std::size_t>(best_shard)] -= costs[best_in];
      loads[static_cast<std::size_t>(top)] += costs[best_in];
    }
  }
}

}  // namespace

std::vector<int> BalancedShards(const std::vector<double>& costs, int shard_count) {
  std::vector<std::size_t> order(costs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&costs](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  std::vector<double> loads(static_cast<std::size_t>(shard_count), 0.0);
  std::vector<int> shards(costs.size());
  for (std::size_t position : order) {
    const auto least = std::min_element(loads.begin(), loads.end());
    *least += costs[position];
    shards[position] = static_cast<int>(least - loads.begin()) + 1;
  }
  Refine(costs, shards, loads);
  return shards;
}

ShardLoads LoadsOf(const std::vector<double>& costs, const std::vector<int>& shards,
                   int shard_count) {
  ShardLoads result;
  result.loads.assign(static_cast<std::size_t>(shard_count), 0.0);
  double total = 0;
  double longest = 0;
  for (std::size_t position = 0; position < costs.size(); ++position) {
    result.loads.at(static_cast<std::size_t>(shards[position] - 1)) += costs[position];
    total += costs[position];
    longest = std::max(longest, costs[position]);
  }
  result.makespan = *std::max_element(result.loads.begin(), result.loads.end());
  result.ideal = std::max(total / shard_count, longest);
  return result;
}

}  // namespace carbonbench
