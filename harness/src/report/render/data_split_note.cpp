// Why a dataset's cells appear in several tables: they trained on
// different data, and cells are compared only on the same data.
#include <fmt/format.h>

#include "report/render/sections.h"

namespace carbonbench::report {

std::string DataSplitNote(const std::vector<CellRuns>& cells) {
  std::vector<std::string> split;  // "fashion_mnist (a; b)"
  const std::vector<DatasetCells> groups = FinishedCellsByDataset(cells);
  for (std::size_t i = 0; i < groups.size();) {
    std::vector<std::string> data;
    std::size_t next = i;
    // A dataset's groups are next to each other.
    while (next < groups.size() && groups[next].dataset == groups[i].dataset &&
           groups[next].regression == groups[i].regression) {
      data.push_back(groups[next].data);
      ++next;
    }
    if (data.size() > 1) {
      split.push_back(fmt::format("{} ({})", groups[i].dataset, fmt::join(data, "; ")));
    }
    i = next;
  }
  if (split.empty()) return "";
  return EscapeText(fmt::format(
             "Cells are compared only with cells trained and tested on the same data (dataset, "
             "sizes and split), as accuracy and cost both follow the data: {} ran on more than "
             "one, so each is ranked apart.",
             fmt::join(split, " and "))) +
         "\n\n";
}

}  // namespace carbonbench::report
