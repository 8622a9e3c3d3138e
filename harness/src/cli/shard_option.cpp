#include "cli/commands.h"
#include "suites/shard.h"

namespace carbonbench::cli {

void ApplyShardOption(const std::string& text, int* index, int* count) {
  if (text.empty()) return;
  const Shard shard = ParseShard(text);
  *index = shard.index;
  *count = shard.count;
}

}  // namespace carbonbench::cli
