// What the external meter accepts as a reading, and how it accumulates one.
#include "external/energy_reading.h"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

#include "carbonbench/utf8.h"

namespace carbonbench::external_meter {
namespace {

TEST(EnergyReading, TakesTheFirstNumberOfTheFirstDataLine) {
  EXPECT_EQ(ParseReading("1234.5\n"), 1234.5);
  EXPECT_EQ(ParseReading("1234.5 J"), 1234.5);
  EXPECT_EQ(ParseReading("Total: 12.5 kWh\n"), 12.5);
  EXPECT_EQ(ParseReading("\n  \n7e3\n"), 7000.0);
  EXPECT_EQ(ParseReading("# HELP plug energy\n# TYPE plug counter\n"
                         "plug_energy_joules_total 98.25\nother 1\n"),
            98.25);
}

TEST(EnergyReading, SkipsPrometheusLabelsAndTimestamps) {
  EXPECT_EQ(ParseReading("plug_energy_joules_total{plug=\"desk 2\",phase=\"3\"} 98.25 "
                         "1700000000000\n"),
            98.25);
}

TEST(EnergyReading, NoNumberOnTheFirstDataLineIsNoReading) {
  EXPECT_FALSE(ParseReading("no reading here\n1\n"));
  EXPECT_FALSE(ParseReading("12.5kWh\n"));  // a number is a whole word
  EXPECT_FALSE(ParseReading("# only a comment\n"));
  EXPECT_FALSE(ParseReading(""));
}

// Not finite, but the reading all the same: the meter refuses it rather
// than take the Prometheus timestamp after it.
TEST(EnergyReading, NanAndInfAreTheReadingForTheCallerToRefuse) {
  EXPECT_TRUE(std::isnan(*ParseReading("nan\n")));
  EXPECT_TRUE(std::isinf(*ParseReading("inf J\n")));
  EXPECT_TRUE(std::isnan(*ParseReading("plug_energy_joules_total NaN 1700000000000\n")));
  EXPECT_TRUE(std::isinf(*ParseReading("1e999\n")));
}

TEST(EnergyReading, CheckedReadingRefusesWhatIsNotACumulativeEnergy) {
  EXPECT_EQ(CheckedReading("12.5\n", "command 'x'"), 12.5);
  const auto message = [](const std::string& text) {
    try {
      CheckedReading(text, "command 'x'");
    } catch (const std::runtime_error& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(
      message("\xC3\x28 12")
          .rfind("command 'x' printed bytes that are not UTF-8 text (byte 0 is 0xC3): '\\xC3( 12'",
                 0),
      0u)
      << message("\xC3\x28 12");
  EXPECT_EQ(
      message("nan").rfind("command 'x' gave a reading that is not a finite number: 'nan'", 0), 0u);
  EXPECT_EQ(message("-1").rfind("command 'x' gave a negative reading: '-1'", 0), 0u);
  EXPECT_EQ(message("none").rfind("command 'x' gave no number: 'none'", 0), 0u);
}

TEST(EnergyReading, QuotedOutputIsAlwaysUtf8) {
  EXPECT_EQ(Quoted("12 J\n"), "'12 J'");
  EXPECT_EQ(Quoted("a\x01\xFF\nb caf\xC3\xA9"), "'a\\x01\\xFF\\nb caf\xC3\xA9'");
  const std::string long_text = Quoted(std::string(1000, '\xFF'));
  EXPECT_FALSE(FirstInvalidUtf8Byte(long_text));
  EXPECT_LT(long_text.size(), 220u);
}

TEST(EnergyReading, UnitsToJoules) {
  EXPECT_EQ(JoulesPerUnit("J"), 1.0);
  EXPECT_EQ(JoulesPerUnit("Wh"), 3600.0);
  EXPECT_EQ(JoulesPerUnit("kWh"), 3.6e6);
  EXPECT_FALSE(JoulesPerUnit("cal"));
  EXPECT_FALSE(JoulesPerUnit("wh"));
}

TEST(CumulativeJoules, CountsFromTheFirstReading) {
  CumulativeJoules counter;
  counter.Reset(100);
  EXPECT_EQ(counter.joules(), 0.0);
  counter.Add(160);
  EXPECT_EQ(counter.joules(), 60.0);
  counter.Add(160);
  EXPECT_EQ(counter.joules(), 60.0);
  counter.Add(175.5);
  EXPECT_EQ(counter.joules(), 75.5);
}

TEST(CumulativeJoules, AReadingBelowTheLastMeansTheSourceRestartedFromZero) {
  CumulativeJoules counter;
  counter.Reset(1000);
  counter.Add(1040);
  counter.Add(15);  // restarted: 15 J since
  EXPECT_EQ(counter.joules(), 55.0);
  counter.Add(20);
  EXPECT_EQ(counter.joules(), 60.0);
  counter.Reset(5);
  EXPECT_EQ(counter.joules(), 0.0);
}

}  // namespace
}  // namespace carbonbench::external_meter
