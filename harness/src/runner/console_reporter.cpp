#include "runner/console_reporter.h"

#include <unistd.h>

#include <ostream>

namespace carbonbench {

SuiteConsoleReporter::SuiteConsoleReporter(std::string heading)
    : benchmark::ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular),
      heading_(std::move(heading)) {}

bool SuiteConsoleReporter::ReportContext(const Context& context) {
  name_field_width_ = context.name_field_width;
  printed_header_ = false;
  prev_counters_.clear();
  GetErrorStream() << heading_ << "\n";
  return true;
}

}  // namespace carbonbench
