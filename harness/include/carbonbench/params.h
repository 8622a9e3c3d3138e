// Plugin parameters: what a plugin declares (ParamSpec) and what it receives
// (Params). Values are plain variants so suites, the store and the command
// line can carry them without knowing the plugin.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace carbonbench {

using ParamValue = std::variant<bool, std::int64_t, double, std::string>;

enum class ParamType { kBool, kInt, kFloat, kString, kEnum };

const char* ParamTypeName(ParamType type);

// What a string parameter's value names, for the host to resolve and check.
enum class ParamPath {
  kNone,
  // A file that runs as code when loaded (a TorchScript module). Relative to
  // the suite file (or to the folder carbonbench runs in, on the command
  // line); stored absolute; held to the plugin loader's ownership rule
  // (carbonbench/file_trust.h) before the suite is accepted.
  kCodeFile,
};

// One declared parameter. `choices` applies to kEnum; `min`/`max` to numbers.
struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kFloat;
  ParamValue default_value;
  std::string doc;
  std::optional<double> min;
  std::optional<double> max;
  std::vector<std::string> choices;
  ParamPath path = ParamPath::kNone;  // kString only
};

// Convenience builders so a plugin's declaration reads as one line each.
ParamSpec BoolParam(std::string name, bool default_value, std::string doc);
ParamSpec IntParam(std::string name, std::int64_t default_value, std::string doc,
                   std::optional<double> min = std::nullopt,
                   std::optional<double> max = std::nullopt);
ParamSpec FloatParam(std::string name, double default_value, std::string doc,
                     std::optional<double> min = std::nullopt,
                     std::optional<double> max = std::nullopt);
ParamSpec StringParam(std::string name, std::string default_value, std::string doc);
// A string naming a file of code (ParamPath::kCodeFile), empty by default.
ParamSpec CodeFileParam(std::string name, std::string doc);
ParamSpec EnumParam(std::string name, std::string default_value, std::vector<std::string> choices,
                    std::string doc);

// Renders a value as it would be written in YAML ("true", "3", "0.5", "bf16").
std::string FormatParamValue(const ParamValue& value);

// Checks `value` against `spec`; returns an empty string when it fits, else a
// sentence saying what is wrong (used verbatim in suite error messages).
// Integers are accepted where floats are declared.
std::string CheckParamValue(const ParamSpec& spec, const ParamValue& value);

// The resolved parameters handed to a plugin: every declared name present,
// defaults filled in by the host.
class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, ParamValue> values) : values_(std::move(values)) {}

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  bool GetBool(const std::string& name) const;
  std::int64_t GetInt(const std::string& name) const;
  double GetFloat(const std::string& name) const;  // accepts ints too
  const std::string& GetString(const std::string& name) const;

  void Set(const std::string& name, ParamValue value) { values_[name] = std::move(value); }
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  const ParamValue& Get(const std::string& name) const;
  std::map<std::string, ParamValue> values_;
};

// Fills defaults from `specs` for every name missing in `given`.
Params ResolveParams(const std::vector<ParamSpec>& specs,
                     const std::map<std::string, ParamValue>& given);

}  // namespace carbonbench
