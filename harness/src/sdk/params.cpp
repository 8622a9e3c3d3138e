#include "carbonbench/params.h"

#include <cmath>
#include <sstream>

#include <fmt/format.h>

namespace carbonbench {

const char* ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kBool:
      return "bool";
    case ParamType::kInt:
      return "int";
    case ParamType::kFloat:
      return "float";
    case ParamType::kString:
      return "string";
    case ParamType::kEnum:
      return "enum";
  }
  return "?";
}

ParamSpec BoolParam(std::string name, bool default_value, std::string doc) {
  return {std::move(name), ParamType::kBool, default_value, std::move(doc), {}, {}, {}};
}

ParamSpec IntParam(std::string name, std::int64_t default_value, std::string doc,
                   std::optional<double> min, std::optional<double> max) {
  return {std::move(name), ParamType::kInt, default_value, std::move(doc), min, max, {}};
}

ParamSpec FloatParam(std::string name, double default_value, std::string doc,
                     std::optional<double> min, std::optional<double> max) {
  return {std::move(name), ParamType::kFloat, default_value, std::move(doc), min, max, {}};
}

ParamSpec StringParam(std::string name, std::string default_value, std::string doc) {
  return {
      std::move(name), ParamType::kString, std::move(default_value), std::move(doc), {}, {}, {}};
}

ParamSpec CodeFileParam(std::string name, std::string doc) {
  ParamSpec spec = StringParam(std::move(name), "", std::move(doc));
  spec.path = ParamPath::kCodeFile;
  return spec;
}

ParamSpec EnumParam(std::string name, std::string default_value, std::vector<std::string> choices,
                    std::string doc) {
  return {std::move(name),   ParamType::kEnum, std::move(default_value), std::move(doc), {}, {},
          std::move(choices)};
}

std::string FormatParamValue(const ParamValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) {
    std::ostringstream out;
    out.precision(15);
    out << *d;
    return out.str();
  }
  return std::get<std::string>(value);
}

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string CheckRange(const ParamSpec& spec, double number) {
  if (!std::isfinite(number)) return spec.name + " must be a finite number";
  if (spec.min && number < *spec.min) {
    return spec.name + " = " + FormatParamValue(number) + " is below its minimum " +
           FormatParamValue(*spec.min);
  }
  if (spec.max && number > *spec.max) {
    return spec.name + " = " + FormatParamValue(number) + " is above its maximum " +
           FormatParamValue(*spec.max);
  }
  return {};
}

}  // namespace

std::string CheckParamValue(const ParamSpec& spec, const ParamValue& value) {
  const std::string got = FormatParamValue(value);
  switch (spec.type) {
    case ParamType::kBool:
      if (!std::holds_alternative<bool>(value))
        return spec.name + " must be true or false, got '" + got + "'";
      return {};
    case ParamType::kInt:
      if (!std::holds_alternative<std::int64_t>(value))
        return spec.name + " must be an integer, got '" + got + "'";
      return CheckRange(spec, static_cast<double>(std::get<std::int64_t>(value)));
    case ParamType::kFloat:
      if (const auto* i = std::get_if<std::int64_t>(&value))
        return CheckRange(spec, static_cast<double>(*i));
      if (const auto* d = std::get_if<double>(&value)) return CheckRange(spec, *d);
      return spec.name + " must be a number, got '" + got + "'";
    case ParamType::kString:
      // A number is text too where text is expected ("gpus: 1", a file
      // named 2024); a bool is more likely a mistake.
      if (std::holds_alternative<bool>(value))
        return spec.name + " must be a string, got '" + got + "'";
      return {};
    case ParamType::kEnum: {
      const auto* s = std::get_if<std::string>(&value);
      for (const auto& choice : spec.choices)
        if (s && *s == choice) return {};
      return spec.name + " must be one of " + Join(spec.choices) + ", got '" + got + "'";
    }
  }
  return {};
}

const ParamValue& Params::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::out_of_range(fmt::format("parameter '{}' is not set", name));
  return it->second;
}

bool Params::GetBool(const std::string& name) const {
  const auto& value = Get(name);
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  throw std::invalid_argument(fmt::format("parameter '{}' is not a bool", name));
}

std::int64_t Params::GetInt(const std::string& name) const {
  const auto& value = Get(name);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  throw std::invalid_argument(fmt::format("parameter '{}' is not an integer", name));
}

double Params::GetFloat(const std::string& name) const {
  const auto& value = Get(name);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  throw std::invalid_argument(fmt::format("parameter '{}' is not a number", name));
}

const std::string& Params::GetString(const std::string& name) const {
  const auto& value = Get(name);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  throw std::invalid_argument(fmt::format("parameter '{}' is not a string", name));
}

Params ResolveParams(const std::vector<ParamSpec>& specs,
                     const std::map<std::string, ParamValue>& given) {
  Params params;
  for (const auto& spec : specs) {
    auto it = given.find(spec.name);
    ParamValue value = it != given.end() ? it->second : spec.default_value;
    // A float declared parameter written as "1" arrives as an integer, and a
    // string one written as 1 as a number.
    if (spec.type == ParamType::kFloat)
      if (const auto* i = std::get_if<std::int64_t>(&value)) value = static_cast<double>(*i);
    if (spec.type == ParamType::kString && !std::holds_alternative<std::string>(value))
      value = FormatParamValue(value);
    params.Set(spec.name, std::move(value));
  }
  return params;
}

}  // namespace carbonbench
