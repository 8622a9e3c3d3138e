// Parameter values as plugins receive them: numbers where text is declared
// become text, bools there are refused.
#include "carbonbench/params.h"

#include <gtest/gtest.h>

namespace carbonbench {
namespace {

TEST(Params, ANumberGivenForTextBecomesItsText) {
  const ParamSpec gpus = StringParam("gpus", "auto", "GPU indices");
  EXPECT_EQ(CheckParamValue(gpus, ParamValue(std::int64_t{1})), "");
  EXPECT_EQ(ResolveParams({gpus}, {{"gpus", std::int64_t{1}}}).GetString("gpus"), "1");
  EXPECT_EQ(ResolveParams({gpus}, {}).GetString("gpus"), "auto");
  EXPECT_EQ(CheckParamValue(gpus, ParamValue(true)), "gpus must be a string, got 'true'");
}

TEST(Params, AnIntegerGivenForAFloatBecomesAFloat) {
  const ParamSpec watts = FloatParam("cpu_w", 0.0, "watts", 0.0, 100.0);
  EXPECT_EQ(ResolveParams({watts}, {{"cpu_w", std::int64_t{65}}}).GetFloat("cpu_w"), 65.0);
  EXPECT_EQ(CheckParamValue(watts, ParamValue(std::int64_t{500})),
            "cpu_w = 500 is above its maximum 100");
}

}  // namespace
}  // namespace carbonbench
