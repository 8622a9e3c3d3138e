// What the external meter accepts as a reading.
#include "external/energy_reading.h"

#include <gtest/gtest.h>

namespace carbonbench::external_meter {
namespace {

TEST(EnergyReading, TakesTheLastNumberOfTheFirstDataLine) {
  EXPECT_EQ(ParseReading("1234.5\n"), 1234.5);
  EXPECT_EQ(ParseReading("1234.5 J"), 1234.5);
  EXPECT_EQ(ParseReading("# HELP plug energy\nplug_energy_joules_total 98.25\nother 1\n"), 98.25);
  EXPECT_EQ(ParseReading("\n  \n7e3\n"), 7000.0);
  EXPECT_FALSE(ParseReading("no reading here\n1\n"));
  EXPECT_FALSE(ParseReading(""));
}

TEST(EnergyReading, UnitsToJoules) {
  EXPECT_EQ(JoulesPerUnit("J"), 1.0);
  EXPECT_EQ(JoulesPerUnit("Wh"), 3600.0);
  EXPECT_EQ(JoulesPerUnit("kWh"), 3.6e6);
  EXPECT_FALSE(JoulesPerUnit("cal"));
}

}  // namespace
}  // namespace carbonbench::external_meter
