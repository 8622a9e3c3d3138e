#include "suites/shard.h"

#include <cerrno>
#include <cstdlib>
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

}  // namespace carbonbench
