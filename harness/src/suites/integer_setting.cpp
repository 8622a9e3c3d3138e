#include "suites/integer_setting.h"

#include <cmath>
#include <limits>

#include "suites/yaml_scalar.h"

namespace carbonbench {
namespace {

constexpr std::int64_t kIntMin = std::numeric_limits<int>::min();
constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
// 2^63 is the first double past every int64; comparing against it (rather
// than a converted INT64_MAX, which rounds up to 2^63) stays exact.
constexpr double kTwoTo63 = 9223372036854775808.0;

std::int64_t LowerBound(const std::optional<double>& declared) {
  if (!declared) return kIntMin;
  const double bound = std::ceil(*declared);
  if (bound < -kTwoTo63) return std::numeric_limits<std::int64_t>::min();
  if (bound >= kTwoTo63) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(bound);
}

std::int64_t UpperBound(const std::optional<double>& declared) {
  if (!declared) return kIntMax;
  const double bound = std::floor(*declared);
  if (bound < -kTwoTo63) return std::numeric_limits<std::int64_t>::min();
  if (bound >= kTwoTo63) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(bound);
}

std::string RangeText(const IntegerRange& range) {
  return "an integer from " + std::to_string(range.min) + " to " + std::to_string(range.max);
}

}  // namespace

IntegerRange StoredRange(const ParamSpec& spec) {
  return {LowerBound(spec.min), UpperBound(spec.max)};
}

std::string CheckIntegerSetting(const ParamSpec& spec, const std::string& written,
                                const ParamValue& parsed) {
  const IntegerRange range = StoredRange(spec);
  const auto* number = std::get_if<std::int64_t>(&parsed);
  // 1e12 or a number past int64 reads as a double: still no integer here.
  if (!number) return spec.name + " must be " + RangeText(range) + ", got '" + written + "'";
  if (*number < range.min) {
    return spec.name + " = " + written + " is below its minimum " + std::to_string(range.min);
  }
  if (*number > range.max) {
    return spec.name + " = " + written + " is above its maximum " + std::to_string(range.max);
  }
  return "";
}

std::string CheckIntegerText(const ParamSpec& spec, const std::string& written) {
  return CheckIntegerSetting(spec, written, detail::ParseScalarText(written));
}

}  // namespace carbonbench
