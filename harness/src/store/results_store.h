// The results store: one SQLite file, written as a run goes (an epoch at a
// time, each in a transaction), so a killed suite loses at most the epoch in
// flight and finished results are never lost.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "records/run_records.h"
#include "records/search_records.h"

namespace SQLite {
class Database;
}

namespace carbonbench {

// Version 2 added the task of a run and the regression figures (RMSE, MAE);
// version 3 the carbon accounting's details, the idle baseline and the
// machine's use during a run; version 4 the inference phase; version 5 a
// classifier's confusion matrix; version 6 peak memory per phase, the
// figures optimizations measured, and each epoch's phase; version 7 the
// error band of every energy figure and each run's measurement record;
// version 8 keeps earlier runs of a cell as history (superseded_at) instead
// of a UNIQUE constraint that allowed one run per cell repetition; version 9
// lets a re-run's running row stand beside the finished run it replaces
// when it finishes, so an interrupted `run --fresh` loses nothing; version
// 10 a run a search pruned (status 'pruned') and the search's studies and
// trials; version 11 each run's runtime and architecture.
inline constexpr int kStoreSchemaVersion = 11;

// How a store is opened: `serve` and other readers that must never change
// the file (nor take a write lock a running suite would wait on) open it
// read-only.
enum class StoreAccess { kReadWrite, kReadOnly };

class ResultsStore {
 public:
  // Opens or creates the file (and its folder). Upgrades a file of an older
  // schema version in place, keeping its rows; refuses one whose version is
  // newer than this program's, naming both versions, and leaves it as it is.
  explicit ResultsStore(const std::string& path);
  // kReadOnly: the file must exist and be of this program's schema version
  // (a read-only connection cannot upgrade it; the error names the command
  // that does); nothing is ever written.
  ResultsStore(const std::string& path, StoreAccess access);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  const std::string& path() const { return path_; }

  // The current finished run of this cell repetition, if any.
  std::optional<RunRow> FindFinished(const std::string& suite, const std::string& config_hash,
                                     int repetition) const;
  // The cell repetition's most recent ended attempt (finished or failed,
  // current or history): how the run just made went.
  std::optional<RunRow> LatestAttempt(const std::string& suite, const std::string& config_hash,
                                      int repetition) const;

  // Inserts a "running" row; an earlier unfinished or failed current attempt
  // of the same (suite, hash, repetition) is removed in the same transaction.
  // A finished run of it stays current (a re-run, `run --fresh`) until this
  // one finishes. Refuses a task other than kClassificationTask or
  // kRegressionTask.
  std::int64_t BeginRun(const RunStart& start);
  void AppendEpoch(std::int64_t run_id, const EpochRecord& epoch);
  // Writes the summary (with its inference rows) in one transaction, which
  // also makes the repetition's earlier finished run history: a result is
  // replaced only once its replacement is stored.
  void FinishRun(std::int64_t run_id, const RunSummary& summary);
  // A failed re-run of a repetition that finished before is stored as
  // history, so the finished run stays the current one.
  void FailRun(std::int64_t run_id, const std::string& reason, const RunSummary& partial);
  // A run a search stopped after an epoch because its trial looked worse
  // than others (Optuna's pruner): ended as 'pruned' with what it measured,
  // kept out of the suite's cells, reported by its search. Like a failed
  // re-run, it leaves a finished run of the repetition current.
  void PruneRun(std::int64_t run_id, const std::string& reason, const RunSummary& partial);
  // Ends as failed the unfinished attempt of `start`'s cell repetition whose
  // process died without saying so, keeping the epochs it stored and
  // charging their energy and CO2 to it; inserts the failed row when the
  // attempt never began. Returns its id.
  std::int64_t FailUnfinishedAttempt(const RunStart& start, const std::string& reason,
                                     double duration_s);

  // The cell repetitions (config hash, repetition) of the suite with an
  // attempt still marked running: under way, or cut short with no record.
  std::vector<std::pair<std::string, int>> RunningAttempts(const std::string& suite) const;

  // Every current run of the suite (finished, failed and pruned; running ones and
  // history are left out), with epochs and inference rows, ordered by id:
  // the latest run of each cell repetition.
  std::vector<RunRow> LoadRuns(const std::string& suite) const;
  // The suite's runs that later runs of their cell superseded (--fresh),
  // ordered by id.
  std::vector<RunRow> LoadSupersededRuns(const std::string& suite) const;
  std::vector<std::string> Suites() const;
  // The suite's runs still marked running, with their epochs so far,
  // ordered by id.
  std::vector<RunRow> LoadRunningRuns(const std::string& suite) const;
  // Any run by its id (current, history, running), with its epochs and
  // inference rows.
  std::optional<RunRow> LoadRun(std::int64_t run_id) const;
  // Changes whenever another connection commits to the file (SQLite's
  // data_version): a reader's cache of what it read is stale when this
  // differs from the value it read it at.
  std::int64_t DataVersion() const;

  // A search's study and its trials (search_records.h), written as the
  // search goes: each call replaces the row with the same key.
  void SaveStudy(const StudyRecord& study);
  void SaveTrial(const TrialRecord& trial);
  // The suite's studies, oldest first, and a study's trials by number.
  std::vector<StudyRecord> LoadStudies(const std::string& suite) const;
  std::vector<TrialRecord> LoadTrials(const std::string& suite, const std::string& study) const;

 private:
  // The first run of a cell repetition meeting `condition` (SQL after the
  // cell's own terms, ORDER BY included); `what` names the read in errors.
  std::optional<RunRow> FirstRunOfCell(const char* what, const std::string& suite,
                                       const std::string& config_hash, int repetition,
                                       const std::string& condition) const;

  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace carbonbench
