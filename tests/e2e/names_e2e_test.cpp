// Names that become file names are refused when the suite is validated, by
// every command that reads a suite, before anything is trained or stored.
#include <string>

#include <gtest/gtest.h>

#include "e2e_util.h"

namespace carbonbench::e2e {
namespace {

constexpr const char* kOneCell = R"(defaults:
  model: cnn
  epochs: 1
  threads: 1
  cnn: {channels: 4, hidden: 16}
inference: {enabled: false}
carbon: {region: FR}
)";

TEST_F(EndToEnd, ASuiteNameTooLongForAFileFailsValidationInRunPlanAndTrain) {
  const std::string name(300, 'n');
  const fs::path suite = root_ / "long.yaml";
  std::ofstream(suite) << "suite: " << name << "\n"
                       << "dataset: {name: fashion_mnist, path: " << (root_ / "data").string()
                       << "}\n"
                       << kOneCell;
  const std::string message = suite.string() + ":1:8: suite name '" + std::string(40, 'n') +
                              "...' is 300 characters long; at most 100 are allowed";
  for (const std::string& command : {RunSuite(suite), Common() + " plan " + suite.string()}) {
    const CommandResult result = RunCarbonbench(command);
    EXPECT_EQ(result.exit_code, 2) << command << "\n" << result.output;
    EXPECT_NE(result.output.find(message), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("probing"), std::string::npos) << result.output;
  }
  const CommandResult train =
      RunCarbonbench(Common() + " train --suite " + name + " --dataset_path " +
                     (root_ / "data").string() + " --epochs 1 --threads 1");
  EXPECT_EQ(train.exit_code, 2) << train.output;
  EXPECT_NE(train.output.find("train: suite name '" + std::string(40, 'n') +
                              "...' is 300 characters long"),
            std::string::npos)
      << train.output;
  EXPECT_FALSE(fs::exists(root_ / "results.db"));
  EXPECT_FALSE(fs::exists(root_ / "reports"));
  EXPECT_FALSE(fs::exists(root_ / "models"));
}

}  // namespace
}  // namespace carbonbench::e2e
