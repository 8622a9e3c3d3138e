// The report's sections, in the order the report shows them. Adding a
// section is one file (its render function) plus one line in the table.
#pragma once

#include <string>
#include <vector>

#include "report/render/sections.h"

namespace carbonbench::report {

struct ReportSection {
  const char* name;  // what the section is about, for readers of the table
  std::string (*render)(const ReportInput& input);
};

const std::vector<ReportSection>& ReportSections();

}  // namespace carbonbench::report
