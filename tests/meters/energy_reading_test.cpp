// What the external meter accepts as a reading, and how it accumulates one.
#include "external/energy_reading.h"

#include <gtest/gtest.h>

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
  EXPECT_FALSE(ParseReading("nan\n"));
  EXPECT_FALSE(ParseReading("inf J\n"));
  EXPECT_FALSE(ParseReading("# only a comment\n"));
  EXPECT_FALSE(ParseReading(""));
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
