// How each field of a run record is kept in the store: one description per
// table of {column, SQL definition, store version that added it, the record
// member}. The tables are created, upgraded, written and read from it alone,
// so a new field is one line here (and the version bump that adds it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "records/record_json.h"
#include "records/run_records.h"

namespace carbonbench::store {

// When ResultsStore writes a runs column: at BeginRun, when the run ends
// (FinishRun, FailRun), or both; never for the id SQLite assigns.
enum Written : unsigned { kNever = 0, kAtBegin = 1, kAtEnd = 2, kAtBeginAndEnd = 3 };

template <class Record>
struct ColumnSpec {
  const char* name;
  const char* definition;  // SQL type, constraints and default
  // The store version that added the column; a file older than that gains
  // it (with its default) when opened. A column added after version 1 needs
  // a DEFAULT, which is what rows from before it read as.
  int since_version;
  Written written;
  void (*bind)(SQLite::Statement& statement, int index, const Record& record);
  void (*read)(const SQLite::Column& column, Record& record);
};

template <class Record>
struct TableSpec {
  const char* name;
  const char* leading;   // columns that are no record member ("run_id ...")
  const char* trailing;  // table constraints
  std::vector<ColumnSpec<Record>> columns;
};

const TableSpec<RunRow>& RunsTable();
const TableSpec<EpochRecord>& EpochsTable();
const TableSpec<InferenceRecord>& InferenceTable();

// Plain values bind as themselves; a record's details as their JSON text.
inline void BindValue(SQLite::Statement& s, int index, const std::string& value) {
  s.bind(index, value);
}
inline void BindValue(SQLite::Statement& s, int index, int value) { s.bind(index, value); }
inline void BindValue(SQLite::Statement& s, int index, std::int64_t value) { s.bind(index, value); }
inline void BindValue(SQLite::Statement& s, int index, double value) { s.bind(index, value); }
template <class Record>
void BindValue(SQLite::Statement& s, int index, const Record& value) {
  s.bind(index, EncodeRecord(value));
}

inline void ReadValue(const SQLite::Column& column, std::string& value) {
  value = column.getString();
}
inline void ReadValue(const SQLite::Column& column, int& value) { value = column.getInt(); }
inline void ReadValue(const SQLite::Column& column, std::int64_t& value) {
  value = column.getInt64();
}
inline void ReadValue(const SQLite::Column& column, double& value) { value = column.getDouble(); }
template <class Record>
void ReadValue(const SQLite::Column& column, Record& value) {
  value = DecodeRecord<Record>(column.getString());
}

// The column of the member reached from Record by Path (one member pointer,
// or two for a member of RunRow::start or RunRow::summary).
template <class Record, auto... Path>
ColumnSpec<Record> Column(const char* name, const char* definition, int since_version,
                          Written written = kAtBegin) {
  return {
      name,
      definition,
      since_version,
      written,
      [](SQLite::Statement& s, int index, const Record& record) {
        BindValue(s, index, (record.*....*Path));
      },
      [](const SQLite::Column& column, Record& record) { ReadValue(column, (record.*....*Path)); }};
}

// "a, b, c" of the columns written at `when` (every column for kNever).
template <class Record>
std::string ColumnNames(const TableSpec<Record>& table, Written when = kNever) {
  std::string names;
  for (const ColumnSpec<Record>& column : table.columns) {
    if (when != kNever && (column.written & when) == 0) continue;
    names += (names.empty() ? "" : ", ") + std::string(column.name);
  }
  return names;
}

// "?, ?, ?": one placeholder per column ColumnNames(table, when) names.
template <class Record>
std::string Placeholders(const TableSpec<Record>& table, Written when = kNever) {
  std::string marks;
  for (const ColumnSpec<Record>& column : table.columns) {
    if (when != kNever && (column.written & when) == 0) continue;
    marks += marks.empty() ? "?" : ", ?";
  }
  return marks;
}

// Reads a row selected with ColumnNames(table) at column `first` onwards.
template <class Record>
void ReadColumns(const SQLite::Statement& row, const TableSpec<Record>& table, Record& record,
                 int first = 0) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    table.columns[i].read(row.getColumn(first + static_cast<int>(i)), record);
  }
}

// Binds the columns written at `when`, from index `first` on, in the order
// of ColumnNames(table, when); returns the next free index.
template <class Record>
int BindColumns(SQLite::Statement& statement, const TableSpec<Record>& table, const Record& record,
                Written when, int first = 1) {
  int index = first;
  for (const ColumnSpec<Record>& column : table.columns) {
    if ((column.written & when) == 0) continue;
    column.bind(statement, index++, record);
  }
  return index;
}

}  // namespace carbonbench::store
