#include "search/study_client.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "process/line_process.h"

namespace carbonbench {
namespace {

using nlohmann::json;

// Opening loads Optuna (seconds on a cold cache) and replays the journal.
constexpr double kOpenTimeoutS = 120;
constexpr double kRequestTimeoutS = 60;
// fANOVA over many trials takes a while.
constexpr double kImportancesTimeoutS = 120;
constexpr double kCloseTimeoutS = 5;

std::string PythonFor(const StudyOptions& options) {
  const char* python = getenv("CARBONBENCH_PYTHON");
  return python != nullptr && *python != '\0' ? python : options.python;
}

json DistributionJson(const SearchDistribution& distribution) {
  switch (distribution.kind) {
    case SearchDistribution::Kind::kFloat:
      return {{"float", {distribution.low, distribution.high}}, {"log", distribution.log}};
    case SearchDistribution::Kind::kInt:
      return {{"int", {std::llround(distribution.low), std::llround(distribution.high)}},
              {"step", distribution.step},
              {"log", distribution.log}};
    case SearchDistribution::Kind::kChoice:
      return {{"choice", distribution.labels}};
  }
  return {};
}

json OpenRequest(const StudyOptions& options, const SearchSettings& search) {
  json directions = json::array();
  for (const auto& objective : search.objectives) {
    directions.push_back(objective.maximize ? "maximize" : "minimize");
  }
  json distributions = json::object();
  for (const auto& parameter : search.parameters) {
    distributions[parameter.key] = DistributionJson(parameter.distribution);
  }
  const SearchPruner& pruner = search.pruner;
  return {{"op", "open"},
          {"journal", options.journal_path},
          {"study", options.study_name},
          {"directions", directions},
          {"sampler",
           {{"name", search.sampler}, {"seed", search.seed ? json(*search.seed) : json(nullptr)}}},
          // Hyperband's max_resource: Optuna's "auto" (the most epochs a
          // trial has reported).
          {"pruner",
           {{"name", pruner.name},
            {"startup_trials", pruner.startup_trials},
            {"warmup_epochs", pruner.warmup_epochs},
            {"min_epochs", pruner.min_epochs},
            {"max_epochs", nullptr},
            {"reduction_factor", pruner.reduction_factor}}},
          {"distributions", distributions}};
}

// A JSON value of a key that is not (or no longer) a search parameter.
ParamValue PlainValue(const std::string& key, const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) return value.get<std::string>();
  throw std::runtime_error(
      fmt::format("the Optuna study holds {} = {}, not a number or a label", key, value.dump()));
}

// Optuna's value for `key` as SearchDistribution holds it: a choice's label
// becomes the choice's value.
ParamValue ValueOf(const SearchSettings& search, const std::string& key, const json& value) {
  for (const auto& parameter : search.parameters) {
    if (parameter.key != key) continue;
    const SearchDistribution& distribution = parameter.distribution;
    switch (distribution.kind) {
      case SearchDistribution::Kind::kFloat:
        if (value.is_number()) return value.get<double>();
        break;
      case SearchDistribution::Kind::kInt:
        if (value.is_number_integer()) return value.get<std::int64_t>();
        if (value.is_number()) return static_cast<std::int64_t>(std::llround(value.get<double>()));
        break;
      case SearchDistribution::Kind::kChoice:
        for (std::size_t i = 0; i < distribution.labels.size() && i < distribution.choices.size();
             ++i) {
          if (value.is_string() && value.get<std::string>() == distribution.labels[i]) {
            return distribution.choices[i];
          }
        }
        break;
    }
    throw std::runtime_error(
        fmt::format("the Optuna study holds {} = {}, which is not in the search's distribution",
                    key, value.dump()));
  }
  return PlainValue(key, value);
}

std::map<std::string, ParamValue> ParamsOf(const SearchSettings& search, const json& params) {
  std::map<std::string, ParamValue> values;
  for (const auto& [key, value] : params.items()) values[key] = ValueOf(search, key, value);
  return values;
}

std::vector<double> ValuesOf(const json& values) {
  std::vector<double> result;
  if (!values.is_array()) return result;
  for (const auto& value : values) {
    result.push_back(value.is_number() ? value.get<double>()
                                       : std::numeric_limits<double>::quiet_NaN());
  }
  return result;
}

std::string OptunaMissingMessage(const std::string& python, const std::string& why) {
  return fmt::format(
      "the search needs Optuna, which Python ({}) cannot import ({}): install it with "
      "`apt-get install python3-optuna` (scripts/install_deps.sh --test installs it), or set "
      "CARBONBENCH_PYTHON to a Python that has it; everything else in carbonbench works "
      "without it",
      python, why);
}

}  // namespace

// The driver process and its requests: one JSON line each way.
class StudyClient::Driver {
 public:
  Driver(const std::string& python, const std::string& script)
      : process_({python, script}), python_(python) {}

  // The reply's fields; throws std::runtime_error with the driver's error
  // message when it refused the request.
  json Request(const json& request, double timeout_s) {
    const json reply = Send(request, timeout_s);
    if (!reply.value("ok", false)) {
      throw std::runtime_error(fmt::format("the Optuna driver refused `{}`: {}",
                                           request.value("op", ""), ErrorOf(reply)));
    }
    return reply;
  }

  // The reply, ok or not.
  json Send(const json& request, double timeout_s) {
    // NaN and infinities go as null (strict JSON), which the driver reads
    // back as NaN.
    const std::string line = process_.Exchange(request.dump(), timeout_s);
    json reply = json::parse(line, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) {
      throw std::runtime_error(
          fmt::format("the Optuna driver ({}) answered with a line that is not a JSON object: {}",
                      python_, line.substr(0, 400)));
    }
    return reply;
  }

  static std::string ErrorOf(const json& reply) {
    const auto error = reply.find("error");
    return error != reply.end() && error->is_string() ? error->get<std::string>() : reply.dump();
  }

 private:
  LineProcess process_;
  std::string python_;
};

StudyClient::StudyClient(const StudyOptions& options, const SearchSettings& search)
    : search_(search) {
  const std::string python = PythonFor(options);
  if (access(options.driver_path.c_str(), R_OK) != 0) {
    throw std::runtime_error(fmt::format(
        "the search's Optuna driver {} cannot be read: carbonbench's data folder is incomplete",
        options.driver_path));
  }
  try {
    driver_ = std::make_unique<Driver>(python, options.driver_path);
  } catch (const LineProcessNotStarted& error) {
    throw OptunaMissing(fmt::format(
        "the search needs Python 3 with Optuna, and {} cannot be executed ({}): install "
        "python3 and python3-optuna (`apt-get install python3-optuna`), or set "
        "CARBONBENCH_PYTHON to a Python that has Optuna; everything else in carbonbench works "
        "without it",
        python, error.code().message()));
  }
  const json reply = driver_->Send(OpenRequest(options, search), kOpenTimeoutS);
  if (!reply.value("ok", false)) {
    if (reply.value("error", "") == "optuna_missing") {
      throw OptunaMissing(OptunaMissingMessage(python, reply.value("detail", "")));
    }
    throw std::runtime_error(fmt::format("the Optuna driver could not open study {} in {}: {}",
                                         options.study_name, options.journal_path,
                                         Driver::ErrorOf(reply)));
  }
  optuna_version_ = reply.value("optuna", "");
  for (const auto& item : reply.at("trials")) {
    StudyTrial trial;
    trial.number = item.at("number").get<int>();
    trial.state = item.at("state").get<std::string>();
    trial.params = ParamsOf(search_, item.at("params"));
    if (trial.state == "COMPLETE") trial.values = ValuesOf(item.at("values"));
    trials_at_open_.push_back(std::move(trial));
  }
}

StudyClient::~StudyClient() {
  if (!driver_) return;
  try {
    driver_->Send({{"op", "close"}}, kCloseTimeoutS);
  } catch (const std::exception&) {
    // Ending anyway: the driver is killed with its process below.
  }
}

const std::string& StudyClient::optuna_version() const { return optuna_version_; }

const std::vector<StudyTrial>& StudyClient::trials_at_open() const { return trials_at_open_; }

StudyTrial StudyClient::Ask() {
  const json reply = driver_->Request({{"op", "ask"}}, kRequestTimeoutS);
  StudyTrial trial;
  trial.number = reply.at("number").get<int>();
  trial.state = "RUNNING";
  trial.params = ParamsOf(search_, reply.at("params"));
  return trial;
}

bool StudyClient::ReportAndShouldPrune(int number, int epoch, double value) {
  const json reply = driver_->Request(
      {{"op", "report"}, {"number", number}, {"step", epoch}, {"value", value}}, kRequestTimeoutS);
  return reply.at("prune").get<bool>();
}

void StudyClient::TellComplete(int number, const std::vector<double>& values) {
  driver_->Request({{"op", "tell"}, {"number", number}, {"state", "complete"}, {"values", values}},
                   kRequestTimeoutS);
}

void StudyClient::TellPruned(int number) {
  driver_->Request({{"op", "tell"}, {"number", number}, {"state", "pruned"}}, kRequestTimeoutS);
}

void StudyClient::TellFailed(int number) {
  driver_->Request({{"op", "tell"}, {"number", number}, {"state", "fail"}}, kRequestTimeoutS);
}

StudyClient::Importances StudyClient::ComputeImportances() {
  const json reply = driver_->Send({{"op", "importances"}}, kImportancesTimeoutS);
  Importances importances;
  if (!reply.value("ok", false)) {
    importances.unavailable_reason = Driver::ErrorOf(reply);
    return importances;
  }
  for (const auto& [key, share] : reply.at("importances").items()) {
    importances.by_parameter[key] = share.get<double>();
  }
  return importances;
}

std::string OptunaDriverPath(const std::string& reference_data_dir) {
  return reference_data_dir + "/search/optuna_driver.py";
}

}  // namespace carbonbench
