#include "store/results_store.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/run_columns.h"
#include "store/store_codec.h"
#include "store/store_error.h"
#include "store/store_schema.h"

namespace carbonbench {
namespace {

using detail::kAtBegin;
using detail::kAtEnd;

// Readers name the columns they want, so a file written by a later
// carbonbench of the same schema version (extra columns) still reads.
std::string SelectRuns(const std::string& where) {
  return "SELECT " + detail::ColumnNames(detail::RunsTable()) + " FROM runs WHERE " + where;
}

// A run's rows of a child table (epochs, inference), in `order`.
template <class Record>
std::vector<Record> LoadChildRows(const SQLite::Database& db,
                                  const detail::TableSpec<Record>& table, std::int64_t run_id,
                                  const std::string& order) {
  SQLite::Statement query(db, "SELECT " + detail::ColumnNames(table) + " FROM " + table.name +
                                  " WHERE run_id = ? ORDER BY " + order);
  query.bind(1, run_id);
  std::vector<Record> records;
  while (query.executeStep()) detail::ReadColumns(query, table, records.emplace_back());
  return records;
}

// "INSERT INTO <table> (run_id, <its columns>) VALUES (?, ...)".
template <class Record>
std::string InsertChildSql(const detail::TableSpec<Record>& table) {
  return std::string("INSERT INTO ") + table.name + " (run_id, " + detail::ColumnNames(table) +
         ") VALUES (?, " + detail::Placeholders(table) + ")";
}

void InsertInference(SQLite::Database& db, std::int64_t run_id,
                     const std::vector<InferenceRecord>& records) {
  SQLite::Statement insert(db, InsertChildSql(detail::InferenceTable()));
  for (const InferenceRecord& record : records) {
    insert.bind(1, run_id);
    detail::BindColumns(insert, detail::InferenceTable(), record, kAtBegin, 2);
    insert.exec();
    insert.reset();
    insert.clearBindings();
  }
}

// Runs the (already bound) query and reads every row with its epochs and
// inference rows.
std::vector<RunRow> ReadRuns(const SQLite::Database& db, SQLite::Statement& query) {
  std::vector<RunRow> runs;
  while (query.executeStep()) detail::ReadColumns(query, detail::RunsTable(), runs.emplace_back());
  for (RunRow& run : runs) {
    run.epochs = LoadChildRows(db, detail::EpochsTable(), run.id, "epoch");
    run.summary.inference = LoadChildRows(db, detail::InferenceTable(), run.id, "batch_size");
  }
  return runs;
}

void DeleteRunsWithEpochs(SQLite::Database& db, const std::vector<std::int64_t>& run_ids) {
  SQLite::Statement delete_epochs(db, "DELETE FROM epochs WHERE run_id = ?");
  SQLite::Statement delete_inference(db, "DELETE FROM inference WHERE run_id = ?");
  SQLite::Statement delete_run(db, "DELETE FROM runs WHERE id = ?");
  for (const std::int64_t id : run_ids) {
    delete_epochs.bind(1, id);
    delete_epochs.exec();
    delete_epochs.reset();
    delete_inference.bind(1, id);
    delete_inference.exec();
    delete_inference.reset();
    delete_run.bind(1, id);
    delete_run.exec();
    delete_run.reset();
  }
}

// The earlier unfinished or failed attempts of this cell repetition, which a
// new attempt replaces. A finished run is not among them: it stays current
// until the new run finishes (EndRun), so an interrupted re-run loses nothing.
// Nor is a pruned one: its search trial points at it (KeepPrunedAsHistory).
std::vector<std::int64_t> ReplaceableAttempts(SQLite::Database& db, const RunStart& start) {
  SQLite::Statement query(
      db,
      "SELECT id FROM runs WHERE suite = ? AND config_hash = ? AND "
      "repetition = ? AND superseded_at = '' AND status NOT IN ('finished', 'pruned')");
  query.bind(1, start.suite);
  query.bind(2, start.config_hash);
  query.bind(3, start.repetition);
  std::vector<std::int64_t> ids;
  while (query.executeStep()) ids.push_back(query.getColumn(0).getInt64());
  return ids;
}

// A search trial that was pruned keeps its run, with what it spent, when a
// later trial runs the same configuration: it becomes history.
void KeepPrunedAsHistory(SQLite::Database& db, const RunStart& start) {
  SQLite::Statement update(db,
                           "UPDATE runs SET superseded_at = ? WHERE suite = ? AND config_hash = ? "
                           "AND repetition = ? AND superseded_at = '' AND status = 'pruned'");
  update.bind(1, NowIso8601Utc());
  update.bind(2, start.suite);
  update.bind(3, start.config_hash);
  update.bind(4, start.repetition);
  update.exec();
}

// A misspelt task would silently read as a classification run in reports.
void RequireKnownTask(const RunStart& start) {
  if (start.task == kClassificationTask || start.task == kRegressionTask) {
    return;
  }
  throw std::runtime_error(fmt::format("cell '{}' has task '{}'; the store knows '{}' and '{}'",
                                       start.cell_name, start.task, kClassificationTask,
                                       kRegressionTask));
}

void InsertRun(SQLite::Database& db, const RunStart& start) {
  RunRow row;
  row.status = "running";
  row.started_at = NowIso8601Utc();
  row.start = start;
  const std::string columns = detail::ColumnNames(detail::RunsTable(), kAtBegin);
  SQLite::Statement insert(db, "INSERT INTO runs (" + columns + ") VALUES (" +
                                   detail::Placeholders(detail::RunsTable(), kAtBegin) + ")");
  detail::BindColumns(insert, detail::RunsTable(), row, kAtBegin);
  insert.exec();
}

// The cell repetition a run belongs to.
struct RepetitionKey {
  std::string suite, config_hash;
  int repetition = 0;
};

RepetitionKey RequireRunning(const SQLite::Database& db, std::int64_t run_id) {
  SQLite::Statement query(db,
                          "SELECT status, suite, config_hash, repetition FROM runs WHERE id = ?");
  query.bind(1, run_id);
  if (!query.executeStep()) {
    throw std::runtime_error(fmt::format(
        "run {} is no longer in the store: something else removed it while it ran", run_id));
  }
  const std::string status = query.getColumn(0).getString();
  if (status != "running") {
    throw std::runtime_error(fmt::format("run {} is {}, not running", run_id, status));
  }
  return {query.getColumn(1).getString(), query.getColumn(2).getString(),
          query.getColumn(3).getInt()};
}

// Makes history of the rows of `key` that `where` picks, other than `run_id`.
int Supersede(SQLite::Database& db, const RepetitionKey& key, std::int64_t run_id,
              const std::string& where) {
  SQLite::Statement update(db,
                           "UPDATE runs SET superseded_at = ? WHERE suite = ? AND config_hash = ? "
                           "AND repetition = ? AND superseded_at = '' AND id != ? AND " +
                               where);
  update.bind(1, NowIso8601Utc());
  update.bind(2, key.suite);
  update.bind(3, key.config_hash);
  update.bind(4, key.repetition);
  update.bind(5, run_id);
  return update.exec();
}

bool HasCurrentFinished(const SQLite::Database& db, const RepetitionKey& key, std::int64_t run_id) {
  SQLite::Statement query(db,
                          "SELECT 1 FROM runs WHERE suite = ? AND config_hash = ? AND "
                          "repetition = ? AND superseded_at = '' AND id != ? AND "
                          "status = 'finished'");
  query.bind(1, key.suite);
  query.bind(2, key.config_hash);
  query.bind(3, key.repetition);
  query.bind(4, run_id);
  return query.executeStep();
}

// Ends a running run with its summary: the row's only change after
// BeginRun, so finished_at and status move together with the figures. A
// finished run replaces the repetition's earlier one in the same
// transaction (the earlier is kept as history); a failed re-run of a
// repetition that finished before is itself kept as history, so the
// finished result stays the current one.
void EndRun(SQLite::Database& db, std::int64_t run_id, const std::string& status,
            const std::string& reason, const RunSummary& summary) {
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  const RepetitionKey key = RequireRunning(db, run_id);
  RunRow row;
  row.status = status;
  row.failure_reason = reason;
  row.finished_at = NowIso8601Utc();
  row.summary = summary;
  if (status != "finished" && HasCurrentFinished(db, key, run_id)) {
    row.superseded_at = row.finished_at;
  }
  std::string assignments = "superseded_at = ?";
  for (const auto& column : detail::RunsTable().columns) {
    if ((column.written & kAtEnd) == 0) continue;
    assignments += ", " + std::string(column.name) + " = ?";
  }
  // Before the update: one current ended run per repetition (runs_ended).
  if (status == "finished") Supersede(db, key, run_id, "status != 'running'");
  SQLite::Statement update(db, "UPDATE runs SET " + assignments + " WHERE id = ?");
  update.bind(1, row.superseded_at);
  const int id_index = detail::BindColumns(update, detail::RunsTable(), row, kAtEnd, 2);
  update.bind(id_index, run_id);
  update.exec();
  InsertInference(db, run_id, summary.inference);
  transaction.commit();
}

std::unique_ptr<SQLite::Database> OpenDatabase(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (error) {
    throw std::runtime_error(fmt::format("store {}: cannot make its folder {}: {}", path,
                                         parent.string(), error.message()));
  }
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    PrepareStoreSchema(*db, path);
    return db;
  } catch (const SQLite::Exception& error) {
    throw std::runtime_error(
        StoreErrorMessage(path, "opening it", db ? db->getHandle() : nullptr, error));
  }
}

std::unique_ptr<SQLite::Database> OpenReadOnly(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw std::runtime_error(fmt::format(
        "store {}: no such file; run a suite into it first (carbonbench run SUITE.yaml), or "
        "pass --store with the store a suite ran into",
        path));
  }
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
    db->setBusyTimeout(kBusyTimeoutMs);
    const int version = ReadStoreSchemaVersion(*db);
    if (version != kStoreSchemaVersion) {
      throw std::runtime_error(fmt::format(
          "store {} has schema version {} and this carbonbench reads version {} read-only; {}",
          path, version, kStoreSchemaVersion,
          version > kStoreSchemaVersion
              ? "upgrade carbonbench"
              : "upgrade the store once with `carbonbench report SUITE --store " + path +
                    "` (it keeps every row), then serve it"));
    }
    return db;
  } catch (const SQLite::Exception& error) {
    throw std::runtime_error(
        StoreErrorMessage(path, "opening it read-only", db ? db->getHandle() : nullptr, error));
  }
}

// Runs `body`, giving an SQLite failure the store's path, the OS's reason
// and what to do about it.
template <class Body>
auto Guarded(const std::string& path, const SQLite::Database& db, const char* doing, Body&& body)
    -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& error) {
    throw std::runtime_error(StoreErrorMessage(path, doing, db.getHandle(), error));
  }
}

}  // namespace

ResultsStore::ResultsStore(const std::string& path) : path_(path), db_(OpenDatabase(path)) {}

ResultsStore::ResultsStore(const std::string& path, StoreAccess access)
    : path_(path),
      db_(access == StoreAccess::kReadOnly ? OpenReadOnly(path) : OpenDatabase(path)) {}

ResultsStore::~ResultsStore() = default;

std::optional<RunRow> ResultsStore::FirstRunOfCell(const char* what, const std::string& suite,
                                                   const std::string& config_hash, int repetition,
                                                   const std::string& condition) const {
  return Guarded(path_, *db_, what, [&]() -> std::optional<RunRow> {
    SQLite::Statement query(
        *db_, SelectRuns("suite = ? AND config_hash = ? AND repetition = ? AND " + condition));
    query.bind(1, suite);
    query.bind(2, config_hash);
    query.bind(3, repetition);
    std::vector<RunRow> runs = ReadRuns(*db_, query);
    if (runs.empty()) return std::nullopt;
    return std::move(runs.front());
  });
}

std::optional<RunRow> ResultsStore::FindFinished(const std::string& suite,
                                                 const std::string& config_hash,
                                                 int repetition) const {
  return FirstRunOfCell("reading a finished run", suite, config_hash, repetition,
                        "status = 'finished' AND superseded_at = ''");
}

std::optional<RunRow> ResultsStore::LatestAttempt(const std::string& suite,
                                                  const std::string& config_hash,
                                                  int repetition) const {
  return FirstRunOfCell("reading a run", suite, config_hash, repetition,
                        "status != 'running' ORDER BY id DESC LIMIT 1");
}

std::int64_t ResultsStore::BeginRun(const RunStart& start) {
  return Guarded(path_, *db_, "storing the start of a run", [&] {
    RequireKnownTask(start);
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    DeleteRunsWithEpochs(*db_, ReplaceableAttempts(*db_, start));
    KeepPrunedAsHistory(*db_, start);
    InsertRun(*db_, start);
    const std::int64_t id = db_->getLastInsertRowid();
    transaction.commit();
    return id;
  });
}

void ResultsStore::AppendEpoch(std::int64_t run_id, const EpochRecord& epoch) {
  return Guarded(path_, *db_, "storing an epoch", [&] {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    RequireRunning(*db_, run_id);
    SQLite::Statement insert(*db_, InsertChildSql(detail::EpochsTable()));
    insert.bind(1, run_id);
    detail::BindColumns(insert, detail::EpochsTable(), epoch, kAtBegin, 2);
    insert.exec();
    transaction.commit();
  });
}

void ResultsStore::FinishRun(std::int64_t run_id, const RunSummary& summary) {
  return Guarded(path_, *db_, "storing a finished run",
                 [&] { EndRun(*db_, run_id, "finished", "", summary); });
}

void ResultsStore::FailRun(std::int64_t run_id, const std::string& reason,
                           const RunSummary& partial) {
  return Guarded(path_, *db_, "storing a failed run",
                 [&] { EndRun(*db_, run_id, "failed", reason, partial); });
}

void ResultsStore::PruneRun(std::int64_t run_id, const std::string& reason,
                            const RunSummary& partial) {
  return Guarded(path_, *db_, "storing a pruned run",
                 [&] { EndRun(*db_, run_id, "pruned", reason, partial); });
}

std::int64_t ResultsStore::FailUnfinishedAttempt(const RunStart& start, const std::string& reason,
                                                 double duration_s) {
  return Guarded(path_, *db_, "storing a failed run", [&] {
    std::int64_t id = 0;
    {
      SQLite::Statement query(*db_,
                              "SELECT id FROM runs WHERE suite = ? AND config_hash = ? AND "
                              "repetition = ? AND status = 'running' AND superseded_at = ''");
      query.bind(1, start.suite);
      query.bind(2, start.config_hash);
      query.bind(3, start.repetition);
      if (query.executeStep()) id = query.getColumn(0).getInt64();
    }
    if (id == 0) id = BeginRun(start);
    RunSummary partial;
    partial.duration_s = duration_s;
    partial.energy_provenance = "absent: the cell's process ended before it stored any epoch";
    SQLite::Statement epochs(*db_,
                             "SELECT COUNT(*), COALESCE(SUM(energy_wh), 0), "
                             "COALESCE(SUM(co2_g), 0), MAX(energy_provenance) "
                             "FROM epochs WHERE run_id = ?");
    epochs.bind(1, id);
    if (epochs.executeStep() && epochs.getColumn(0).getInt() > 0) {
      partial.epochs_run = epochs.getColumn(0).getInt();
      partial.energy_wh = epochs.getColumn(1).getDouble();
      partial.co2_g = epochs.getColumn(2).getDouble();
      partial.energy_provenance =
          epochs.getColumn(3).getString() + " (the epochs it stored; the one in flight is lost)";
    }
    EndRun(*db_, id, "failed", reason, partial);
    return id;
  });
}

std::vector<RunRow> ResultsStore::LoadRuns(const std::string& suite) const {
  return Guarded(path_, *db_, "reading runs", [&] {
    SQLite::Statement query(
        *db_, SelectRuns("suite = ? AND status != 'running' AND superseded_at = '' ORDER BY id"));
    query.bind(1, suite);
    return ReadRuns(*db_, query);
  });
}

std::vector<RunRow> ResultsStore::LoadRunningRuns(const std::string& suite) const {
  return Guarded(path_, *db_, "reading runs", [&] {
    SQLite::Statement query(*db_, SelectRuns("suite = ? AND status = 'running' ORDER BY id"));
    query.bind(1, suite);
    return ReadRuns(*db_, query);
  });
}

std::optional<RunRow> ResultsStore::LoadRun(std::int64_t run_id) const {
  return Guarded(path_, *db_, "reading a run", [&]() -> std::optional<RunRow> {
    SQLite::Statement query(*db_, SelectRuns("id = ?"));
    query.bind(1, static_cast<int64_t>(run_id));
    std::vector<RunRow> runs = ReadRuns(*db_, query);
    if (runs.empty()) return std::nullopt;
    return std::move(runs.front());
  });
}

std::int64_t ResultsStore::DataVersion() const {
  return Guarded(path_, *db_, "reading its data version", [&] {
    return static_cast<std::int64_t>(db_->execAndGet("PRAGMA data_version").getInt64());
  });
}

std::vector<std::pair<std::string, int>> ResultsStore::RunningAttempts(
    const std::string& suite) const {
  return Guarded(path_, *db_, "reading runs", [&] {
    SQLite::Statement query(*db_,
                            "SELECT config_hash, repetition FROM runs WHERE suite = ? AND "
                            "status = 'running' ORDER BY id");
    query.bind(1, suite);
    std::vector<std::pair<std::string, int>> attempts;
    while (query.executeStep()) {
      attempts.emplace_back(query.getColumn(0).getString(), query.getColumn(1).getInt());
    }
    return attempts;
  });
}

std::vector<RunRow> ResultsStore::LoadSupersededRuns(const std::string& suite) const {
  return Guarded(path_, *db_, "reading runs", [&] {
    SQLite::Statement query(*db_, SelectRuns("suite = ? AND superseded_at != '' ORDER BY id"));
    query.bind(1, suite);
    return ReadRuns(*db_, query);
  });
}

std::vector<std::string> ResultsStore::Suites() const {
  return Guarded(path_, *db_, "reading its suites", [&] {
    SQLite::Statement query(*db_, "SELECT DISTINCT suite FROM runs ORDER BY suite");
    std::vector<std::string> suites;
    while (query.executeStep()) suites.push_back(query.getColumn(0).getString());
    return suites;
  });
}

void ResultsStore::SaveStudy(const StudyRecord& study) {
  return Guarded(path_, *db_, "storing a search's study", [&] {
    SQLite::Statement upsert(
        *db_,
        "INSERT INTO search_studies (suite, study, settings_json, optuna_version, "
        "importances_json, importances_note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
        "?) ON CONFLICT (suite, study) DO UPDATE SET settings_json = excluded.settings_json, "
        "optuna_version = excluded.optuna_version, importances_json = excluded.importances_json, "
        "importances_note = excluded.importances_note, updated_at = excluded.updated_at");
    const std::string now = NowIso8601Utc();
    upsert.bind(1, study.suite);
    upsert.bind(2, study.study);
    upsert.bind(3, study.settings_json);
    upsert.bind(4, study.optuna_version);
    upsert.bind(5, study.importances_json);
    upsert.bind(6, study.importances_note);
    upsert.bind(7, study.created_at.empty() ? now : study.created_at);
    upsert.bind(8, now);
    upsert.exec();
  });
}

void ResultsStore::SaveTrial(const TrialRecord& trial) {
  return Guarded(path_, *db_, "storing a search trial", [&] {
    SQLite::Statement upsert(
        *db_,
        "INSERT OR REPLACE INTO search_trials (suite, study, number, state, params_json, "
        "values_json, cell_name, config_hash, run_id, from_store, epochs_run, planned_epochs, "
        "energy_wh, co2_g, duration_s, energy_provenance, projected_energy_wh, projected_co2_g, "
        "note, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?)");
    int i = 0;
    upsert.bind(++i, trial.suite);
    upsert.bind(++i, trial.study);
    upsert.bind(++i, trial.number);
    upsert.bind(++i, trial.state);
    upsert.bind(++i, trial.params_json);
    upsert.bind(++i, nlohmann::json(trial.values).dump());
    upsert.bind(++i, trial.cell_name);
    upsert.bind(++i, trial.config_hash);
    upsert.bind(++i, trial.run_id);
    upsert.bind(++i, trial.from_store ? 1 : 0);
    upsert.bind(++i, trial.epochs_run);
    upsert.bind(++i, trial.planned_epochs);
    upsert.bind(++i, trial.energy_wh);
    upsert.bind(++i, trial.co2_g);
    upsert.bind(++i, trial.duration_s);
    upsert.bind(++i, trial.energy_provenance);
    upsert.bind(++i, trial.projected_energy_wh);
    upsert.bind(++i, trial.projected_co2_g);
    upsert.bind(++i, trial.note);
    upsert.bind(++i, trial.started_at);
    upsert.bind(++i, trial.ended_at);
    upsert.exec();
  });
}

std::vector<StudyRecord> ResultsStore::LoadStudies(const std::string& suite) const {
  return Guarded(path_, *db_, "reading a search's study", [&] {
    SQLite::Statement query(
        *db_,
        "SELECT study, settings_json, optuna_version, importances_json, importances_note, "
        "created_at, updated_at FROM search_studies WHERE suite = ? ORDER BY created_at, study");
    query.bind(1, suite);
    std::vector<StudyRecord> studies;
    while (query.executeStep()) {
      StudyRecord study;
      study.suite = suite;
      study.study = query.getColumn(0).getString();
      study.settings_json = query.getColumn(1).getString();
      study.optuna_version = query.getColumn(2).getString();
      study.importances_json = query.getColumn(3).getString();
      study.importances_note = query.getColumn(4).getString();
      study.created_at = query.getColumn(5).getString();
      study.updated_at = query.getColumn(6).getString();
      studies.push_back(std::move(study));
    }
    return studies;
  });
}

std::vector<TrialRecord> ResultsStore::LoadTrials(const std::string& suite,
                                                  const std::string& study) const {
  return Guarded(path_, *db_, "reading a search's trials", [&] {
    SQLite::Statement query(
        *db_,
        "SELECT number, state, params_json, values_json, cell_name, config_hash, run_id, "
        "from_store, epochs_run, planned_epochs, energy_wh, co2_g, duration_s, "
        "energy_provenance, projected_energy_wh, projected_co2_g, note, started_at, ended_at "
        "FROM search_trials WHERE suite = ? AND study = ? ORDER BY number");
    query.bind(1, suite);
    query.bind(2, study);
    std::vector<TrialRecord> trials;
    while (query.executeStep()) {
      TrialRecord trial;
      trial.suite = suite;
      trial.study = study;
      int i = 0;
      trial.number = query.getColumn(i++).getInt();
      trial.state = query.getColumn(i++).getString();
      trial.params_json = query.getColumn(i++).getString();
      const auto values = nlohmann::json::parse(query.getColumn(i++).getString(), nullptr, false);
      if (values.is_array())
        for (const auto& value : values)
          trial.values.push_back(value.is_number() ? value.get<double>() : NAN);
      trial.cell_name = query.getColumn(i++).getString();
      trial.config_hash = query.getColumn(i++).getString();
      trial.run_id = query.getColumn(i++).getInt64();
      trial.from_store = query.getColumn(i++).getInt() != 0;
      trial.epochs_run = query.getColumn(i++).getInt();
      trial.planned_epochs = query.getColumn(i++).getInt();
      trial.energy_wh = query.getColumn(i++).getDouble();
      trial.co2_g = query.getColumn(i++).getDouble();
      trial.duration_s = query.getColumn(i++).getDouble();
      trial.energy_provenance = query.getColumn(i++).getString();
      trial.projected_energy_wh = query.getColumn(i++).getDouble();
      trial.projected_co2_g = query.getColumn(i++).getDouble();
      trial.note = query.getColumn(i++).getString();
      trial.started_at = query.getColumn(i++).getString();
      trial.ended_at = query.getColumn(i++).getString();
      trials.push_back(std::move(trial));
    }
    return trials;
  });
}

}  // namespace carbonbench
