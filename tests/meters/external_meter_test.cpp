// The external meter over files and commands the test writes.
#include <gtest/gtest.h>

#include "carbonbench/utf8.h"
#include "external/energy_reading.h"
#include "meter_test_util.h"
#include "records/record_json.h"
#include "runner/meter_selection.h"

namespace carbonbench {
namespace {

using meter_testing::MakeMeter;
using meter_testing::TempDir;

TEST(ExternalMeter, AFileReadingIsMeasuredFromStart) {
  TempDir dir;
  const std::string file = dir.Write("plug.txt", "100\n");
  auto meter = MakeMeter("external", {{"file", file}});
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available) << availability.reason;
  EXPECT_EQ(availability.reason, "reads file " + file + ": 100 J now");
  EXPECT_EQ(meter->Components(), std::vector<Component>{Component::kCpu});
  EXPECT_EQ(meter->ProvenanceOf(Component::kCpu), Provenance::kMeasured);
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kAbsent);
  EXPECT_NE(meter->Method().find("a wall plug: the whole machine"), std::string::npos);

  meter->Start();
  EXPECT_EQ(meter->ReadJoules().at(Component::kCpu), 0.0);
  dir.Write("plug.txt", "160\n");
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kCpu), 60.0);
}

TEST(ExternalMeter, KilowattHoursAndAResetSource) {
  TempDir dir;
  const std::string file = dir.Write("plug.txt", "12.5 kWh\n");
  auto meter = MakeMeter("external", {{"file", file}, {"unit", std::string("kWh")}});
  ASSERT_TRUE(meter->Probe().available);
  meter->Start();
  dir.Write("plug.txt", "12.501 kWh\n");
  EXPECT_NEAR(meter->ReadJoules().at(Component::kCpu), 3600.0, 1e-6);
  dir.Write("plug.txt", "0.0005 kWh\n");  // the plug restarted from zero
  EXPECT_NEAR(meter->ReadJoules().at(Component::kCpu), 3600.0 + 1800.0, 1e-6);
}

TEST(ExternalMeter, ACommandInWattHoursRecordedAsGpu) {
  TempDir dir;
  const std::string file = dir.Write("metrics.txt", "# TYPE e counter\nenergy_wh_total 2\n");
  auto meter = MakeMeter(
      "external",
      {{"command", "cat " + file}, {"unit", std::string("Wh")}, {"component", std::string("gpu")}});
  ASSERT_TRUE(meter->Probe().available);
  EXPECT_EQ(meter->Components(), std::vector<Component>{Component::kGpu});
  EXPECT_EQ(meter->ProvenanceOf(Component::kGpu), Provenance::kMeasured);
  EXPECT_NE(meter->Method().find("command 'cat " + file + "', recorded as gpu"), std::string::npos)
      << meter->Method();
  meter->Start();
  dir.Write("metrics.txt", "energy_wh_total 2.5\n");
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kGpu), 1800.0);
}

TEST(ExternalMeter, AnEchoedReading) {
  auto meter = MakeMeter("external", {{"command", std::string("echo 42.5")}});
  const Availability availability = meter->Probe();
  ASSERT_TRUE(availability.available) << availability.reason;
  EXPECT_EQ(availability.reason, "reads command 'echo 42.5': 42.5 J now");
}

TEST(ExternalMeter, AFailedReadKeepsTheLastFigure) {
  TempDir dir;
  const std::string file = dir.Write("plug.txt", "10\n");
  auto meter = MakeMeter("external", {{"file", file}});
  ASSERT_TRUE(meter->Probe().available);
  meter->Start();
  dir.Write("plug.txt", "14\n");
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kCpu), 4.0);
  dir.Write("plug.txt", "garbage\n");
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kCpu), 4.0);
  dir.Write("plug.txt", "19\n");
  EXPECT_DOUBLE_EQ(meter->ReadJoules().at(Component::kCpu), 9.0);
}

TEST(ExternalMeter, AMissingFileSaysWhich) {
  TempDir dir;
  const std::string missing = (dir.path() / "none").string();
  const Availability availability = MakeMeter("external", {{"file", missing}})->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_EQ(availability.reason.rfind(
                "cannot read external.file " + missing + ": No such file or directory", 0),
            0u)
      << availability.reason;
}

TEST(ExternalMeter, AFailingCommandIsQuotedWithItsOutput) {
  const Availability availability =
      MakeMeter("external", {{"command", std::string("echo broken; exit 3")}})->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find(
                "external.command 'echo broken; exit 3' exited with status 3; it printed "
                "'broken'"),
            std::string::npos)
      << availability.reason;
}

TEST(ExternalMeter, OutputWithoutANumberIsQuoted) {
  const Availability availability =
      MakeMeter("external", {{"command", std::string("echo no reading")}})->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find("command 'echo no reading' gave no number: 'no reading'"),
            std::string::npos)
      << availability.reason;
  const Availability negative =
      MakeMeter("external", {{"command", std::string("echo -5")}})->Probe();
  EXPECT_NE(negative.reason.find("gave a negative reading: '-5'"), std::string::npos)
      << negative.reason;
}

// A reason must reach the store as UTF-8: the report reads it back as JSON.
void ExpectValidUtf8(const std::string& text) {
  EXPECT_FALSE(FirstInvalidUtf8Byte(text).has_value()) << text;
}

TEST(ExternalMeter, OutputThatIsNotUtf8IsRefusedNamingTheCommand) {
  const std::string command = "printf '\\377\\376 12\\n'";
  const Availability availability = MakeMeter("external", {{"command", command}})->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find("command '" + command +
                                     "' printed bytes that are not UTF-8 text (byte 0 is 0xFF): "
                                     "'\\xFF\\xFE 12'"),
            std::string::npos)
      << availability.reason;
  ExpectValidUtf8(availability.reason);
}

TEST(ExternalMeter, ReadingsThatAreNotFiniteAreRefused) {
  for (const std::string output :
       {"nan", "inf", "1e999", "energy_joules_total NaN 1700000000000"}) {
    const std::string command = "echo " + output;
    const Availability availability = MakeMeter("external", {{"command", command}})->Probe();
    EXPECT_FALSE(availability.available) << output;
    EXPECT_NE(availability.reason.find("command '" + command +
                                       "' gave a reading that is not a finite number"),
              std::string::npos)
        << availability.reason;
  }
}

TEST(ExternalMeter, ANonRegularFileIsRefused) {
  const Availability availability =
      MakeMeter("external", {{"file", std::string("/dev/zero")}})->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_EQ(availability.reason.rfind("external.file /dev/zero is not a regular file", 0), 0u)
      << availability.reason;
}

TEST(ExternalMeter, ACommandPastItsDeadlineIsKilledAndSaysSo) {
  // Without the deadline this would block for 1000 s.
  const Availability availability =
      MakeMeter("external",
                {{"command", std::string("echo started; sleep 1000")}, {"timeout_s", 0.2}})
          ->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find("external.command 'echo started; sleep 1000' gave no "
                                     "reading within external.timeout_s = 0.2 s"),
            std::string::npos)
      << availability.reason;
  EXPECT_NE(availability.reason.find("it printed 'started'"), std::string::npos)
      << availability.reason;
}

// A meter whose reading is refused is one more unavailable meter: the next
// one listed measures, and what is recorded of the refused one is JSON.
TEST(ExternalMeter, ASilentCommandPrintedNothing) {
  const Availability availability =
      MakeMeter("external", {{"command", std::string("sleep 1000")}, {"timeout_s", 0.1}})->Probe();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.reason.find("were killed; it printed nothing (raise external.timeout_s"),
            std::string::npos)
      << availability.reason;
}

TEST(ExternalMeter, ARefusedReadingFallsBackToTheNextMeter) {
  const PluginRegistry& registry = test_support::Registry();
  const std::map<std::string, ParamValue> external = {
      {"command", std::string("printf '\\377 12\\n'")}};
  const std::map<std::string, ParamValue> constant = {{"cpu_w", 10.0}};
  const MeterSelection selection = SelectMeters(
      registry, {"external", "constant"},
      [&](const std::string& name) {
        return ResolveParams(registry.Find(PluginKind::kMeter, name)->params,
                             name == "external" ? external : constant);
      },
      MeterContext{});
  ASSERT_EQ(selection.meters.size(), 1u);
  EXPECT_EQ(selection.meters[0].name, "constant");
  const std::vector<MeterRecord> described = selection.Describe();
  ASSERT_EQ(described.size(), 2u);
  EXPECT_EQ(described[0].available, false);
  EXPECT_NO_THROW(ToJson(described[0]).dump());
}

TEST(ExternalMeter, ExactlyOneSource) {
  EXPECT_EQ(MakeMeter("external")->Probe().reason,
            "neither external.file nor external.command is set: set exactly one, a file "
            "holding the cumulative energy or a command printing it");
  const Availability both =
      MakeMeter("external", {{"file", std::string("/x")}, {"command", std::string("echo 1")}})
          ->Probe();
  EXPECT_FALSE(both.available);
  EXPECT_EQ(both.reason.rfind("both external.file and external.command are set", 0), 0u);
}

}  // namespace
}  // namespace carbonbench
