// The n shards of a suite partition its cells: every cell in exactly one.
#include "suites/shard.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

TEST(Shard, ParsesIOfN) {
  const Shard shard = ParseShard("2/3");
  EXPECT_EQ(shard.index, 2);
  EXPECT_EQ(shard.count, 3);
  EXPECT_EQ(ParseShard("1/1").count, 1);
}

TEST(Shard, RejectsWhatIsNotAShardAndSaysTheForm) {
  for (const std::string bad : {"0/2", "3/2", "a/b", "2", "1/0", "", "/2", "1/", "-1/2", "1/2/3"}) {
    try {
      ParseShard(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("'" + bad + "'"), std::string::npos) << message;
      EXPECT_NE(message.find("numbered 1..n, e.g. --shard 1/2"), std::string::npos) << message;
    }
  }
}

TEST(Shard, TheShardsPartitionEveryCellExactlyOnceInBalancedParts) {
  for (int count = 1; count <= 7; ++count) {
    for (std::size_t cells : {0u, 1u, 2u, 5u, 11u, 48u}) {
      std::vector<int> times_run(cells, 0);
      std::vector<std::size_t> sizes;
      for (int index = 1; index <= count; ++index) {
        std::size_t size = 0;
        for (std::size_t position = 0; position < cells; ++position) {
          if (InShard(position, {index, count})) {
            ++times_run[position];
            ++size;
          }
        }
        sizes.push_back(size);
      }
      for (std::size_t position = 0; position < cells; ++position) {
        EXPECT_EQ(times_run[position], 1)
            << "cell " << position << " of " << cells << ", " << count << " shards";
      }
      const auto [smallest, largest] = std::minmax_element(sizes.begin(), sizes.end());
      EXPECT_LE(*largest - *smallest, 1u);
    }
  }
}

}  // namespace
}  // namespace carbonbench
