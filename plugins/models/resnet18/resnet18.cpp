// ResNet-18 exactly as torchvision builds it (same module names, so
// named_parameters() matches a torchvision state_dict), with a CIFAR-style stem
// for small images and any number of input channels.
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "carbonbench/network_model.h"
#include "carbonbench/sdk.h"

namespace carbonbench::models {
namespace detail {

// Inputs this small lose most of their pixels to a 7x7/2 conv plus a max-pool,
// so "auto" switches to the CIFAR stem at or below this height and width.
constexpr int64_t kSmallInputMaxSide = 64;
constexpr int kBlocksPerStage = 2;  // ResNet-18: [2, 2, 2, 2]

torch::nn::Conv2d Conv3x3(int64_t in_planes, int64_t out_planes, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_planes, out_planes, 3).stride(stride).padding(1).bias(false));
}

torch::nn::Conv2d Conv1x1(int64_t in_planes, int64_t out_planes, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_planes, out_planes, 1).stride(stride).bias(false));
}

// torchvision's BasicBlock (expansion 1).
class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride)
      : conv1(register_module("conv1", Conv3x3(in_planes, planes, stride))),
        bn1(register_module("bn1", torch::nn::BatchNorm2d(planes))),
        relu(register_module("relu", torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)))),
        conv2(register_module("conv2", Conv3x3(planes, planes, 1))),
        bn2(register_module("bn2", torch::nn::BatchNorm2d(planes))) {
    if (stride != 1 || in_planes != planes) {
      downsample =
          register_module("downsample", torch::nn::Sequential(Conv1x1(in_planes, planes, stride),
                                                              torch::nn::BatchNorm2d(planes)));
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor identity = downsample ? downsample->forward(x) : x;
    torch::Tensor out = relu->forward(bn1->forward(conv1->forward(x)));
    out = bn2->forward(conv2->forward(out));
    return relu->forward(out + identity);
  }

  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::ReLU relu;
  torch::nn::Conv2d conv2;
  torch::nn::BatchNorm2d bn2;
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

bool UseCifarStem(const std::string& stem, int64_t height, int64_t width) {
  if (stem == "cifar") return true;
  if (stem == "imagenet") return false;
  if (stem == "auto") return height <= kSmallInputMaxSide && width <= kSmallInputMaxSide;
  throw std::invalid_argument(
      fmt::format("resnet18: stem '{}' is unknown; use auto, imagenet or cifar", stem));
}

}  // namespace detail

class ResNet18Impl : public Network {
 public:
  ResNet18Impl(const DatasetSpec& dataset, const Params& params) {
    RequireDataset("resnet18", dataset, InputKind::kImage, 3, TaskKind::kClassification,
                   "{channels, height, width}");
    const int64_t in_channels = dataset.input_shape[0];
    const int64_t height = dataset.input_shape[1];
    const int64_t width = dataset.input_shape[2];
    cifar_stem_ = detail::UseCifarStem(params.GetString("stem"), height, width);

    if (cifar_stem_) {
      conv1 = register_module("conv1", detail::Conv3x3(in_channels, 64, 1));
    } else {
      conv1 = register_module(
          "conv1",
          torch::nn::Conv2d(
              torch::nn::Conv2dOptions(in_channels, 64, 7).stride(2).padding(3).bias(false)));
    }
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
    relu = register_module("relu", torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
    if (!cifar_stem_) {
      maxpool = register_module(
          "maxpool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
    }
    int64_t in_planes = 64;
    layer1 = register_module("layer1", MakeLayer(in_planes, 64, 1));
    layer2 = register_module("layer2", MakeLayer(in_planes, 128, 2));
    layer3 = register_module("layer3", MakeLayer(in_planes, 256, 2));
    layer4 = register_module("layer4", MakeLayer(in_planes, 512, 2));
    avgpool = register_module(
        "avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1})));
    fc = register_module("fc", QuantizableLinear(512, dataset.num_classes));
    block_names_ = structure().repeated_blocks;

    // torchvision's init; fc keeps the default Linear init, as there.
    for (auto& module : modules(/*include_self=*/false)) {
      if (auto* conv = module->as<torch::nn::Conv2d>()) {
        torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
        torch::nn::init::ones_(bn->weight);
        torch::nn::init::zeros_(bn->bias);
      }
    }
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = relu->forward(bn1->forward(conv1->forward(x)));
    if (maxpool) x = maxpool->forward(x);
    const torch::nn::Sequential* stages[] = {&layer1, &layer2, &layer3, &layer4};
    for (int stage = 0; stage < 4; ++stage) {
      for (std::size_t i = 0; i < (*stages[stage])->size(); ++i) {
        auto block = (*stages[stage])->ptr<detail::BasicBlockImpl>(i);
        x = RunBlock(
            block_names_[stage * detail::kBlocksPerStage + i],
            [block](torch::Tensor t) { return block->forward(t); }, x);
      }
    }
    return fc->forward(avgpool->forward(x).flatten(1));
  }

  ModelStructure structure() const override {
    ModelStructure structure;
    structure.input_kind = InputKind::kImage;
    for (int stage = 1; stage <= 4; ++stage) {
      for (int block = 0; block < detail::kBlocksPerStage; ++block) {
        const std::string name = fmt::format("layer{}.{}", stage, block);
        structure.repeated_blocks.push_back(name);
        // conv2's outputs are added to the residual path, so only conv1's
        // channels can go; bn1 and conv2's inputs shrink with them.
        structure.prunable_layers.push_back({name + ".conv1", {name + ".bn1", name + ".conv2"}});
      }
    }
    return structure;
  }

  bool cifar_stem() const { return cifar_stem_; }

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::ReLU relu{nullptr};
  torch::nn::MaxPool2d maxpool{nullptr};  // absent with the CIFAR stem
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool{nullptr};
  QuantizableLinear fc{nullptr};

 private:
  static torch::nn::Sequential MakeLayer(int64_t& in_planes, int64_t planes, int64_t stride) {
    torch::nn::Sequential layer;
    for (int block = 0; block < detail::kBlocksPerStage; ++block) {
      layer->push_back(detail::BasicBlock(in_planes, planes, block == 0 ? stride : 1));
      in_planes = planes;
    }
    return layer;
  }

  bool cifar_stem_ = false;
  std::vector<std::string> block_names_;  // "layer1.0" ... "layer4.1", as structure() declares them
};

class ResNet18Model : public NetworkModel<ResNet18Impl> {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {EnumParam("stem", "auto", {"auto", "imagenet", "cifar"},
                      "input stem: imagenet (7x7/2 conv + max-pool), cifar (3x3/1 conv, no "
                      "pool), or auto (cifar when height and width are both <= 64)")};
  }
};

}  // namespace carbonbench::models

CARBONBENCH_REGISTER_MODEL(carbonbench::models::ResNet18Model, "resnet18", "1.0.0",
                           "torchvision's ResNet-18 (same parameter names), with a CIFAR stem for "
                           "small images")
