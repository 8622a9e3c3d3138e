#include "store/store_merge.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/results_store.h"
#include "store/store_schema.h"
#include "util/file_name.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

struct Candidate {
  std::size_t input = 0;
  std::int64_t id = 0;
  std::string status;
  std::string cell_name;
  std::string started_at;
  std::string finished_at;
  std::string config_json;
};

using RunKey = std::tuple<std::string, std::string, int>;  // suite, hash, repetition
// A run kept as history (superseded by `run --fresh`): suite, hash,
// repetition, started_at. The same history in two inputs is written once.
using HistoryKey = std::tuple<std::string, std::string, int, std::string>;

// Columns of `table` that must have a value and have no default: an older
// input lacking one gets the type's zero, as the upgrade of a store would.
std::map<std::string, std::string> RequiredWithoutDefault(const SQLite::Database& db,
                                                          const std::string& table) {
  std::map<std::string, std::string> columns;
  SQLite::Statement query(db,
                          "SELECT name, type FROM pragma_table_info(?) WHERE \"notnull\" = 1 AND "
                          "dflt_value IS NULL AND pk = 0");
  query.bind(1, table);
  while (query.executeStep()) {
    columns[query.getColumn(0).getString()] = query.getColumn(1).getString();
  }
  return columns;
}

std::vector<std::string> Columns(const SQLite::Database& db, const std::string& table) {
  std::vector<std::string> columns;
  SQLite::Statement query(db, "SELECT name FROM pragma_table_info(?)");
  query.bind(1, table);
  while (query.executeStep()) columns.push_back(query.getColumn(0).getString());
  return columns;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::unique_ptr<SQLite::Database> OpenInput(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw std::runtime_error(fmt::format("{}: no such store (check the path)", path));
  }
  auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
  db->setBusyTimeout(10000);
  int version = 0;
  try {
    version = ReadStoreSchemaVersion(*db);
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error(fmt::format("{}: not a carbonbench store ({})", path, e.what()));
  }
  if (version == 0 || !db->tableExists("runs")) {
    throw std::runtime_error(
        fmt::format("{}: not a carbonbench store (no schema version or no runs table)", path));
  }
  if (version > kStoreSchemaVersion) {
    throw std::runtime_error(
        fmt::format("{} has store schema version {}; this carbonbench reads up to {}: merge with a "
                    "newer carbonbench",
                    path, version, kStoreSchemaVersion));
  }
  return db;
}

void BindColumn(SQLite::Statement& insert, int index, const SQLite::Column& value) {
  if (value.isNull()) {
    insert.bind(index);
  } else if (value.isInteger()) {
    insert.bind(index, value.getInt64());
  } else if (value.isFloat()) {
    insert.bind(index, value.getDouble());
  } else if (value.isBlob()) {
    insert.bind(index, value.getBlob(), value.getBytes());
  } else {
    insert.bind(index, value.getString());
  }
}

// Copies the rows `where` selects from `table` of `from` into `to`, by the
// columns both have; `run_id`, when given, replaces that column's value.
// Returns the last inserted row id.
std::int64_t CopyRows(SQLite::Database& from, SQLite::Database& to, const std::string& table,
                      const std::string& where, std::int64_t key, bool skip_id,
                      std::optional<std::int64_t> run_id) {
  const std::vector<std::string> source = Columns(from, table);
  std::vector<std::string> shared;
  for (const std::string& column : Columns(to, table)) {
    if (skip_id && column == "id") continue;
    if (Contains(source, column)) shared.push_back(column);
  }
  std::string names, marks, selected;
  for (const std::string& column : shared) {
    names += (names.empty() ? "\"" : ", \"") + column + "\"";
    marks += marks.empty() ? "?" : ", ?";
  }
  selected = names;
  for (const auto& [column, type] : RequiredWithoutDefault(to, table)) {
    if (Contains(shared, column) || (skip_id && column == "id")) continue;
    names += ", \"" + column + "\"";
    marks += type == "TEXT" ? ", ''" : ", 0";
  }
  SQLite::Statement select(from, "SELECT " + selected + " FROM \"" + table + "\" WHERE " + where);
  select.bind(1, key);
  SQLite::Statement insert(to,
                           "INSERT INTO \"" + table + "\" (" + names + ") VALUES (" + marks + ")");
  std::int64_t last = 0;
  while (select.executeStep()) {
    for (std::size_t i = 0; i < shared.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (run_id && shared[i] == "run_id") {
        insert.bind(index, *run_id);
      } else {
        BindColumn(insert, index, select.getColumn(static_cast<int>(i)));
      }
    }
    insert.exec();
    insert.reset();
    insert.clearBindings();
    last = to.getLastInsertRowid();
  }
  return last;
}

void CheckOutput(const std::vector<std::string>& inputs, const std::string& output) {
  std::error_code ec;
  if (fs::exists(output, ec)) {
    throw std::runtime_error(fmt::format(
        "{} already exists: choose a new name for the merged store, or list {} as an input", output,
        output));
  }
  const fs::path out = fs::weakly_canonical(output, ec);
  for (const std::string& input : inputs) {
    if (fs::weakly_canonical(input, ec) == out) {
      throw std::runtime_error(
          fmt::format("{} is also an input: write the merge to a new file", output));
    }
  }
}

// A failed attempt gives way to a finished one or to a later failure; two
// different finished attempts are a conflict, and the earlier input's stays.
void Consider(std::map<RunKey, Candidate>& chosen, const RunKey& key, const Candidate& candidate,
              const std::vector<std::string>& inputs, MergeSummary& summary) {
  auto [at, fresh] = chosen.emplace(key, candidate);
  if (fresh) return;
  Candidate& kept = at->second;
  const std::size_t i = candidate.input;
  if (kept.status == "finished" && candidate.status == "finished") {
    if (kept.started_at == candidate.started_at && kept.config_json == candidate.config_json) {
      ++summary.inputs[i].duplicates;
    } else {
      summary.conflicts.push_back({std::get<0>(key), kept.cell_name, std::get<2>(key),
                                   inputs[kept.input], kept.started_at, inputs[i],
                                   candidate.started_at});
    }
  } else if (kept.status == "failed" &&
             (candidate.status == "finished" || candidate.finished_at > kept.finished_at)) {
    ++summary.inputs[kept.input].superseded;
    kept = candidate;
  } else {
    ++summary.inputs[i].superseded;
  }
}

// A suite name becomes the file names of its report: one that could lead
// out of --reports-dir (a path, "..") is refused before anything is written.
void RequireFileStemSuite(const std::string& input, std::int64_t run_id, const std::string& suite) {
  const std::string problem = FileStemProblem(suite);
  if (problem.empty()) return;
  throw std::runtime_error(fmt::format(
      "{}: run {} has suite name '{}', which {}; a suite's name becomes its report's file "
      "names, so this store is not merged. Leave it out of the merge, or run its suite again "
      "under a plain name",
      input, run_id, suite, problem));
}

// Which attempt of each cell repetition the output keeps as current; every
// run an input keeps as history goes to `history`, as it is.
std::map<RunKey, Candidate> ChooseAttempts(
    const std::vector<std::unique_ptr<SQLite::Database>>& dbs,
    const std::vector<std::string>& inputs, MergeSummary& summary,
    std::map<HistoryKey, Candidate>& history) {
  std::map<RunKey, Candidate> chosen;
  for (std::size_t i = 0; i < dbs.size(); ++i) {
    // Stores before version 8 have no history.
    const bool has_history = Contains(Columns(*dbs[i], "runs"), "superseded_at");
    SQLite::Statement query(*dbs[i], std::string("SELECT id, suite, config_hash, repetition, "
                                                 "status, cell_name, started_at, finished_at, "
                                                 "config_json, ") +
                                         (has_history ? "superseded_at" : "''") +
                                         " FROM runs ORDER BY id");
    while (query.executeStep()) {
      Candidate candidate{i,
                          query.getColumn(0).getInt64(),
                          query.getColumn(4).getString(),
                          query.getColumn(5).getString(),
                          query.getColumn(6).getString(),
                          query.getColumn(7).getString(),
                          query.getColumn(8).getString()};
      if (candidate.status != "finished" && candidate.status != "failed") {
        ++summary.inputs[i].unfinished;
        continue;
      }
      const RunKey key{query.getColumn(1).getString(), query.getColumn(2).getString(),
                       query.getColumn(3).getInt()};
      RequireFileStemSuite(inputs[i], candidate.id, std::get<0>(key));
      if (!query.getColumn(9).getString().empty()) {
        const auto [at, added] = history.emplace(
            HistoryKey{std::get<0>(key), std::get<1>(key), std::get<2>(key), candidate.started_at},
            candidate);
        if (!added) ++summary.inputs[i].duplicates;
        continue;
      }
      Consider(chosen, key, candidate, inputs, summary);
    }
  }
  return chosen;
}

// The output's tables that hang off a run (a run_id column), besides runs.
std::vector<std::string> ChildTables(SQLite::Database& out) {
  std::vector<std::string> child_tables;
  SQLite::Statement tables(out, "SELECT name FROM sqlite_master WHERE type = 'table'");
  while (tables.executeStep()) {
    const std::string table = tables.getColumn(0).getString();
    if (table != "runs" && Contains(Columns(out, table), "run_id")) child_tables.push_back(table);
  }
  return child_tables;
}

// In the order the inputs ran them, so ids still mean "started earlier".
std::vector<const Candidate*> InStartOrder(const std::map<RunKey, Candidate>& chosen,
                                           const std::map<HistoryKey, Candidate>& history) {
  std::vector<const Candidate*> order;
  for (const auto& [key, candidate] : chosen) order.push_back(&candidate);
  for (const auto& [key, candidate] : history) order.push_back(&candidate);
  std::sort(order.begin(), order.end(), [](const Candidate* a, const Candidate* b) {
    return std::tie(a->started_at, a->input, a->id) < std::tie(b->started_at, b->input, b->id);
  });
  return order;
}

// Copies each chosen run and its rows in the other tables, in one
// transaction, into the store at `path` (already of the current schema).
void WriteChosen(const std::string& path, const std::vector<std::unique_ptr<SQLite::Database>>& dbs,
                 const std::map<RunKey, Candidate>& chosen,
                 const std::map<HistoryKey, Candidate>& history, MergeSummary& summary) {
  SQLite::Database out(path, SQLite::OPEN_READWRITE);
  out.setBusyTimeout(10000);
  const std::vector<std::string> child_tables = ChildTables(out);
  SQLite::Transaction transaction(out);
  for (const Candidate* candidate : InStartOrder(chosen, history)) {
    SQLite::Database& from = *dbs[candidate->input];
    const std::int64_t id =
        CopyRows(from, out, "runs", "id = ?", candidate->id, true, std::nullopt);
    for (const std::string& table : child_tables) {
      if (!from.tableExists(table) || !Contains(Columns(from, table), "run_id")) continue;
      CopyRows(from, out, table, "run_id = ?", candidate->id, false, id);
    }
    ++summary.inputs[candidate->input].runs_taken;
    ++summary.runs_written;
  }
  transaction.commit();
  // One self-contained file to rename: nothing left in a WAL beside it.
  out.exec("PRAGMA journal_mode = DELETE");
}

}  // namespace

MergeSummary MergeStores(const std::vector<std::string>& inputs, const std::string& output) {
  if (inputs.empty()) throw std::runtime_error("merge needs at least one input store");
  CheckOutput(inputs, output);
  std::vector<std::unique_ptr<SQLite::Database>> dbs;
  MergeSummary summary;
  for (const std::string& input : inputs) {
    dbs.push_back(OpenInput(input));
    summary.inputs.push_back({input});
  }
  std::map<HistoryKey, Candidate> history;
  const std::map<RunKey, Candidate> chosen = ChooseAttempts(dbs, inputs, summary, history);

  const std::string partial = output + ".partial-" + std::to_string(getpid());
  { ResultsStore create(partial); }  // the current schema, then closed
  try {
    WriteChosen(partial, dbs, chosen, history, summary);
  } catch (...) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(partial + suffix, ec);
    throw;
  }
  fs::rename(partial, output);
  return summary;
}

}  // namespace carbonbench
