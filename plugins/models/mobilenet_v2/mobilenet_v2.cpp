// MobileNetV2 exactly as torchvision builds it (same module names and channel
// rounding), with the small-input variant CIFAR ports use and any number of
// input channels.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <torch/nn/functional.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "carbonbench/network_model.h"
#include "carbonbench/sdk.h"

namespace carbonbench::models {
namespace detail {

// At or below this height and width "auto" picks the small-input variant: the
// standard network's /32 reduction would leave a 32x32 image at 1x1 after
// features.14.
constexpr int64_t kSmallInputMaxSide = 64;
constexpr int64_t kRoundNearest = 8;
constexpr int64_t kFirstChannels = 32;
constexpr int64_t kLastChannels = 1280;

struct StageSetting {
  int64_t expand_ratio;  // t
  int64_t channels;      // c
  int64_t repeats;       // n
  int64_t stride;        // s
};

// torchvision's inverted_residual_setting.
constexpr StageSetting kStages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
// The stage the small-input variant runs at stride 1 (the first with stride 2).
constexpr int kSmallInputStage = 1;

// torchvision's _make_divisible: round to a multiple of `divisor`, never
// dropping more than 10% below `value`.
int64_t MakeDivisible(double value, int64_t divisor) {
  const int64_t min_value = divisor;
  int64_t rounded =
      std::max(min_value,
               static_cast<int64_t>(value + static_cast<double>(divisor) / 2) / divisor * divisor);
  if (static_cast<double>(rounded) < 0.9 * value) rounded += divisor;
  return rounded;
}

// torchvision's Conv2dNormActivation with ReLU6: children "0" conv, "1" bn,
// "2" activation, so parameter names match.
class ConvBnReLU6Impl : public torch::nn::Module {
 public:
  ConvBnReLU6Impl(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride,
                  int64_t groups)
      : conv(register_module(
            "0", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel_size)
                                       .stride(stride)
                                       .padding((kernel_size - 1) / 2)
                                       .groups(groups)
                                       .bias(false)))),
        bn(register_module("1", torch::nn::BatchNorm2d(out_channels))),
        relu6(register_module("2", torch::nn::ReLU6(torch::nn::ReLU6Options().inplace(true)))) {}

  // ReLU6 as a clamp: the same function, but libtorch 1.13's CPU backward of
  // hardtanh (what nn::ReLU6 runs) has no bfloat16 kernel, which would make
  // this model fail under bf16 autocast. The child stays registered so the
  // module tree matches torchvision's.
  torch::Tensor forward(torch::Tensor x) {
    return torch::clamp(bn->forward(conv->forward(x)), 0.0, 6.0);
  }

  torch::nn::Conv2d conv;
  torch::nn::BatchNorm2d bn;
  torch::nn::ReLU6 relu6;
};
TORCH_MODULE(ConvBnReLU6);

class InvertedResidualImpl : public torch::nn::Module {
 public:
  InvertedResidualImpl(int64_t in_channels, int64_t out_channels, int64_t stride,
                       int64_t expand_ratio)
      : use_residual(stride == 1 && in_channels == out_channels), expands(expand_ratio != 1) {
    const auto hidden = static_cast<int64_t>(
        std::round(static_cast<double>(in_channels) * static_cast<double>(expand_ratio)));
    torch::nn::Sequential layers;
    if (expands) layers->push_back(ConvBnReLU6(in_channels, hidden, 1, 1, 1));
    layers->push_back(ConvBnReLU6(hidden, hidden, 3, stride, hidden));  // depthwise
    layers->push_back(
        torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, out_channels, 1).bias(false)));
    layers->push_back(torch::nn::BatchNorm2d(out_channels));
    conv = register_module("conv", layers);
  }

  torch::Tensor forward(torch::Tensor x) {
    return use_residual ? x + conv->forward(x) : conv->forward(x);
  }

  bool use_residual;
  bool expands;
  torch::nn::Sequential conv{nullptr};
};
TORCH_MODULE(InvertedResidual);

bool UseSmallInput(const std::string& setting, int64_t height, int64_t width) {
  if (setting == "yes") return true;
  if (setting == "no") return false;
  if (setting == "auto") return height <= kSmallInputMaxSide && width <= kSmallInputMaxSide;
  throw std::invalid_argument(
      fmt::format("mobilenet_v2: small_input '{}' is unknown; use auto, yes or no", setting));
}

}  // namespace detail

class MobileNetV2Impl : public Network {
 public:
  MobileNetV2Impl(const DatasetSpec& dataset, const Params& params) {
    RequireDataset("mobilenet_v2", dataset, InputKind::kImage, 3, TaskKind::kClassification,
                   "{channels, height, width}");
    const int64_t in_channels = dataset.input_shape[0];
    const int64_t height = dataset.input_shape[1];
    const int64_t width = dataset.input_shape[2];
    const double width_mult = params.GetFloat("width_mult");
    if (!(width_mult > 0.0)) {
      throw std::invalid_argument(
          fmt::format("mobilenet_v2: width_mult must be above 0, got {}", width_mult));
    }
    small_input_ = detail::UseSmallInput(params.GetString("small_input"), height, width);

    int64_t channels =
        detail::MakeDivisible(detail::kFirstChannels * width_mult, detail::kRoundNearest);
    const int64_t last_channels = detail::MakeDivisible(
        detail::kLastChannels * std::max(1.0, width_mult), detail::kRoundNearest);

    torch::nn::Sequential layers;
    layers->push_back(detail::ConvBnReLU6(in_channels, channels, 3, small_input_ ? 1 : 2, 1));
    int stage_index = 0;
    for (const detail::StageSetting& stage : detail::kStages) {
      const int64_t out_channels =
          detail::MakeDivisible(stage.channels * width_mult, detail::kRoundNearest);
      const int64_t stage_stride =
          small_input_ && stage_index == detail::kSmallInputStage ? 1 : stage.stride;
      for (int64_t i = 0; i < stage.repeats; ++i) {
        const std::string name = fmt::format("features.{}", layers->size());
        repeated_blocks_.push_back(name);
        if (stage.expand_ratio != 1) {
          // The expansion's channels feed only the depthwise conv (whose
          // groups follow its channels) and the projection's inputs.
          prunable_layers_.push_back(
              {name + ".conv.0.0",
               {name + ".conv.0.1", name + ".conv.1.0", name + ".conv.1.1", name + ".conv.2"}});
        }
        layers->push_back(detail::InvertedResidual(channels, out_channels,
                                                   i == 0 ? stage_stride : 1, stage.expand_ratio));
        channels = out_channels;
      }
      ++stage_index;
    }
    layers->push_back(detail::ConvBnReLU6(channels, last_channels, 1, 1, 1));
    features = register_module("features", layers);
    for (std::size_t i = 0; i < features->size(); ++i) {
      layer_names_.push_back(fmt::format("features.{}", i));
    }
    classifier = register_module(
        "classifier", torch::nn::Sequential(torch::nn::Dropout(params.GetFloat("dropout")),
                                            QuantizableLinear(last_channels, dataset.num_classes)));

    // torchvision's init.
    for (auto& module : modules(/*include_self=*/false)) {
      if (auto* conv = module->as<torch::nn::Conv2d>()) {
        torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut);
        if (conv->bias.defined()) torch::nn::init::zeros_(conv->bias);
      } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
        torch::nn::init::ones_(bn->weight);
        torch::nn::init::zeros_(bn->bias);
      } else if (auto* linear = module->as<torch::nn::Linear>()) {
        torch::nn::init::normal_(linear->weight, 0.0, 0.01);
        torch::nn::init::zeros_(linear->bias);
      }
    }
  }

  torch::Tensor forward(torch::Tensor x) override {
    // Each layer by its name, so the declared blocks can be checkpointed.
    for (std::size_t i = 0; i < features->size(); ++i) {
      x = RunBlock(
          layer_names_[i],
          [layer = *(features->begin() + static_cast<std::ptrdiff_t>(i))](torch::Tensor t) mutable {
            return layer.forward(t);
          },
          x);
    }
    x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    return classifier->forward(x);
  }

  ModelStructure structure() const override {
    ModelStructure structure;
    structure.input_kind = InputKind::kImage;
    structure.repeated_blocks = repeated_blocks_;
    structure.prunable_layers = prunable_layers_;
    return structure;
  }

  bool small_input() const { return small_input_; }

  torch::nn::Sequential features{nullptr};
  torch::nn::Sequential classifier{nullptr};

 private:
  bool small_input_ = false;
  std::vector<std::string> repeated_blocks_;
  std::vector<PrunableLayer> prunable_layers_;
  std::vector<std::string>
      layer_names_;  // "features.0", ...: every layer, declared blocks among them
};

class MobileNetV2Model : public NetworkModel<MobileNetV2Impl> {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {FloatParam("width_mult", 1.0,
                       "channel multiplier; channels are rounded to multiples of 8 as torchvision "
                       "does",
                       0.05, 4.0),
            FloatParam("dropout", 0.2, "dropout before the classifier", 0.0, 0.95),
            EnumParam("small_input", "auto", {"auto", "yes", "no"},
                      "stride 1 in the first conv and the first stride-2 stage (CIFAR ports); "
                      "auto: yes when height and width are both <= 64")};
  }
};

}  // namespace carbonbench::models

CARBONBENCH_REGISTER_MODEL(carbonbench::models::MobileNetV2Model, "mobilenet_v2", "1.0.0",
                           "torchvision's MobileNetV2 (same parameter names), with a small-input "
                           "variant for CIFAR-sized images")
