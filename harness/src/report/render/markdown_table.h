// Markdown text and tables of the report: escaping, and tables padded so
// that the raw text reads as a table too.
#pragma once

#include <string>
#include <vector>

#include "report/analysis/number_format.h"

namespace carbonbench::report {

// Makes text read literally in Markdown: backslashes, emphasis, code,
// links and HTML characters escaped, and underscores that could open or
// close emphasis (at a word's edge; "snake_case_name" is left as it is).
std::string EscapeText(const std::string& text);
// Makes text safe inside a table cell: as EscapeText, with pipes escaped
// and line breaks flattened.
std::string EscapeCell(const std::string& text);

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
};

// A Markdown table padded to column width, so the raw text reads as a
// table too. Cells are escaped when added.
class MarkdownTable {
 public:
  explicit MarkdownTable(std::vector<Column> columns);
  void AddRow(const std::vector<std::string>& cells);
  std::string Render() const;

 private:
  std::vector<std::size_t> Widths() const;

  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace carbonbench::report
