// The host's side of an Optuna study: a Python process running
// data/search/optuna_driver.py, spoken to in line-delimited JSON on its
// standard input and output. Optuna samples, prunes and keeps the study (a
// journal file beside the results store, so a killed search resumes); the
// host runs the trials. See docs/search.md for the protocol.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carbonbench/params.h"
#include "suites/search_settings.h"

namespace carbonbench {

// A trial as the study holds it.
struct StudyTrial {
  int number = 0;
  std::string state;  // RUNNING | COMPLETE | PRUNED | FAIL | WAITING
  // Parameter key -> value as SearchDistribution holds it (a choice's
  // value, not its label).
  std::map<std::string, ParamValue> params;
  std::vector<double> values;  // COMPLETE only, one per objective
};

struct StudyOptions {
  std::string python = "/usr/bin/python3";  // CARBONBENCH_PYTHON overrides
  std::string driver_path;                  // optuna_driver.py
  std::string journal_path;                 // the study's journal file
  std::string study_name;
};

// Why a study could not be opened because Optuna (or Python) is missing:
// the message names the package to install.
class OptunaMissing : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StudyClient {
 public:
  // Starts the driver and opens (or creates) the study. Throws OptunaMissing
  // when Python or Optuna is not installed, std::runtime_error for anything
  // else the driver refused (with its message).
  StudyClient(const StudyOptions& options, const SearchSettings& search);
  ~StudyClient();  // closes the driver
  StudyClient(const StudyClient&) = delete;
  StudyClient& operator=(const StudyClient&) = delete;

  const std::string& optuna_version() const;
  // Every trial of the study, by number, as it was when opened.
  const std::vector<StudyTrial>& trials_at_open() const;

  // A new trial's parameters, sampled by the study's sampler.
  StudyTrial Ask();
  // A trial's value after an epoch (single-objective studies); true when the
  // pruner says to stop it.
  bool ReportAndShouldPrune(int number, int epoch, double value);
  void TellComplete(int number, const std::vector<double>& values);
  void TellPruned(int number);
  void TellFailed(int number);
  // Parameter importances (key -> share), or the reason Optuna could not
  // compute them here.
  struct Importances {
    std::map<std::string, double> by_parameter;
    std::string unavailable_reason;
  };
  Importances ComputeImportances();

 private:
  class Driver;
  std::unique_ptr<Driver> driver_;
  const SearchSettings search_;
  std::string optuna_version_;
  std::vector<StudyTrial> trials_at_open_;
};

// Where the driver script is: beside the reference data (ReferenceDataDir()
// + "/search/optuna_driver.py").
std::string OptunaDriverPath(const std::string& reference_data_dir);

}  // namespace carbonbench
