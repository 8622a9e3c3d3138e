#include <stdexcept>

#include "cli/commands.h"
#if __has_include("suites/shard.h")
#include "suites/shard.h"
#define CARBONBENCH_HAS_SHARD 1
#endif

namespace carbonbench::cli {

void ApplyShardOption(const std::string& text, int* index, int* count) {
  if (text.empty()) return;
#ifdef CARBONBENCH_HAS_SHARD
  const Shard shard = ParseShard(text);
  *index = shard.index;
  *count = shard.count;
#else
  (void)index;
  (void)count;
  throw std::invalid_argument("--shard is not supported by this build");
#endif
}

}  // namespace carbonbench::cli
