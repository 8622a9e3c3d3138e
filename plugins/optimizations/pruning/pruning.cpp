// Pruning by magnitude, two ways:
//  - unstructured: zero the smallest weights of every conv and linear layer
//    (globally or per layer) and keep them zero through training with masks.
//    The tensors stay dense, so this saves no time by itself: it is measured
//    so the report can say so.
//  - structured: remove whole output channels (conv) or neurons (linear) of
//    the layers the model declares prunable, with their BatchNorm entries,
//    the following layers' inputs and depthwise convs' groups. The tensors
//    shrink, so multiply-accumulates, time and energy really fall.
// Either prunes once after training and then fine-tunes, or gradually over
// training on a cubic schedule (Zhu and Gupta, 2017).
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "carbonbench/sdk.h"

namespace carbonbench::optimizations {
namespace detail {

// The weights unstructured pruning applies to: every conv and linear layer.
std::vector<std::pair<std::string, torch::Tensor>> PrunableWeights(Network& network) {
  std::vector<std::pair<std::string, torch::Tensor>> weights;
  for (const auto& item : network.named_modules("", /*include_self=*/false)) {
    const auto& module = item.value();
    torch::Tensor weight;
    if (auto* conv2d = module->as<torch::nn::Conv2d>()) weight = conv2d->weight;
    if (auto* conv1d = module->as<torch::nn::Conv1d>()) weight = conv1d->weight;
    if (auto* linear = module->as<torch::nn::Linear>()) weight = linear->weight;
    if (weight.defined()) weights.emplace_back(item.key(), weight);
  }
  // A network whose layers are not libtorch modules (one loaded from
  // TorchScript, whose tensors sit in plain modules): every matrix and
  // kernel, the tensors of two or more dimensions, as conv and linear
  // weights are.
  if (weights.empty()) {
    for (const auto& item : network.named_parameters(/*recurse=*/true)) {
      if (item.value().dim() >= 2) weights.emplace_back(item.key(), item.value());
    }
  }
  if (weights.empty()) {
    throw std::runtime_error(
        "pruning: this network has no conv or linear weights, nor any parameter of two or more "
        "dimensions, to prune");
  }
  return weights;
}

// The magnitude at or below which `fraction` of `magnitudes` lies.
double Threshold(const torch::Tensor& magnitudes, double fraction) {
  const int64_t k = static_cast<int64_t>(std::floor(fraction * magnitudes.numel()));
  if (k <= 0) return -1;  // nothing to prune: no magnitude is below -1
  return std::get<0>(magnitudes.flatten().kthvalue(k)).item<double>();
}

// Keeps the entries `index` of `tensor` along `dim`, in place: the tensor
// object stays the same, so the optimizer and module still hold it.
void KeepEntries(torch::Tensor& tensor, int64_t dim, const torch::Tensor& index) {
  if (!tensor.defined()) return;
  torch::NoGradGuard no_grad;
  // The kept entries keep the tensor's layout: a channels-last conv weight
  // stays channels-last, as the rest of the network and its batches are.
  const auto layout = tensor.suggest_memory_format();
  tensor.set_data(tensor.index_select(dim, index.to(tensor.device())).contiguous(layout));
  tensor.mutable_grad() = torch::Tensor();
}

bool IsDepthwise(int64_t groups, int64_t in_channels) {
  return groups > 1 && groups == in_channels;
}

template <typename ConvImpl>
void ShrinkConvInputs(ConvImpl& conv, const torch::Tensor& keep, const std::string& name) {
  const auto& options = conv.options;
  if (IsDepthwise(options.groups(), options.in_channels())) {
    KeepEntries(conv.weight, 0, keep);  // one filter per channel
    KeepEntries(conv.bias, 0, keep);
  } else if (options.groups() == 1) {
    KeepEntries(conv.weight, 1, keep);
  } else {
    throw std::invalid_argument(fmt::format(
        "pruning: '{}' is a grouped conv ({} groups) that is not depthwise; structured pruning "
        "cannot shrink its inputs: declare a different prunable layer in the model",
        name, options.groups()));
  }
}

template <typename NormImpl>
void ShrinkNorm(NormImpl& norm, const torch::Tensor& keep) {
  KeepEntries(norm.weight, 0, keep);
  KeepEntries(norm.bias, 0, keep);
  KeepEntries(norm.running_mean, 0, keep);
  KeepEntries(norm.running_var, 0, keep);
}

// A layer that reads the pruned channels: its inputs (or, for BatchNorm and
// depthwise convs, its channels) shrink to `keep`. A linear layer after a
// flatten reads `in_features / channels` features per channel.
void ShrinkDependent(torch::nn::Module& module, const std::string& name, const torch::Tensor& keep,
                     int64_t channels) {
  if (auto* bn2d = module.as<torch::nn::BatchNorm2d>()) return ShrinkNorm(*bn2d, keep);
  if (auto* bn1d = module.as<torch::nn::BatchNorm1d>()) return ShrinkNorm(*bn1d, keep);
  if (auto* conv2d = module.as<torch::nn::Conv2d>()) return ShrinkConvInputs(*conv2d, keep, name);
  if (auto* conv1d = module.as<torch::nn::Conv1d>()) return ShrinkConvInputs(*conv1d, keep, name);
  if (auto* linear = module.as<torch::nn::Linear>()) {
    const int64_t in_features = linear->weight.size(1);
    if (in_features % channels != 0) {
      throw std::invalid_argument(fmt::format(
          "pruning: '{}' has {} inputs, which is not a whole number per channel of the {} it "
          "follows: the model's prunable-layer declaration is wrong",
          name, in_features, channels));
    }
    const int64_t per_channel = in_features / channels;
    const torch::Tensor features =
        (keep.unsqueeze(1) * per_channel + torch::arange(per_channel, keep.options())).flatten();
    return KeepEntries(linear->weight, 1, features);
  }
  throw std::invalid_argument(fmt::format(
      "pruning: '{}' depends on pruned channels but is not a conv, linear or BatchNorm layer, "
      "which structured pruning cannot shrink",
      name));
}

torch::Tensor* ProducerWeight(torch::nn::Module& module, torch::Tensor** bias) {
  if (auto* conv2d = module.as<torch::nn::Conv2d>()) {
    *bias = &conv2d->bias;
    return &conv2d->weight;
  }
  if (auto* conv1d = module.as<torch::nn::Conv1d>()) {
    *bias = &conv1d->bias;
    return &conv1d->weight;
  }
  if (auto* linear = module.as<torch::nn::Linear>()) {
    *bias = &linear->bias;
    return &linear->weight;
  }
  return nullptr;
}

// The cubic schedule's sparsity after `done` of `total` pruning steps.
double CubicSparsity(double final_sparsity, int done, int total) {
  const double progress = std::clamp(static_cast<double>(done) / std::max(1, total), 0.0, 1.0);
  return final_sparsity * (1.0 - std::pow(1.0 - progress, 3));
}

}  // namespace detail

class Pruning : public Optimization {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {EnumParam("method", "unstructured", {"unstructured", "structured"},
                      "unstructured zeroes single weights (masks); structured removes whole "
                      "channels and neurons"),
            FloatParam("sparsity", 0.5,
                       "fraction to prune: of the weights (unstructured) or of each prunable "
                       "layer's channels (structured)",
                       0.0, 0.99),
            EnumParam("scope", "global", {"global", "layer"},
                      "unstructured: rank weights across all layers (global) or within each layer"),
            EnumParam("schedule", "once", {"once", "gradual"},
                      "once: prune after training, then fine-tune; gradual: prune a little more "
                      "after each epoch (cubic schedule)"),
            IntParam("finetune_epochs", 1,
                     "epochs to train after the final pruning step (phase 'finetune')", 0, 10000),
            FloatParam("finetune_lr_scale", 0.1,
                       "fine-tuning's learning rate as a fraction of lr (constant; the "
                       "optimizer's moments start afresh after structured pruning)",
                       1e-6, 10.0),
            IntParam("start_epoch", 1, "gradual: the first epoch after which to prune", 1, 100000),
            IntParam("end_epoch", 0,
                     "gradual: the epoch after which the target sparsity is reached (0: the last "
                     "planned epoch)",
                     0, 100000)};
  }

  void Configure(const Params& params) override {
    structured_ = params.GetString("method") == "structured";
    sparsity_ = params.GetFloat("sparsity");
    global_ = params.GetString("scope") == "global";
    gradual_ = params.GetString("schedule") == "gradual";
    finetune_epochs_ = static_cast<int>(params.GetInt("finetune_epochs"));
    finetune_lr_scale_ = params.GetFloat("finetune_lr_scale");
    start_epoch_ = static_cast<int>(params.GetInt("start_epoch"));
    end_epoch_ = static_cast<int>(params.GetInt("end_epoch"));
    if (end_epoch_ != 0 && end_epoch_ < start_epoch_) {
      throw std::invalid_argument(fmt::format(
          "pruning.end_epoch ({}) is before pruning.start_epoch ({}): set end_epoch at or after "
          "start_epoch, or 0 for the last planned epoch",
          end_epoch_, start_epoch_));
    }
  }

  // After precision (10), before stopping rules (90): masks are applied
  // before anyone judges an epoch.
  int Order() const override { return 40; }

  OptimizationDeclaration Declaration() const override {
    OptimizationDeclaration declaration;
    declaration.needs = {{ModelFeature::kPrunableLayers, "method", "structured"}};
    return declaration;
  }

  void OnModelBuilt(TrainingContext& ctx) override {
    if (structured_ && ctx.network->structure().prunable_layers.empty()) {
      throw std::invalid_argument(
          "pruning.method = structured, but this model declares no prunable layers: use "
          "method unstructured, or declare prunable_layers in the model's structure()");
    }
    if (end_epoch_ == 0) end_epoch_ = ctx.planned_epochs;
    end_epoch_ = std::min(end_epoch_, ctx.planned_epochs);
    Record(ctx, "pruning.parameters_before", static_cast<double>(CountParameters(*ctx.network)));
  }

  void AfterOptimizerStep(TrainingContext&) override {
    if (masks_.empty()) return;
    torch::NoGradGuard no_grad;
    for (auto& [weight, mask] : masks_) weight.mul_(mask);
  }

  EpochDecision OnEpochEnd(TrainingContext& ctx, const EpochMetrics&) override {
    if (gradual_ && ctx.epoch >= start_epoch_ && ctx.epoch <= end_epoch_) {
      const int steps = end_epoch_ - start_epoch_ + 1;
      PruneTo(ctx, detail::CubicSparsity(sparsity_, ctx.epoch - start_epoch_ + 1, steps), "eval");
    }
    return {};
  }

  void OnTrainingEnd(TrainingContext& ctx) override {
    // A run stopped early, or a once-schedule, reaches the target here.
    if (reached_ < sparsity_) PruneTo(ctx, sparsity_, "optimize");
  }

  FineTuning FineTuningAfterTraining() const override {
    return {finetune_epochs_, finetune_lr_scale_};
  }

  void OnFinalNetwork(TrainingContext& ctx) override {
    const int64_t after = CountParameters(*ctx.network);
    Record(ctx, "pruning.parameters_after", static_cast<double>(after));
    Record(ctx, "pruning.sparsity", reached_);
    if (!structured_) {
      Record(ctx, "pruning.zero_weight_fraction", ZeroFraction(*ctx.network));
    }
  }

 private:
  static int64_t CountParameters(Network& network) {
    int64_t count = 0;
    for (const auto& parameter : network.parameters()) count += parameter.numel();
    return count;
  }

  static double ZeroFraction(Network& network) {
    int64_t zeros = 0, total = 0;
    for (const auto& [name, weight] : detail::PrunableWeights(network)) {
      zeros += weight.eq(0).sum().item<int64_t>();
      total += weight.numel();
    }
    return total > 0 ? static_cast<double>(zeros) / static_cast<double>(total) : 0;
  }

  static void Record(TrainingContext& ctx, const std::string& key, double value) {
    if (ctx.record) ctx.record(key, value);
  }

  // Pruning is a phase of its own; `resume_phase` is the trainer's phase
  // the hook was called in, marked again afterwards.
  void PruneTo(TrainingContext& ctx, double sparsity, const std::string& resume_phase) {
    if (sparsity <= reached_) return;
    if (ctx.mark_phase) ctx.mark_phase("prune");
    if (structured_) {
      RemoveChannels(ctx, sparsity);
    } else {
      UpdateMasks(*ctx.network, sparsity);
    }
    reached_ = sparsity;
    if (ctx.mark_phase) ctx.mark_phase(resume_phase);
  }

  void UpdateMasks(Network& network, double sparsity) {
    torch::NoGradGuard no_grad;
    auto weights = detail::PrunableWeights(network);
    double global_threshold = -1;
    if (global_) {
      std::vector<torch::Tensor> magnitudes;
      for (const auto& [name, weight] : weights) magnitudes.push_back(weight.abs().flatten());
      global_threshold = detail::Threshold(torch::cat(magnitudes), sparsity);
    }
    masks_.clear();
    for (auto& [name, weight] : weights) {
      const torch::Tensor magnitude = weight.abs();
      const double threshold = global_ ? global_threshold : detail::Threshold(magnitude, sparsity);
      torch::Tensor mask = magnitude.gt(threshold).to(weight.scalar_type());
      weight.mul_(mask);
      masks_.emplace_back(weight, mask);
    }
  }

  void RemoveChannels(TrainingContext& ctx, double sparsity) {
    Network& network = *ctx.network;
    std::map<std::string, std::shared_ptr<torch::nn::Module>> modules;
    for (const auto& item : network.named_modules("", /*include_self=*/false)) {
      modules[item.key()] = item.value();
    }
    auto find = [&](const std::string& name) -> torch::nn::Module& {
      const auto found = modules.find(name);
      if (found == modules.end()) {
        throw std::invalid_argument(fmt::format(
            "pruning: the model declares a prunable layer '{}' that its network does not have; "
            "name each prunable layer by its path in the network's named_modules()",
            name));
      }
      return *found->second;
    };
    auto producer = [&](const std::string& name, torch::Tensor** bias) {
      torch::Tensor* weight = detail::ProducerWeight(find(name), bias);
      if (weight == nullptr) {
        throw std::invalid_argument(
            fmt::format("pruning: prunable layer '{}' is not a conv or linear layer; list only "
                        "conv and linear layers in prunable_layers",
                        name));
      }
      return weight;
    };
    for (const PrunableLayer& layer : network.structure().prunable_layers) {
      torch::Tensor* bias = nullptr;
      torch::Tensor* weight = producer(layer.name, &bias);
      const int64_t channels = weight->size(0);
      const int64_t group = std::max<int64_t>(1, layer.group_size);
      if (channels % group != 0) {
        throw std::invalid_argument(fmt::format(
            "pruning: '{}' has {} outputs, not a whole number of groups of {}: the model's "
            "prunable-layer declaration is wrong",
            layer.name, channels, group));
      }
      const int64_t groups = channels / group;
      const int64_t original = original_channels_.emplace(layer.name, groups).first->second;
      const int64_t keep_count = std::max<int64_t>(
          1, static_cast<int64_t>(std::llround(static_cast<double>(original) * (1.0 - sparsity))));
      if (keep_count >= groups) continue;
      // The groups (channels, or heads) with the largest L2 norm over this
      // layer and its coupled ones stay, in their order.
      torch::Tensor squared = weight->detach().flatten(1).square().sum(1);
      std::vector<std::pair<torch::Tensor*, torch::Tensor*>> coupled;
      for (const std::string& name : layer.coupled) {
        torch::Tensor* coupled_bias = nullptr;
        torch::Tensor* coupled_weight = producer(name, &coupled_bias);
        squared = squared + coupled_weight->detach().flatten(1).square().sum(1);
        coupled.emplace_back(coupled_weight, coupled_bias);
      }
      const torch::Tensor norms = squared.view({groups, group}).sum(1).sqrt();
      const torch::Tensor kept_groups =
          std::get<0>(std::get<1>(norms.topk(keep_count)).sort()).to(torch::kLong);
      const torch::Tensor keep =
          (kept_groups.unsqueeze(1) * group + torch::arange(group, kept_groups.options()))
              .flatten();
      detail::KeepEntries(*weight, 0, keep);
      detail::KeepEntries(*bias, 0, keep);
      for (auto& [coupled_weight, coupled_bias] : coupled) {
        detail::KeepEntries(*coupled_weight, 0, keep);
        detail::KeepEntries(*coupled_bias, 0, keep);
      }
      for (const std::string& dependent : layer.dependents) {
        detail::ShrinkDependent(find(dependent), dependent, keep, channels);
      }
    }
    SyncOptionsWithWeights(network);
    // Moments kept per parameter no longer match the shapes.
    ctx.optimizer->state().clear();
  }

  bool structured_ = false;
  double sparsity_ = 0.5;
  bool global_ = true;
  bool gradual_ = false;
  int finetune_epochs_ = 1;
  double finetune_lr_scale_ = 0.1;
  int start_epoch_ = 1;
  int end_epoch_ = 0;
  double reached_ = 0;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> masks_;  // weight, 0/1 mask
  std::map<std::string, int64_t> original_channels_;
};

}  // namespace carbonbench::optimizations

CARBONBENCH_REGISTER_OPTIMIZATION(
    carbonbench::optimizations::Pruning, "pruning", "1.0.0",
    "Magnitude pruning: unstructured (masks) or structured (removes channels), once or gradually")
