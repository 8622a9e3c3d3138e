// The inference loop, cold start, and saving and rebuilding a model.
#include "training/inference.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "runner/saved_model.h"
#include "training/trainer.h"

namespace carbonbench {
namespace {

class TinyNetwork : public Network {
 public:
  TinyNetwork() { fc = register_module("fc", torch::nn::Linear(6, 3)); }
  torch::Tensor forward(torch::Tensor x) override { return fc->forward(x.flatten(1)); }
  ModelStructure structure() const override { return {}; }
  torch::nn::Linear fc{nullptr};
};

TEST(Inference, PercentilesInterpolateBetweenClosestRanks) {
  EXPECT_DOUBLE_EQ(Percentile({}, 50), 0);
  EXPECT_DOUBLE_EQ(Percentile({7}, 99), 7);
  EXPECT_DOUBLE_EQ(Percentile({4, 1, 3, 2}, 50), 2.5);  // numpy.percentile: 2.5
  EXPECT_DOUBLE_EQ(Percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90), 9.1);
  EXPECT_DOUBLE_EQ(Percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99), 9.91);
  EXPECT_DOUBLE_EQ(Percentile({1, 2}, 100), 2);
}

TEST(Inference, TheLoopMeetsItsMinimumsAndChargesTheEnergyItSpent) {
  TinyNetwork network;
  const torch::Tensor inputs = torch::rand({10, 2, 3});  // fewer samples than a batch of 16
  InferenceSettings settings;
  settings.batch_sizes = {1, 16};
  settings.warmup_iterations = 2;
  settings.min_iterations = 25;
  settings.min_time_s = 0.05;
  double wh = 0, g = 0;
  InferenceEnergy energy{[&] { return wh += 0.5; }, [&] { return g += 0.25; }, "estimated"};
  const auto records = MeasureInference(network, inputs, settings, energy);
  ASSERT_EQ(records.size(), 2u);
  for (const InferenceRecord& r : records) {
    EXPECT_GE(r.iterations, 25);
    EXPECT_EQ(r.predictions, r.iterations * r.batch_size);
    EXPECT_GE(r.iterations * r.mean_ms, 0.05 * 1000 * 0.9);  // the minimum time was timed
    EXPECT_LE(r.p50_ms, r.p90_ms);
    EXPECT_LE(r.p90_ms, r.p99_ms);
    EXPECT_GT(r.throughput_per_s, 0);
    // Two readings per batch size, each 0.5 Wh further on.
    EXPECT_DOUBLE_EQ(r.energy_wh, 0.5);
    EXPECT_DOUBLE_EQ(r.co2_g, 0.25);
    EXPECT_DOUBLE_EQ(r.energy_wh_per_1000, 0.5 / r.predictions * 1000);
    EXPECT_EQ(r.energy_provenance, "estimated");
  }
  EXPECT_EQ(records[1].batch_size, 16);
}

TEST(Inference, ASavedModelRebuildsWithEqualOutputs) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("carbonbench_inference_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  torch::manual_seed(3);
  auto trained = std::make_shared<TinyNetwork>();
  const std::string path = (dir / "m.pt").string();
  SaveNetwork(trained, path);
  torch::manual_seed(4);  // other initial weights, replaced by the file's
  const torch::Tensor inputs = torch::rand({5, 2, 3});
  const ColdStart cold = MeasureColdStart(
      [&] {
        auto loaded = std::make_shared<TinyNetwork>();
        LoadNetworkWeights(*loaded, path);
        return std::shared_ptr<Network>(loaded);
      },
      inputs, "cpu");
  EXPECT_GT(cold.seconds, 0);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(cold.network->forward(inputs), trained->forward(inputs)));
  std::filesystem::remove_all(dir);
}

TEST(SavedModel, TheDescriptionRoundTripsAndAMismatchNamesBothSides) {
  SavedModelInfo info;
  info.model = "cnn";
  info.model_params = Params({{"channels", std::int64_t{8}},
                              {"dropout", 0.25},
                              {"norm", true},
                              {"kind", std::string("small")}});
  info.dataset = "fashion_mnist";
  info.spec.name = "fashion_mnist";
  info.spec.input_shape = {1, 28, 28};
  info.spec.num_classes = 10;
  info.vocab_path = "v.txt";
  const SavedModelInfo back = SavedModelInfo::FromJson(info.ToJson());
  EXPECT_EQ(back.model, "cnn");
  EXPECT_EQ(back.model_params.GetInt("channels"), 8);
  EXPECT_DOUBLE_EQ(back.model_params.GetFloat("dropout"), 0.25);
  EXPECT_TRUE(back.model_params.GetBool("norm"));
  EXPECT_EQ(back.model_params.GetString("kind"), "small");
  EXPECT_EQ(back.spec.input_shape, info.spec.input_shape);
  EXPECT_EQ(back.spec.num_classes, 10);
  EXPECT_EQ(back.vocab_path, "v.txt");
  EXPECT_EQ(SpecMismatch(info.spec, back.spec), "");

  DatasetSpec other = info.spec;
  other.name = "cifar10";
  other.input_shape = {3, 32, 32};
  EXPECT_EQ(SpecMismatch(info.spec, other),
            "the model was trained on 1x28x28 image inputs with 10 classes (fashion_mnist); "
            "cifar10 here gives 3x32x32 image inputs with 10 classes");
  EXPECT_THROW(SavedModelInfo::FromJson({{"format", "other"}}), std::runtime_error);
}

TEST(SavedModel, AModelWithoutItsDescriptionSaysWhy) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("carbonbench_saved_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bare.pt") << "weights";
  try {
    ReadSavedModelInfo((dir / "bare.pt").string());
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bare.json is missing"), std::string::npos) << e.what();
  }
  try {
    ReadSavedModelInfo((dir / "none.pt").string());
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("none.pt: no such model file"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace carbonbench
