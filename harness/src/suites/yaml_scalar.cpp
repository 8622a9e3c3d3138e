#include "suites/yaml_scalar.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <regex>

namespace carbonbench::suite_internal {
namespace {

bool IsBoolText(const std::string& text, bool* value) {
  if (text == "true" || text == "True" || text == "TRUE") {
    *value = true;
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    *value = false;
    return true;
  }
  return false;
}

bool IsSpecialFloat(const std::string& text, double* value) {
  static const std::regex kInf(R"([-+]?\.(inf|Inf|INF))");
  static const std::regex kNan(R"(\.(nan|NaN|NAN))");
  if (std::regex_match(text, kInf)) {
    *value = text[0] == '-' ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity();
    return true;
  }
  if (std::regex_match(text, kNan)) {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return false;
}

// from_chars is locale-independent, unlike strtod: "0.5" must not depend on
// the user's LC_NUMERIC.
bool ParseDouble(const std::string& text, double* value) {
  const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, *value);
  return ec == std::errc() && ptr == end;
}

}  // namespace

bool IsQuoted(const YAML::Node& scalar) {
  const std::string& tag = scalar.Tag();
  return tag == "!" || tag == "tag:yaml.org,2002:str";
}

ParamValue ParseScalarText(const std::string& text) {
  static const std::regex kInt(R"([-+]?[0-9]+)");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  bool flag = false;
  if (IsBoolText(text, &flag)) return flag;
  if (std::regex_match(text, kInt)) {
    std::int64_t number = 0;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), number);
    if (ec == std::errc() && ptr == text.data() + text.size()) return number;
    // Too large for int64: still a number, so range checks can say so.
  }
  double real = 0;
  if (std::regex_match(text, kFloat) && ParseDouble(text, &real)) return real;
  if (IsSpecialFloat(text, &real)) return real;
  return text;
}

ParamValue ParseScalar(const YAML::Node& scalar) {
  if (IsQuoted(scalar)) return scalar.Scalar();
  return ParseScalarText(scalar.Scalar());
}

}  // namespace carbonbench::suite_internal
