// What the command line does with the plugin folders it is given.
#include <gtest/gtest.h>

#include "e2e_util.h"

namespace carbonbench::e2e {
namespace {

TEST(PluginDirE2e, AMissingPluginDirIsAnErrorNamingIt) {
  const CommandResult result = RunCarbonbench("list --plugin-dir /nonexistent/carbonbench-plugins");
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("--plugin-dir /nonexistent/carbonbench-plugins: no such folder"),
            std::string::npos)
      << result.output;
}

TEST(PluginDirE2e, APluginDirThatIsAFileIsAnErrorNamingIt) {
  const CommandResult result =
      RunCarbonbench(std::string("list --plugin-dir ") + CARBONBENCH_BINARY);
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(
      result.output.find(std::string("--plugin-dir ") + CARBONBENCH_BINARY + ": not a folder"),
      std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace carbonbench::e2e
