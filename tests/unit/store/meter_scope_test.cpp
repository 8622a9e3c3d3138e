// What a stored meter figure covers: as the run recorded it, and for runs
// stored before runs recorded it, as the meters declared it then.
#include "store/meter_scope.h"

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

RunStart WithMeters(const std::string& meters_json) {
  RunStart start;
  start.meters_json = meters_json;
  return start;
}

TEST(RecordedMeterScope, TheScopeRecordedWithTheRunWins) {
  const RunStart start =
      WithMeters(R"([{"name":"wattmeter","available":true,"components":{"cpu":"measured"},)"
                 R"("scope":"process"},{"name":"cpu_estimate","available":true,)"
                 R"("components":{"cpu":"estimated"},"scope":"machine"}])");
  EXPECT_EQ(RecordedMeterScope(start, "wattmeter"), "process");
  // Recorded beats what the meter declared before runs recorded scopes.
  EXPECT_EQ(RecordedMeterScope(start, "cpu_estimate"), "machine");
}

TEST(RecordedMeterScope, RunsStoredBeforeScopesReadWhatTheMetersDeclaredThen) {
  const RunStart old =
      WithMeters(R"([{"name":"rapl","available":false,"reason":"no powercap"},)"
                 R"({"name":"cpu_estimate","available":true,"components":{"cpu":"estimated"}}])");
  EXPECT_EQ(RecordedMeterScope(old, "cpu_estimate"), "process");
  EXPECT_EQ(RecordedMeterScope(old, "rapl"), "machine");
  EXPECT_EQ(RecordedMeterScope(WithMeters("not json"), "cpu_estimate"), "process");
  EXPECT_EQ(RecordedMeterScope(WithMeters(""), "wattmeter"), "machine");
}

TEST(ParseMeterScopes, ReadsTheMeterAndScopeColumns) {
  const auto scopes = ParseMeterScopes("meter,scope\r\na,process\r\nb,machine\n\nbad line\n");
  EXPECT_EQ(scopes, (std::map<std::string, std::string>{{"a", "process"}, {"b", "machine"}}));
}

}  // namespace
}  // namespace carbonbench
