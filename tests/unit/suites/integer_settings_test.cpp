// Integer settings are refused outside the range the code that reads them can
// hold, with the value as written: nothing wraps, truncates or rounds.
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "suites/integer_setting.h"
#include "unit/suites/suite_test_support.h"

namespace carbonbench {
namespace {

using testing_support::ErrorsOf;
using testing_support::Load;
using Strings = std::vector<std::string>;

TEST(IntegerSettingsTest, EpochsPastAnIntAreRefusedNotWrapped) {
  // 2^31 wrapped to a negative int (0 epochs run), 2^32 + 1 to one epoch.
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {epochs: 2147483648}\n"),
            Strings{"quickstart.yaml:2:20: epochs = 2147483648 is above its maximum 2147483647"});
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {epochs: 4294967297}\n"),
            Strings{"quickstart.yaml:2:20: epochs = 4294967297 is above its maximum 2147483647"});
  EXPECT_EQ(Load("suite: q\ndefaults: {epochs: 2147483647}\n").cells.at(0).Get("epochs"),
            ParamValue(std::int64_t{2147483647}));
}

TEST(IntegerSettingsTest, ANonIntegerNamesTheValueAsWrittenAndTheRange) {
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {epochs: 1e12}\n"),
            Strings{"quickstart.yaml:2:20: epochs must be an integer from 1 to 2147483647, got "
                    "'1e12'"});
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {epochs: 2.5}\n"),
            Strings{"quickstart.yaml:2:20: epochs must be an integer from 1 to 2147483647, got "
                    "'2.5'"});
  // Past int64 too: still shown as written, not as a rounded double.
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {dataset.train_size: 99999999999999999999}\n"),
            Strings{"quickstart.yaml:2:32: dataset.train_size must be an integer from 0 to "
                    "2147483647, got '99999999999999999999'"});
}

TEST(IntegerSettingsTest, MatrixValuesAndPluginParametersAreCheckedAlike) {
  EXPECT_EQ(ErrorsOf("suite: q\nmatrix:\n  epochs: [1, 2147483648]\n"),
            Strings{"quickstart.yaml:3:15: epochs = 2147483648 is above its maximum 2147483647"});
  // A plugin parameter without a declared maximum holds an int.
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {model: mlp, mlp.hidden: 3000000000}\n"),
            Strings{"quickstart.yaml:2:36: mlp.hidden = 3000000000 is above its maximum "
                    "2147483647"});
}

TEST(IntegerSettingsTest, SuiteLevelIntegersAreChecked) {
  EXPECT_EQ(ErrorsOf("suite: q\nrepetitions: 1e3\n"),
            Strings{"quickstart.yaml:2:14: repetitions must be an integer from 1 to 1000000, got "
                    "'1e3'"});
  EXPECT_EQ(ErrorsOf("suite: q\nlimits: {cell_memory_mb: 1e12}\n"),
            Strings{"quickstart.yaml:2:26: limits.cell_memory_mb must be an integer from 0 to "
                    "1073741824, got '1e12'"});
  EXPECT_EQ(ErrorsOf("suite: q\ninference: {batch_sizes: [1, 18446744073709551617]}\n"),
            Strings{"quickstart.yaml:2:30: inference.batch_sizes must be an integer from 1 to "
                    "1048576, got '18446744073709551617'"});
}

TEST(IntegerSettingsTest, SeedKeepsItsWideDeclaredRange) {
  EXPECT_EQ(Load("suite: q\ndefaults: {seed: 4294967296}\n").cells.at(0).Get("seed"),
            ParamValue(std::int64_t{4294967296}));
  EXPECT_EQ(ErrorsOf("suite: q\ndefaults: {seed: 9007199254740992}\n"),
            Strings{"quickstart.yaml:2:18: seed = 9007199254740992 is above its maximum "
                    "9007199254740991"});
}

TEST(IntegerSettingsTest, StoredRangeNarrowsOpenBoundsToAnInt) {
  const IntegerRange open = StoredRange(IntParam("n", 0, ""));
  EXPECT_EQ(open.min, std::numeric_limits<int>::min());
  EXPECT_EQ(open.max, std::numeric_limits<int>::max());
  const IntegerRange declared = StoredRange(IntParam("n", 0, "", 0.5, 1e12));
  EXPECT_EQ(declared.min, 1);
  EXPECT_EQ(declared.max, 1000000000000);
  const IntegerRange huge = StoredRange(IntParam("n", 0, "", -1e300, 1e300));
  EXPECT_EQ(huge.min, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(huge.max, std::numeric_limits<std::int64_t>::max());
}

TEST(IntegerSettingsTest, BareTextIsCheckedAsASuiteValueIs) {
  const ParamSpec epochs = IntParam("epochs", 5, "", 1);
  EXPECT_EQ(CheckIntegerText(epochs, "12"), "");
  EXPECT_EQ(CheckIntegerText(epochs, "2147483648"),
            "epochs = 2147483648 is above its maximum 2147483647");
  EXPECT_EQ(CheckIntegerText(epochs, "1e12"),
            "epochs must be an integer from 1 to 2147483647, got '1e12'");
  EXPECT_EQ(CheckIntegerText(epochs, ""), "epochs must be an integer from 1 to 2147483647, got ''");
}

}  // namespace
}  // namespace carbonbench
