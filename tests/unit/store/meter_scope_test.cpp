// What a stored meter figure covers: as the run recorded it, and for runs
// stored before runs recorded it, as the meters declared it then.
#include "store/meter_scope.h"

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

MeterRecord Meter(const std::string& name, std::optional<std::string> scope) {
  MeterRecord meter;
  meter.name = name;
  meter.available = true;
  meter.scope = std::move(scope);
  return meter;
}

RunStart WithMeters(std::vector<MeterRecord> meters) {
  RunStart start;
  start.meters = std::move(meters);
  return start;
}

TEST(RecordedMeterScope, TheScopeRecordedWithTheRunWins) {
  const RunStart start =
      WithMeters({Meter("wattmeter", "process"), Meter("cpu_estimate", "machine")});
  EXPECT_EQ(RecordedMeterScope(start, "wattmeter"), "process");
  // Recorded beats what the meter declared before runs recorded scopes.
  EXPECT_EQ(RecordedMeterScope(start, "cpu_estimate"), "machine");
}

TEST(RecordedMeterScope, RunsStoredBeforeScopesReadWhatTheMetersDeclaredThen) {
  const RunStart old =
      WithMeters({Meter("rapl", std::nullopt), Meter("cpu_estimate", std::nullopt)});
  EXPECT_EQ(RecordedMeterScope(old, "cpu_estimate"), "process");
  EXPECT_EQ(RecordedMeterScope(old, "rapl"), "machine");
  EXPECT_EQ(RecordedMeterScope(WithMeters({}), "cpu_estimate"), "process");
  EXPECT_EQ(RecordedMeterScope(WithMeters({}), "wattmeter"), "machine");
}

TEST(ParseMeterScopes, ReadsTheMeterAndScopeColumns) {
  const auto scopes = ParseMeterScopes("meter,scope\r\na,process\r\nb,machine\n\nbad line\n");
  EXPECT_EQ(scopes, (std::map<std::string, std::string>{{"a", "process"}, {"b", "machine"}}));
}

}  // namespace
}  // namespace carbonbench
