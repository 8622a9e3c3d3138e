#include "store/store_codec.h"

#include <chrono>
#include <ctime>

namespace carbonbench {

std::string NowIso8601Utc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[sizeof "2024-05-01T12:34:56Z"];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace carbonbench
