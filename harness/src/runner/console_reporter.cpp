#include "runner/console_reporter.h"

#include <unistd.h>

#include <ostream>

namespace carbonbench {

SuiteConsoleReporter::SuiteConsoleReporter(std::string heading, const ChildCpuTimes* cpu_times)
    : benchmark::ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular),
      heading_(std::move(heading)),
      cpu_times_(cpu_times) {}

void SuiteConsoleReporter::ReportRuns(const std::vector<Run>& runs) {
  benchmark::ConsoleReporter::ReportRuns(cpu_times_->Patch(runs));
}

bool SuiteConsoleReporter::ReportContext(const Context& context) {
  name_field_width_ = context.name_field_width;
  printed_header_ = false;
  prev_counters_.clear();
  GetErrorStream() << heading_ << "\n";
  return true;
}

}  // namespace carbonbench
