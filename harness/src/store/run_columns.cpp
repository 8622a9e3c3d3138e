#include "store/run_columns.h"

namespace carbonbench::detail {
namespace {

template <auto Member>
ColumnSpec<RunRow> Row(const char* name, const char* definition, Written written,
                       int since_version = 1) {
  return Column<RunRow, Member>(name, definition, since_version, written);
}
template <auto Member>
ColumnSpec<RunRow> Start(const char* name, const char* definition, int since_version = 1) {
  return Column<RunRow, &RunRow::start, Member>(name, definition, since_version, kAtBegin);
}
template <auto Member>
ColumnSpec<RunRow> Summary(const char* name, const char* definition, int since_version = 1) {
  return Column<RunRow, &RunRow::summary, Member>(name, definition, since_version, kAtEnd);
}
template <auto Member>
ColumnSpec<EpochRecord> Epoch(const char* name, const char* definition, int since_version = 1) {
  return Column<EpochRecord, Member>(name, definition, since_version);
}
template <auto Member>
ColumnSpec<InferenceRecord> Inference(const char* name, const char* definition,
                                      int since_version = 4) {
  return Column<InferenceRecord, Member>(name, definition, since_version);
}

}  // namespace

// Every run is one row, written as it goes: "running" at BeginRun, then
// "finished", "failed" or "pruned" (a search stopped it) with its summary.
// `run --fresh` keeps the cell's earlier runs as history (superseded_at
// set); the unique index runs_current (store_schema.cpp) holds the
// invariant BeginRun keeps: one current attempt per cell repetition.
// Before version 8 a UNIQUE constraint held it over every row, which left
// no room for history.
// AUTOINCREMENT so that ids are never reused after an attempt is deleted,
// which keeps "ordered by id" meaning "in the order they were started".
// A run's details are kept as JSON text (record_json.h), so a new key in one
// of them needs no schema change.
const TableSpec<RunRow>& RunsTable() {
  static const TableSpec<RunRow> table{
      "runs",
      "",
      "CHECK (superseded_at = '' OR status != 'running')",
      {
          Row<&RunRow::id>("id", "INTEGER PRIMARY KEY AUTOINCREMENT", kNever),
          Start<&RunStart::suite>("suite", "TEXT NOT NULL"),
          Start<&RunStart::cell_name>("cell_name", "TEXT NOT NULL"),
          Start<&RunStart::config_hash>("config_hash", "TEXT NOT NULL"),
          Start<&RunStart::config_json>("config_json", "TEXT NOT NULL"),
          Start<&RunStart::repetition>("repetition", "INTEGER NOT NULL"),
          Start<&RunStart::seed>("seed", "INTEGER NOT NULL"),
          Start<&RunStart::model>("model", "TEXT NOT NULL"),
          Start<&RunStart::optimizations>("optimizations", "TEXT NOT NULL"),
          Start<&RunStart::dataset>("dataset", "TEXT NOT NULL"),
          Start<&RunStart::task>("task", "TEXT NOT NULL DEFAULT 'classification'", 2),
          Start<&RunStart::environment>("environment_json", "TEXT NOT NULL"),
          Start<&RunStart::meters>("meters_json", "TEXT NOT NULL"),
          Start<&RunStart::region_requested>("region_requested", "TEXT NOT NULL"),
          Start<&RunStart::region_used>("region_used", "TEXT NOT NULL"),
          Start<&RunStart::intensity_g_per_kwh>("intensity_g_per_kwh", "REAL NOT NULL"),
          Start<&RunStart::intensity_source>("intensity_source", "TEXT NOT NULL"),
          Start<&RunStart::pue>("pue", "REAL NOT NULL"),
          Start<&RunStart::carbon>("carbon_json", "TEXT NOT NULL DEFAULT '{}'", 3),
          Start<&RunStart::idle>("idle_json", "TEXT NOT NULL DEFAULT '{}'", 3),
          Row<&RunRow::status>(
              "status",
              "TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'pruned'))",
              kAtBeginAndEnd),
          Row<&RunRow::failure_reason>("failure_reason", "TEXT NOT NULL DEFAULT ''",
                                       kAtBeginAndEnd),
          Row<&RunRow::started_at>("started_at", "TEXT NOT NULL", kAtBegin),
          Row<&RunRow::finished_at>("finished_at", "TEXT NOT NULL DEFAULT ''", kAtBeginAndEnd),
          Summary<&RunSummary::epochs_run>("epochs_run", "INTEGER NOT NULL DEFAULT 0"),
          Summary<&RunSummary::best_accuracy>("best_accuracy", "REAL NOT NULL DEFAULT 0"),
          Summary<&RunSummary::final_accuracy>("final_accuracy", "REAL NOT NULL DEFAULT 0"),
          Summary<&RunSummary::best_rmse>("best_rmse", "REAL NOT NULL DEFAULT 0", 2),
          Summary<&RunSummary::final_rmse>("final_rmse", "REAL NOT NULL DEFAULT 0", 2),
          Summary<&RunSummary::final_mae>("final_mae", "REAL NOT NULL DEFAULT 0", 2),
          Summary<&RunSummary::duration_s>("duration_s", "REAL NOT NULL DEFAULT 0"),
          Summary<&RunSummary::energy_wh>("energy_wh", "REAL NOT NULL DEFAULT 0"),
          Summary<&RunSummary::co2_g>("co2_g", "REAL NOT NULL DEFAULT 0"),
          Summary<&RunSummary::idle_energy_wh>("idle_energy_wh", "REAL NOT NULL DEFAULT 0", 3),
          Summary<&RunSummary::energy_provenance>("energy_provenance", "TEXT NOT NULL DEFAULT ''"),
          Summary<&RunSummary::usage>("usage_json", "TEXT NOT NULL DEFAULT '{}'", 3),
          Summary<&RunSummary::stop_reason>("stop_reason", "TEXT NOT NULL DEFAULT ''"),
          Summary<&RunSummary::model_path>("model_path", "TEXT NOT NULL DEFAULT ''"),
          // Version 1 gained it during its life: its early files lack it.
          Summary<&RunSummary::compute_dtype>("compute_dtype", "TEXT NOT NULL DEFAULT ''", 2),
          Summary<&RunSummary::phases>("phases_json", "TEXT NOT NULL DEFAULT '[]'"),
          Summary<&RunSummary::warnings>("warnings_json", "TEXT NOT NULL DEFAULT '[]'"),
          Summary<&RunSummary::cold_start_s>("cold_start_s", "REAL NOT NULL DEFAULT 0", 4),
          Summary<&RunSummary::confusion>("confusion_json", "TEXT NOT NULL DEFAULT '{}'", 5),
          Summary<&RunSummary::memory>("memory_json", "TEXT NOT NULL DEFAULT '{}'", 6),
          Summary<&RunSummary::figures>("figures_json", "TEXT NOT NULL DEFAULT '{}'", 6),
          Summary<&RunSummary::energy_band_wh>("energy_band_wh", "REAL NOT NULL DEFAULT 0", 7),
          Summary<&RunSummary::measurement>("measurement_json", "TEXT NOT NULL DEFAULT '{}'", 7),
          Row<&RunRow::superseded_at>("superseded_at", "TEXT NOT NULL DEFAULT ''", kNever, 8),
          Summary<&RunSummary::runtime>("runtime", "TEXT NOT NULL DEFAULT ''", 11),
          Summary<&RunSummary::architecture>("architecture", "TEXT NOT NULL DEFAULT ''", 11),
      }};
  return table;
}

const TableSpec<EpochRecord>& EpochsTable() {
  static const TableSpec<EpochRecord> table{
      "epochs",
      "run_id INTEGER NOT NULL REFERENCES runs (id)",
      "PRIMARY KEY (run_id, epoch)",
      {
          Epoch<&EpochRecord::epoch>("epoch", "INTEGER NOT NULL"),
          Epoch<&EpochRecord::train_loss>("train_loss", "REAL NOT NULL"),
          Epoch<&EpochRecord::test_loss>("test_loss", "REAL NOT NULL"),
          Epoch<&EpochRecord::test_accuracy>("test_accuracy", "REAL NOT NULL"),
          Epoch<&EpochRecord::test_rmse>("test_rmse", "REAL NOT NULL DEFAULT 0", 2),
          Epoch<&EpochRecord::test_mae>("test_mae", "REAL NOT NULL DEFAULT 0", 2),
          Epoch<&EpochRecord::train_s>("train_s", "REAL NOT NULL"),
          Epoch<&EpochRecord::eval_s>("eval_s", "REAL NOT NULL"),
          // Version 1 gained it during its life: its early files lack it.
          Epoch<&EpochRecord::data_s>("data_s", "REAL NOT NULL DEFAULT 0", 2),
          Epoch<&EpochRecord::energy_wh>("energy_wh", "REAL NOT NULL"),
          Epoch<&EpochRecord::co2_g>("co2_g", "REAL NOT NULL"),
          Epoch<&EpochRecord::energy_provenance>("energy_provenance", "TEXT NOT NULL"),
          Epoch<&EpochRecord::phase>("phase", "TEXT NOT NULL DEFAULT 'train'", 6),
          Epoch<&EpochRecord::energy_band_wh>("energy_band_wh", "REAL NOT NULL DEFAULT 0", 7),
      }};
  return table;
}

// Added in version 4 as a whole table: an older file gains it empty, and its
// runs read as runs whose inference phase did not run.
const TableSpec<InferenceRecord>& InferenceTable() {
  static const TableSpec<InferenceRecord> table{
      "inference",
      "run_id INTEGER NOT NULL REFERENCES runs (id)",
      "PRIMARY KEY (run_id, batch_size)",
      {
          Inference<&InferenceRecord::batch_size>("batch_size", "INTEGER NOT NULL"),
          Inference<&InferenceRecord::iterations>("iterations", "INTEGER NOT NULL"),
          Inference<&InferenceRecord::predictions>("predictions", "INTEGER NOT NULL"),
          Inference<&InferenceRecord::mean_ms>("mean_ms", "REAL NOT NULL"),
          Inference<&InferenceRecord::p50_ms>("p50_ms", "REAL NOT NULL"),
          Inference<&InferenceRecord::p90_ms>("p90_ms", "REAL NOT NULL"),
          Inference<&InferenceRecord::p99_ms>("p99_ms", "REAL NOT NULL"),
          Inference<&InferenceRecord::throughput_per_s>("throughput_per_s", "REAL NOT NULL"),
          Inference<&InferenceRecord::energy_wh>("energy_wh", "REAL NOT NULL"),
          Inference<&InferenceRecord::co2_g>("co2_g", "REAL NOT NULL"),
          Inference<&InferenceRecord::energy_wh_per_1000>("energy_wh_per_1000", "REAL NOT NULL"),
          Inference<&InferenceRecord::energy_provenance>("energy_provenance", "TEXT NOT NULL"),
          Inference<&InferenceRecord::energy_band_wh>("energy_band_wh", "REAL NOT NULL DEFAULT 0",
                                                      7),
      }};
  return table;
}

}  // namespace carbonbench::detail
