#include "suites/search_cells.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "suites/matrix.h"

namespace carbonbench {
namespace detail {
namespace {

// Every value an int distribution takes, low to high by step; at most
// `limit` (the caller reports a grid above its cap).
std::vector<SettingValue> IntSteps(const SearchDistribution& distribution, Loc loc,
                                   std::uint64_t limit) {
  std::vector<SettingValue> values;
  const auto low = static_cast<std::int64_t>(distribution.low);
  const auto high = static_cast<std::int64_t>(distribution.high);
  for (std::int64_t value = low; value <= high && values.size() <= limit;
       value += distribution.step) {
    values.push_back({ParamValue(value), loc, loc});
  }
  return values;
}

}  // namespace

std::shared_ptr<const CellFactory> MakeTrialFactory(const SuiteDocument& doc,
                                                    const PluginCatalog& catalog,
                                                    ErrorList& errors) {
  SuiteDocument without_matrix = doc;
  without_matrix.matrix = MatrixSpec{};
  auto factory = std::make_shared<CellFactory>(without_matrix, catalog, errors);
  // The defaults alone: their errors (no default model) are the trials'.
  factory->MakeCandidate(0, errors);
  return factory;
}

CellMatrix BuildSearchGrid(const SuiteDocument& doc, const PluginCatalog& catalog,
                           ErrorList& errors, std::string* problem) {
  const SearchDocument& search = doc.search;
  SuiteDocument grid = doc;
  grid.matrix = MatrixSpec{};
  grid.matrix.present = true;
  grid.matrix.loc = search.loc;
  const auto limit = static_cast<std::uint64_t>(doc.max_cells);
  std::uint64_t count = 1;
  for (std::size_t i = 0; i < search.settings.parameters.size(); ++i) {
    const SearchParameter& parameter = search.settings.parameters[i];
    const Loc loc = i < search.parameter_locs.size() ? search.parameter_locs[i] : search.loc;
    MatrixAxis axis{parameter.key, loc, {}};
    const SearchDistribution& distribution = parameter.distribution;
    switch (distribution.kind) {
      case SearchDistribution::Kind::kFloat:
        *problem = fmt::format(
            "search parameter '{}' is a float range, which has no grid; give it choices "
            "({{choice: [...]}}) or int steps to compare the search with its grid",
            parameter.key);
        return {};
      case SearchDistribution::Kind::kInt:
        axis.values = IntSteps(distribution, loc, limit);
        break;
      case SearchDistribution::Kind::kChoice:
        for (const ParamValue& value : distribution.choices)
          axis.values.push_back({value, loc, loc});
        break;
    }
    count = axis.values.size() > limit / count ? limit + 1 : count * axis.values.size();
    grid.matrix.axes.push_back(std::move(axis));
  }
  if (count > limit) {
    *problem = fmt::format(
        "the search space's grid has more than {} cells (max_cells); raise max_cells or use "
        "fewer choices and coarser steps to compare the search with its grid",
        doc.max_cells);
    return {};
  }
  return BuildCellMatrix(grid, catalog, errors);
}

}  // namespace detail

Cell MakeTrialCell(const Suite& suite, const std::map<std::string, ParamValue>& values) {
  using detail::SettingValue;
  if (!suite.search || !suite.trial_factory) {
    throw std::invalid_argument("suite " + suite.name + " has no search: it has no trial cells");
  }
  detail::Combination combination;
  std::vector<std::string> keys;
  for (const SearchParameter& parameter : suite.search->parameters) {
    keys.push_back(parameter.key);
    const auto it = values.find(parameter.key);
    if (it == values.end()) {
      throw std::invalid_argument("the trial has no value for search parameter '" + parameter.key +
                                  "'");
    }
    const SearchDistribution& distribution = parameter.distribution;
    ParamValue value = it->second;
    bool inside = true;
    if (distribution.kind == SearchDistribution::Kind::kChoice) {
      inside = std::find(distribution.choices.begin(), distribution.choices.end(), value) !=
               distribution.choices.end();
    } else {
      const double* real = std::get_if<double>(&value);
      const std::int64_t* whole = std::get_if<std::int64_t>(&value);
      const double number = real ? *real : whole ? static_cast<double>(*whole) : NAN;
      inside = std::isfinite(number) && number >= distribution.low && number <= distribution.high;
    }
    if (!inside) {
      throw std::invalid_argument(
          fmt::format("the trial's value {} is outside search parameter "
                      "'{}''s distribution",
                      FormatParamValue(value), parameter.key));
    }
    combination.values[parameter.key] = SettingValue{std::move(value), {}, {}};
  }
  for (const auto& [key, value] : values) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      throw std::invalid_argument("'" + key + "' is not one of the search's parameters");
    }
  }
  detail::ErrorList errors(suite.source, false);
  Cell cell = suite.trial_factory->MakeCandidateFrom(combination, errors).cell;
  errors.ThrowIfAny();
  suite.trial_factory->NameByKeys(&cell, keys);
  return cell;
}

}  // namespace carbonbench
