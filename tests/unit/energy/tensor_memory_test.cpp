// The tensor high-water mark, and the per-phase figures PhaseMemory keeps
// from it.
#include "energy/tensor_memory.h"

#include <thread>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "energy/phase_memory.h"
#include "records/record_json.h"

namespace carbonbench {
namespace {

constexpr std::int64_t kMib = 1024 * 1024;

at::Tensor Mebibytes(std::int64_t count) { return at::empty({count * kMib}, at::kByte); }

TEST(TensorMemory, CountsWhatTensorsHoldAndTheirPeak) {
  TensorMemory memory;
  EXPECT_EQ(memory.CurrentBytes(c10::DeviceType::CPU), 0);
  {
    at::Tensor a = Mebibytes(4);
    at::Tensor b = Mebibytes(2);
    EXPECT_EQ(memory.CurrentBytes(c10::DeviceType::CPU), 6 * kMib);
  }
  EXPECT_EQ(memory.CurrentBytes(c10::DeviceType::CPU), 0);
  EXPECT_EQ(memory.PeakBytes(c10::DeviceType::CPU), 6 * kMib);
  EXPECT_TRUE(memory.Seen(c10::DeviceType::CPU));
  EXPECT_FALSE(memory.Seen(c10::DeviceType::CUDA));
}

TEST(TensorMemory, ResettingThePeakStartsFromWhatIsHeldNow) {
  TensorMemory memory;
  at::Tensor kept = Mebibytes(3);
  { at::Tensor gone = Mebibytes(5); }
  EXPECT_EQ(memory.PeakBytes(c10::DeviceType::CPU), 8 * kMib);
  memory.ResetPeak();
  EXPECT_EQ(memory.PeakBytes(c10::DeviceType::CPU), 3 * kMib);
  { at::Tensor more = Mebibytes(1); }
  EXPECT_EQ(memory.PeakBytes(c10::DeviceType::CPU), 4 * kMib);
}

TEST(TensorMemory, LeavesOutTensorsThatExistedBeforeIt) {
  at::Tensor before = Mebibytes(4);
  TensorMemory memory;
  before = at::Tensor();  // freed while counting: not subtracted
  EXPECT_EQ(memory.CurrentBytes(c10::DeviceType::CPU), 0);
  at::Tensor after = Mebibytes(1);
  EXPECT_EQ(memory.CurrentBytes(c10::DeviceType::CPU), kMib);
}

TEST(TensorMemory, CountsOnlyTheThreadThatInstalledIt) {
  TensorMemory memory;
  std::thread other([] { at::Tensor elsewhere = Mebibytes(4); });
  other.join();
  EXPECT_EQ(memory.PeakBytes(c10::DeviceType::CPU), 0);
}

TEST(TensorMemory, StopsCountingOnceDestroyed) {
  { TensorMemory memory; }
  TensorMemory later;
  { at::Tensor a = Mebibytes(2); }
  EXPECT_EQ(later.PeakBytes(c10::DeviceType::CPU), 2 * kMib);
}

TEST(PhaseMemory, KeepsEachPhasesTensorPeak) {
  PhaseMemory memory;
  memory.TrackTensors();
  at::Tensor weights = Mebibytes(2);
  memory.Mark("train");
  { at::Tensor activations = Mebibytes(6); }
  memory.Mark("eval");
  { at::Tensor activations = Mebibytes(1); }
  memory.Stop();
  EXPECT_DOUBLE_EQ(memory.PeakTensorMb("train"), 8.0);
  EXPECT_DOUBLE_EQ(memory.PeakTensorMb("eval"), 3.0);
  const auto json = ToJson(memory.Record());
  EXPECT_DOUBLE_EQ(json["train"]["peak_tensor_mb"].get<double>(), 8.0);
  EXPECT_TRUE(json.contains("tensor_method"));
  EXPECT_FALSE(json["train"].contains("peak_cuda_tensor_mb"));
}

TEST(PhaseMemory, WithoutTrackingHasNoTensorFigures) {
  PhaseMemory memory;
  memory.Mark("train");
  { at::Tensor a = Mebibytes(1); }
  memory.Stop();
  EXPECT_EQ(memory.PeakTensorMb("train"), 0);
  EXPECT_FALSE(ToJson(memory.Record())["train"].contains("peak_tensor_mb"));
  EXPECT_FALSE(ToJson(memory.Record()).contains("tensor_method"));
}

}  // namespace
}  // namespace carbonbench
