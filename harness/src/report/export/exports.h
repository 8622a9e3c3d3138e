// Exports of a suite's results for other tools: every run and every epoch
// as CSV (stable columns, units in their names), everything as JSON, and the
// leaderboard as CSV.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/run_records.h"
#include "report/report_options.h"

namespace carbonbench::report {

// The columns of each CSV, in order; a new column is only ever appended.
extern const std::vector<std::string> kRunColumns;
extern const std::vector<std::string> kEpochColumns;
extern const std::vector<std::string> kLeaderboardColumns;

std::string RunsCsv(const std::vector<RunRow>& runs);
std::string EpochsCsv(const std::vector<RunRow>& runs);
// One run as RunsJson writes it: its flat fields (kRunColumns), settings,
// environment, meters, carbon, phases, epochs, inference, confusion,
// measurement record and warnings.
nlohmann::json RunJson(const RunRow& run);
// With a search, its study, settings and every trial under "search"; the
// text is unchanged without one.
std::string RunsJson(const std::string& suite, const std::vector<RunRow>& runs,
                     const SearchView* search = nullptr);
// A search's trials, one a line, kSearchTrialColumns then one column per
// objective ("value_<metric>") and per parameter ("param_<key>").
extern const std::vector<std::string> kSearchTrialColumns;
std::string SearchTrialsCsv(const SearchView& search);
std::string LeaderboardCsv(const std::vector<RunRow>& runs, const ReportOptions& options);

// A CSV field as RFC 4180 wants it: quoted when it holds a comma, a quote or
// a line break, quotes doubled.
std::string CsvField(const std::string& text);

// Writes <dir>/<suite>.runs.csv, .epochs.csv, .runs.json and
// .leaderboard.csv atomically, and with a search (options.search)
// .search_trials.csv; returns their paths.
std::vector<std::string> WriteExports(const std::string& suite, const std::vector<RunRow>& runs,
                                      const std::string& dir, const ReportOptions& options);

}  // namespace carbonbench::report
