#include "store/results_store.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include "store/store_codec.h"
#include "store/store_schema.h"

namespace carbonbench {
namespace {

// Readers name the columns they want, so a file written by a later
// carbonbench of the same schema version (extra columns) still reads.
constexpr const char* kRunColumns =
    "id, status, failure_reason, started_at, finished_at, suite, cell_name, "
    "config_hash, config_json, repetition, seed, model, optimizations, "
    "dataset, task, environment_json, meters_json, region_requested, "
    "region_used, intensity_g_per_kwh, intensity_source, pue, carbon_json, "
    "idle_json, epochs_run, "
    "best_accuracy, final_accuracy, best_rmse, final_rmse, final_mae, "
    "duration_s, energy_wh, co2_g, idle_energy_wh, energy_provenance, usage_json, "
    "stop_reason, model_path, compute_dtype, phases_json, warnings_json, cold_start_s, "
    "confusion_json, memory_json, figures_json";

constexpr const char* kInferenceColumns =
    "batch_size, iterations, predictions, mean_ms, p50_ms, p90_ms, p99_ms, "
    "throughput_per_s, energy_wh, co2_g, energy_wh_per_1000, energy_provenance";

constexpr const char* kEpochColumns =
    "epoch, train_loss, test_loss, test_accuracy, test_rmse, test_mae, "
    "train_s, eval_s, data_s, energy_wh, co2_g, energy_provenance, phase";

std::string Text(const SQLite::Statement& row, const char* column) {
  return row.getColumn(column).getString();
}

RunStart ReadRunStart(const SQLite::Statement& row) {
  RunStart start;
  start.suite = Text(row, "suite");
  start.cell_name = Text(row, "cell_name");
  start.config_hash = Text(row, "config_hash");
  start.config_json = Text(row, "config_json");
  start.repetition = row.getColumn("repetition").getInt();
  start.seed = row.getColumn("seed").getInt64();
  start.model = Text(row, "model");
  start.optimizations = Text(row, "optimizations");
  start.dataset = Text(row, "dataset");
  start.task = Text(row, "task");
  start.environment_json = Text(row, "environment_json");
  start.meters_json = Text(row, "meters_json");
  start.region_requested = Text(row, "region_requested");
  start.region_used = Text(row, "region_used");
  start.intensity_g_per_kwh = row.getColumn("intensity_g_per_kwh").getDouble();
  start.intensity_source = Text(row, "intensity_source");
  start.pue = row.getColumn("pue").getDouble();
  start.carbon_json = Text(row, "carbon_json");
  start.idle_json = Text(row, "idle_json");
  return start;
}

RunSummary ReadRunSummary(const SQLite::Statement& row) {
  RunSummary summary;
  summary.epochs_run = row.getColumn("epochs_run").getInt();
  summary.best_accuracy = row.getColumn("best_accuracy").getDouble();
  summary.final_accuracy = row.getColumn("final_accuracy").getDouble();
  summary.best_rmse = row.getColumn("best_rmse").getDouble();
  summary.final_rmse = row.getColumn("final_rmse").getDouble();
  summary.final_mae = row.getColumn("final_mae").getDouble();
  summary.duration_s = row.getColumn("duration_s").getDouble();
  summary.energy_wh = row.getColumn("energy_wh").getDouble();
  summary.co2_g = row.getColumn("co2_g").getDouble();
  summary.idle_energy_wh = row.getColumn("idle_energy_wh").getDouble();
  summary.energy_provenance = Text(row, "energy_provenance");
  summary.usage_json = Text(row, "usage_json");
  summary.stop_reason = Text(row, "stop_reason");
  summary.model_path = Text(row, "model_path");
  summary.compute_dtype = Text(row, "compute_dtype");
  summary.phases = DecodePhases(Text(row, "phases_json"));
  summary.warnings = DecodeWarnings(Text(row, "warnings_json"));
  summary.cold_start_s = row.getColumn("cold_start_s").getDouble();
  summary.confusion_json = Text(row, "confusion_json");
  summary.memory_json = Text(row, "memory_json");
  summary.figures_json = Text(row, "figures_json");
  return summary;
}

// The run's own columns; its epochs are read separately.
RunRow ReadRun(const SQLite::Statement& row) {
  RunRow run;
  run.id = row.getColumn("id").getInt64();
  run.status = Text(row, "status");
  run.failure_reason = Text(row, "failure_reason");
  run.started_at = Text(row, "started_at");
  run.finished_at = Text(row, "finished_at");
  run.start = ReadRunStart(row);
  run.summary = ReadRunSummary(row);
  return run;
}

EpochRecord ReadEpoch(const SQLite::Statement& row) {
  EpochRecord epoch;
  epoch.epoch = row.getColumn("epoch").getInt();
  epoch.train_loss = row.getColumn("train_loss").getDouble();
  epoch.test_loss = row.getColumn("test_loss").getDouble();
  epoch.test_accuracy = row.getColumn("test_accuracy").getDouble();
  epoch.test_rmse = row.getColumn("test_rmse").getDouble();
  epoch.test_mae = row.getColumn("test_mae").getDouble();
  epoch.train_s = row.getColumn("train_s").getDouble();
  epoch.eval_s = row.getColumn("eval_s").getDouble();
  epoch.data_s = row.getColumn("data_s").getDouble();
  epoch.energy_wh = row.getColumn("energy_wh").getDouble();
  epoch.co2_g = row.getColumn("co2_g").getDouble();
  epoch.energy_provenance = Text(row, "energy_provenance");
  epoch.phase = Text(row, "phase");
  return epoch;
}

std::vector<EpochRecord> LoadEpochs(const SQLite::Database& db,
                                    std::int64_t run_id) {
  SQLite::Statement query(db, std::string("SELECT ") + kEpochColumns +
                                  " FROM epochs WHERE run_id = ? "
                                  "ORDER BY epoch");
  query.bind(1, run_id);
  std::vector<EpochRecord> epochs;
  while (query.executeStep()) epochs.push_back(ReadEpoch(query));
  return epochs;
}

std::vector<InferenceRecord> LoadInference(const SQLite::Database& db, std::int64_t run_id) {
  SQLite::Statement query(db, std::string("SELECT ") + kInferenceColumns +
                                  " FROM inference WHERE run_id = ? ORDER BY batch_size");
  query.bind(1, run_id);
  std::vector<InferenceRecord> records;
  while (query.executeStep()) {
    InferenceRecord record;
    record.batch_size = query.getColumn("batch_size").getInt64();
    record.iterations = query.getColumn("iterations").getInt64();
    record.predictions = query.getColumn("predictions").getInt64();
    record.mean_ms = query.getColumn("mean_ms").getDouble();
    record.p50_ms = query.getColumn("p50_ms").getDouble();
    record.p90_ms = query.getColumn("p90_ms").getDouble();
    record.p99_ms = query.getColumn("p99_ms").getDouble();
    record.throughput_per_s = query.getColumn("throughput_per_s").getDouble();
    record.energy_wh = query.getColumn("energy_wh").getDouble();
    record.co2_g = query.getColumn("co2_g").getDouble();
    record.energy_wh_per_1000 = query.getColumn("energy_wh_per_1000").getDouble();
    record.energy_provenance = Text(query, "energy_provenance");
    records.push_back(record);
  }
  return records;
}

void InsertInference(SQLite::Database& db, std::int64_t run_id,
                     const std::vector<InferenceRecord>& records) {
  SQLite::Statement insert(db, std::string("INSERT INTO inference (run_id, ") +
                                   kInferenceColumns +
                                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const InferenceRecord& record : records) {
    int index = 0;
    insert.bind(++index, run_id);
    insert.bind(++index, record.batch_size);
    insert.bind(++index, record.iterations);
    insert.bind(++index, record.predictions);
    insert.bind(++index, record.mean_ms);
    insert.bind(++index, record.p50_ms);
    insert.bind(++index, record.p90_ms);
    insert.bind(++index, record.p99_ms);
    insert.bind(++index, record.throughput_per_s);
    insert.bind(++index, record.energy_wh);
    insert.bind(++index, record.co2_g);
    insert.bind(++index, record.energy_wh_per_1000);
    insert.bind(++index, record.energy_provenance);
    insert.exec();
    insert.reset();
    insert.clearBindings();
  }
}

// Runs the (already bound) query and reads every row with its epochs and
// inference rows.
std::vector<RunRow> ReadRuns(const SQLite::Database& db,
                             SQLite::Statement& query) {
  std::vector<RunRow> runs;
  while (query.executeStep()) runs.push_back(ReadRun(query));
  for (RunRow& run : runs) {
    run.epochs = LoadEpochs(db, run.id);
    run.summary.inference = LoadInference(db, run.id);
  }
  return runs;
}

void DeleteRunsWithEpochs(SQLite::Database& db,
                          const std::vector<std::int64_t>& run_ids) {
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

// The earlier attempts of this cell repetition that may be replaced; throws
// if one of them finished, since replacing it would lose a result.
std::vector<std::int64_t> ReplaceableAttempts(SQLite::Database& db,
                                              const RunStart& start) {
  SQLite::Statement query(
      db,
      "SELECT id, status FROM runs "
      "WHERE suite = ? AND config_hash = ? AND repetition = ?");
  query.bind(1, start.suite);
  query.bind(2, start.config_hash);
  query.bind(3, start.repetition);
  std::vector<std::int64_t> ids;
  while (query.executeStep()) {
    const std::int64_t id = query.getColumn("id").getInt64();
    if (query.getColumn("status").getString() == "finished") {
      throw std::runtime_error(
          "cell '" + start.cell_name + "' repetition " +
          std::to_string(start.repetition) + " of suite '" + start.suite +
          "' already has a finished run (id " + std::to_string(id) +
          "); forget the cell first to run it again");
    }
    ids.push_back(id);
  }
  return ids;
}

// A misspelt task would silently read as a classification run in reports.
void RequireKnownTask(const RunStart& start) {
  if (start.task == kClassificationTask || start.task == kRegressionTask) {
    return;
  }
  throw std::runtime_error("cell '" + start.cell_name + "' has task '" +
                           start.task + "'; the store knows '" +
                           kClassificationTask + "' and '" + kRegressionTask +
                           "'");
}

void InsertRun(SQLite::Database& db, const RunStart& start) {
  SQLite::Statement insert(
      db,
      "INSERT INTO runs (suite, cell_name, config_hash, config_json, "
      "repetition, seed, model, optimizations, dataset, task, "
      "environment_json, meters_json, region_requested, region_used, "
      "intensity_g_per_kwh, intensity_source, pue, carbon_json, idle_json, "
      "status, started_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "'running', ?)");
  int index = 0;
  insert.bind(++index, start.suite);
  insert.bind(++index, start.cell_name);
  insert.bind(++index, start.config_hash);
  insert.bind(++index, start.config_json);
  insert.bind(++index, start.repetition);
  insert.bind(++index, start.seed);
  insert.bind(++index, start.model);
  insert.bind(++index, start.optimizations);
  insert.bind(++index, start.dataset);
  insert.bind(++index, start.task);
  insert.bind(++index, start.environment_json);
  insert.bind(++index, start.meters_json);
  insert.bind(++index, start.region_requested);
  insert.bind(++index, start.region_used);
  insert.bind(++index, start.intensity_g_per_kwh);
  insert.bind(++index, start.intensity_source);
  insert.bind(++index, start.pue);
  insert.bind(++index, start.carbon_json);
  insert.bind(++index, start.idle_json);
  insert.bind(++index, NowIso8601Utc());
  insert.exec();
}

void RequireRunning(const SQLite::Database& db, std::int64_t run_id) {
  SQLite::Statement query(db, "SELECT status FROM runs WHERE id = ?");
  query.bind(1, run_id);
  if (!query.executeStep()) {
    throw std::runtime_error("no run with id " + std::to_string(run_id) +
                             " in the store");
  }
  const std::string status = query.getColumn(0).getString();
  if (status != "running") {
    throw std::runtime_error("run " + std::to_string(run_id) + " is " + status +
                             ", not running");
  }
}

// Ends a running run with its summary: the row's only change after
// BeginRun, so finished_at and status move together with the figures.
void EndRun(SQLite::Database& db, std::int64_t run_id,
            const std::string& status, const std::string& reason,
            const RunSummary& summary) {
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  RequireRunning(db, run_id);
  SQLite::Statement update(
      db,
      "UPDATE runs SET status = ?, failure_reason = ?, finished_at = ?, "
      "epochs_run = ?, best_accuracy = ?, final_accuracy = ?, "
      "best_rmse = ?, final_rmse = ?, final_mae = ?, duration_s = ?, "
      "energy_wh = ?, co2_g = ?, idle_energy_wh = ?, energy_provenance = ?, "
      "usage_json = ?, "
      "stop_reason = ?, model_path = ?, compute_dtype = ?, phases_json = ?, "
      "warnings_json = ?, cold_start_s = ?, confusion_json = ?, memory_json = ?, "
      "figures_json = ? WHERE id = ?");
  int index = 0;
  update.bind(++index, status);
  update.bind(++index, reason);
  update.bind(++index, NowIso8601Utc());
  update.bind(++index, summary.epochs_run);
  update.bind(++index, summary.best_accuracy);
  update.bind(++index, summary.final_accuracy);
  update.bind(++index, summary.best_rmse);
  update.bind(++index, summary.final_rmse);
  update.bind(++index, summary.final_mae);
  update.bind(++index, summary.duration_s);
  update.bind(++index, summary.energy_wh);
  update.bind(++index, summary.co2_g);
  update.bind(++index, summary.idle_energy_wh);
  update.bind(++index, summary.energy_provenance);
  update.bind(++index, summary.usage_json);
  update.bind(++index, summary.stop_reason);
  update.bind(++index, summary.model_path);
  update.bind(++index, summary.compute_dtype);
  update.bind(++index, EncodePhases(summary.phases));
  update.bind(++index, EncodeWarnings(summary.warnings));
  update.bind(++index, summary.cold_start_s);
  update.bind(++index, summary.confusion_json);
  update.bind(++index, summary.memory_json);
  update.bind(++index, summary.figures_json);
  update.bind(++index, run_id);
  update.exec();
  InsertInference(db, run_id, summary.inference);
  transaction.commit();
}

std::unique_ptr<SQLite::Database> OpenDatabase(const std::string& path) {
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  try {
    auto db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    PrepareStoreSchema(*db, path);
    return db;
  } catch (const SQLite::Exception& error) {
    // SQLite's own messages ("file is not a database") do not name the file.
    throw std::runtime_error("store " + path + ": " + error.what());
  }
}

}  // namespace

ResultsStore::ResultsStore(const std::string& path)
    : path_(path), db_(OpenDatabase(path)) {}

ResultsStore::~ResultsStore() = default;

std::optional<RunRow> ResultsStore::FindFinished(const std::string& suite,
                                                 const std::string& config_hash,
                                                 int repetition) const {
  SQLite::Statement query(
      *db_, std::string("SELECT ") + kRunColumns +
                " FROM runs WHERE suite = ? AND config_hash = ? AND "
                "repetition = ? AND status = 'finished'");
  query.bind(1, suite);
  query.bind(2, config_hash);
  query.bind(3, repetition);
  std::vector<RunRow> runs = ReadRuns(*db_, query);
  if (runs.empty()) return std::nullopt;
  return std::move(runs.front());
}

void ResultsStore::ForgetCell(const std::string& suite,
                              const std::string& config_hash) {
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement query(
      *db_, "SELECT id FROM runs WHERE suite = ? AND config_hash = ?");
  query.bind(1, suite);
  query.bind(2, config_hash);
  std::vector<std::int64_t> ids;
  while (query.executeStep()) ids.push_back(query.getColumn(0).getInt64());
  DeleteRunsWithEpochs(*db_, ids);
  transaction.commit();
}

std::int64_t ResultsStore::BeginRun(const RunStart& start) {
  RequireKnownTask(start);
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  DeleteRunsWithEpochs(*db_, ReplaceableAttempts(*db_, start));
  InsertRun(*db_, start);
  const std::int64_t id = db_->getLastInsertRowid();
  transaction.commit();
  return id;
}

void ResultsStore::AppendEpoch(std::int64_t run_id, const EpochRecord& epoch) {
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  RequireRunning(*db_, run_id);
  SQLite::Statement insert(
      *db_, std::string("INSERT INTO epochs (run_id, ") + kEpochColumns +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  int index = 0;
  insert.bind(++index, run_id);
  insert.bind(++index, epoch.epoch);
  insert.bind(++index, epoch.train_loss);
  insert.bind(++index, epoch.test_loss);
  insert.bind(++index, epoch.test_accuracy);
  insert.bind(++index, epoch.test_rmse);
  insert.bind(++index, epoch.test_mae);
  insert.bind(++index, epoch.train_s);
  insert.bind(++index, epoch.eval_s);
  insert.bind(++index, epoch.data_s);
  insert.bind(++index, epoch.energy_wh);
  insert.bind(++index, epoch.co2_g);
  insert.bind(++index, epoch.energy_provenance);
  insert.bind(++index, epoch.phase);
  insert.exec();
  transaction.commit();
}

void ResultsStore::FinishRun(std::int64_t run_id, const RunSummary& summary) {
  EndRun(*db_, run_id, "finished", "", summary);
}

void ResultsStore::FailRun(std::int64_t run_id, const std::string& reason,
                           const RunSummary& partial) {
  EndRun(*db_, run_id, "failed", reason, partial);
}

std::int64_t ResultsStore::FailUnfinishedAttempt(const RunStart& start,
                                                const std::string& reason,
                                                double duration_s) {
  std::int64_t id = 0;
  {
    SQLite::Statement query(*db_,
                            "SELECT id FROM runs WHERE suite = ? AND config_hash = ? AND "
                            "repetition = ? AND status = 'running'");
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
}

std::vector<RunRow> ResultsStore::LoadRuns(const std::string& suite) const {
  SQLite::Statement query(
      *db_, std::string("SELECT ") + kRunColumns +
                " FROM runs WHERE suite = ? AND status != 'running' "
                "ORDER BY id");
  query.bind(1, suite);
  return ReadRuns(*db_, query);
}

std::vector<std::string> ResultsStore::Suites() const {
  SQLite::Statement query(*db_,
                          "SELECT DISTINCT suite FROM runs ORDER BY suite");
  std::vector<std::string> suites;
  while (query.executeStep()) suites.push_back(query.getColumn(0).getString());
  return suites;
}

}  // namespace carbonbench
