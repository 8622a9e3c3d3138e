#include "carbonbench/dropout.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

namespace carbonbench {
namespace {

// Five standard deviations of a binomial proportion: a correct mask fails
// this about once in three million runs.
double FiveSigma(double p, int64_t n) { return 5.0 * std::sqrt(p * (1.0 - p) / n); }

double FractionNonzero(const torch::Tensor& t) {
  return (t != 0).to(torch::kDouble).mean().item<double>();
}

TEST(Dropout, KeepsOneMinusPOfTheElementsAndScalesThemByItsInverse) {
  torch::manual_seed(1);
  const int64_t n = 1 << 20;
  for (double p : {0.1, 0.5, 0.9}) {
    const torch::Tensor y = Dropout(torch::ones({n}), p, /*training=*/true);
    EXPECT_NEAR(FractionNonzero(y), 1.0 - p, FiveSigma(p, n)) << "p = " << p;
    const torch::Tensor kept = y.masked_select(y != 0);
    EXPECT_TRUE(torch::all(kept == static_cast<float>(1.0 / (1.0 - p))).item<bool>()) << p;
  }
}

TEST(Dropout, ReducedPrecisionKeepsTheScaleRoundedToTheirType) {
  torch::manual_seed(2);
  for (auto type : {torch::kBFloat16, torch::kHalf, torch::kDouble}) {
    const torch::Tensor y = Dropout(torch::ones({100001}, type), 0.2, true);
    EXPECT_EQ(y.scalar_type(), type);
    const torch::Tensor scale = torch::full({1}, 1.0 / 0.8, type);
    EXPECT_TRUE(torch::all((y == 0) | (y == scale)).item<bool>()) << type;
    EXPECT_NEAR(FractionNonzero(y), 0.8, FiveSigma(0.2, y.numel())) << type;
  }
}

TEST(Dropout, NeighbouringElementsAreDroppedIndependently) {
  // Each 64-bit draw decides two elements, and consecutive draws come from
  // consecutive counters: both pairings must show P(both dropped) = p^2.
  torch::manual_seed(3);
  const int64_t n = 1 << 21;
  const torch::Tensor dropped = Dropout(torch::ones({n}), 0.5, true) == 0;
  const torch::Tensor same_draw = dropped.slice(0, 0, n, 2) & dropped.slice(0, 1, n, 2);
  const torch::Tensor next_draw = dropped.slice(0, 1, n - 1, 2) & dropped.slice(0, 2, n, 2);
  EXPECT_NEAR(same_draw.to(torch::kDouble).mean().item<double>(), 0.25, FiveSigma(0.25, n / 2));
  EXPECT_NEAR(next_draw.to(torch::kDouble).mean().item<double>(), 0.25, FiveSigma(0.25, n / 2));
}

TEST(Dropout, GradientIsTheSameMaskAndScale) {
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({64, 33}).requires_grad_();
  const torch::Tensor y = Dropout(x, 0.3, true);
  y.sum().backward();
  const torch::Tensor noise = x.grad();
  EXPECT_TRUE(torch::all((noise == 0) | (noise == static_cast<float>(1.0 / 0.7))).item<bool>());
  EXPECT_TRUE(torch::allclose(y, x.detach() * noise));
  EXPECT_GT(FractionNonzero(noise), 0.5);
  EXPECT_LT(FractionNonzero(noise), 0.9);
}

TEST(Dropout, ManualSeedReproducesTheMaskAndEachCallDrawsANewOne) {
  const torch::Tensor x = torch::ones({4096});
  torch::manual_seed(5);
  const torch::Tensor first = Dropout(x, 0.5, true);
  const torch::Tensor second = Dropout(x, 0.5, true);
  torch::manual_seed(5);
  EXPECT_TRUE(torch::equal(Dropout(x, 0.5, true), first));
  EXPECT_FALSE(torch::equal(first, second));
}

TEST(Dropout, MaskIsTheSameWhateverTheThreadCount) {
  const torch::Tensor x = torch::ones({1 << 20});
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  torch::manual_seed(6);
  const torch::Tensor one_thread = Dropout(x, 0.25, true);
  at::set_num_threads(4);
  torch::manual_seed(6);
  const torch::Tensor four_threads = Dropout(x, 0.25, true);
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one_thread, four_threads));
}

TEST(Dropout, NonContiguousInputKeepsItsValuesWhereKept) {
  torch::manual_seed(7);
  const torch::Tensor x = torch::randn({40, 70}).t();
  const torch::Tensor y = Dropout(x, 0.5, true);
  ASSERT_EQ(y.sizes(), x.sizes());
  const torch::Tensor kept = y != 0;
  EXPECT_TRUE(torch::allclose(y.masked_select(kept), 2.0 * x.masked_select(kept)));
}

TEST(Dropout, IsTheIdentityWhenNotTrainingOrAtZeroAndDropsAllAtOne) {
  const torch::Tensor x = torch::randn({8, 8}).requires_grad_();
  EXPECT_TRUE(Dropout(x, 0.5, /*training=*/false).is_same(x));
  EXPECT_TRUE(Dropout(x, 0.0, true).is_same(x));
  const torch::Tensor all = Dropout(x, 1.0, true);
  EXPECT_TRUE(torch::all(all == 0).item<bool>());
  all.sum().backward();
  EXPECT_TRUE(torch::all(x.grad() == 0).item<bool>());
}

TEST(Dropout, RejectsAProbabilityOutsideZeroToOne) {
  try {
    Dropout(torch::ones({4}), 1.5, true);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("between 0 and 1"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("1.5"), std::string::npos);
  }
}

TEST(DropoutNoise, FillsAnOddCountWithoutWritingPastIt) {
  // Seven elements take four draws; the eighth slot must stay untouched.
  std::vector<uint32_t> buffer(8, 0xdeadbeef);
  detail::FillDropoutNoise(buffer.data(), 7, sizeof(uint32_t), 42, /*drop_threshold=*/0,
                           /*keep_bits=*/7);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(buffer[i], 7u) << i;
  EXPECT_EQ(buffer[7], 0xdeadbeefu);
}

TEST(DropoutNoise, RejectsAnElementWidthItCannotWrite) {
  std::vector<uint8_t> buffer(4);
  EXPECT_THROW(detail::FillDropoutNoise(buffer.data(), 4, 1, 0, 0, 1), std::invalid_argument);
}

}  // namespace
}  // namespace carbonbench
