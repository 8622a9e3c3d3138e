// Post-training dynamic int8 quantization of linear layers, for inference:
// weights are quantized once (per output channel, symmetric), activations per
// batch, and each layer runs torch's quantized::linear_dynamic kernel. The
// run's final accuracy is measured on the quantized network, and the
// inference phase serves it quantized, so both show what int8 costs and
// saves. Models opt their linear layers in by building them as
// carbonbench::QuantizableLinear; plain torch::nn::Linear layers stay fp32
// and are counted.
#include <string>
#include <vector>

#include <ATen/core/dispatch/Dispatcher.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "carbonbench/sdk.h"

namespace carbonbench::optimizations {
namespace detail {

std::string EngineName(at::QEngine engine) {
  switch (engine) {
    case at::QEngine::FBGEMM:
      return "fbgemm";
    case at::QEngine::QNNPACK:
      return "qnnpack";
    case at::QEngine::ONEDNN:
      return "onednn";
    case at::QEngine::X86:
      return "x86";
    default:
      return "none";
  }
}

std::vector<at::QEngine> UsableEngines() {
  std::vector<at::QEngine> engines;
  for (const at::QEngine engine : at::globalContext().supportedQEngines()) {
    if (engine != at::QEngine::NoQEngine) engines.push_back(engine);
  }
  return engines;
}

std::string EngineList(const std::vector<at::QEngine>& engines) {
  std::string names;
  for (const at::QEngine engine : engines)
    names += (names.empty() ? "" : ", ") + EngineName(engine);
  return names.empty() ? "none" : names;
}

c10::IValue Prepack(const torch::Tensor& quantized_weight,
                    const c10::optional<torch::Tensor>& bias) {
  static const auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("quantized::linear_prepack", "");
  std::vector<c10::IValue> stack{quantized_weight, bias};
  op.callBoxed(&stack);
  return stack[0];
}

torch::Tensor LinearDynamic(const torch::Tensor& input, const c10::IValue& packed,
                            bool reduce_range) {
  static const auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("quantized::linear_dynamic", "");
  std::vector<c10::IValue> stack{input.to(torch::kFloat32).contiguous(), packed, reduce_range};
  op.callBoxed(&stack);
  return stack[0].toTensor();
}

// Symmetric int8: per output channel (row), or one scale for the tensor.
torch::Tensor QuantizeWeight(const torch::Tensor& weight, bool per_channel) {
  const torch::Tensor w = weight.detach().to(torch::kFloat32).contiguous();
  if (per_channel) {
    const torch::Tensor scales =
        (std::get<0>(w.abs().max(1)) / 127.0).clamp_min(1e-8).to(torch::kDouble);
    const torch::Tensor zero_points = torch::zeros({w.size(0)}, torch::kLong);
    return torch::quantize_per_channel(w, scales, zero_points, 0, torch::kQInt8);
  }
  const double scale = std::max(w.abs().max().item<double>() / 127.0, 1e-8);
  return torch::quantize_per_tensor(w, scale, 0, torch::kQInt8);
}

}  // namespace detail

class Quantization : public Optimization {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {
        EnumParam("engine", "auto", {"auto", "fbgemm", "onednn", "qnnpack", "x86"},
                  "torch's quantized CPU engine; auto keeps torch's default"),
        BoolParam("per_channel", true, "one weight scale per output channel (else one per layer)")};
  }

  void Configure(const Params& params) override {
    engine_ = params.GetString("engine");
    per_channel_ = params.GetBool("per_channel");
  }

  std::string UnavailableReason() const override {
    if (detail::UsableEngines().empty()) {
      return "this torch build has no quantized CPU engine (fbgemm, onednn, qnnpack or x86): "
             "use a torch built with one, or leave quantization out";
    }
    return "";
  }

  // Last: it quantizes the network as every other optimization left it.
  int Order() const override { return 95; }

  OptimizationDeclaration Declaration() const override {
    OptimizationDeclaration declaration;
    declaration.needs = {{ModelFeature::kQuantizableLinear}};
    return declaration;
  }

  void OnModelBuilt(TrainingContext& ctx) override {
    if (!ctx.device.is_cpu()) {
      throw std::invalid_argument(
          fmt::format("quantization: int8 dynamic quantization runs on the CPU, and this cell "
                      "trains on {}: set device: cpu for cells with quantization",
                      ctx.device.str()));
    }
    SelectEngine();
  }

  void OnFinalNetwork(TrainingContext& ctx) override {
    const EvalFigures before = ctx.evaluate ? ctx.evaluate() : EvalFigures{};
    const Counts counts = Quantize(*ctx.network);
    ctx.network_changed = true;
    if (!ctx.record) return;
    const EvalFigures after = ctx.evaluate ? ctx.evaluate() : EvalFigures{};
    ctx.record("quantization.layers_int8", static_cast<double>(counts.quantized));
    ctx.record("quantization.layers_fp32", static_cast<double>(counts.plain));
    ctx.record("quantization.weight_mb_fp32", counts.float_bytes / 1e6);
    ctx.record("quantization.weight_mb_int8", counts.int8_bytes / 1e6);
    const bool regression = ctx.dataset && ctx.dataset->task == TaskKind::kRegression;
    if (regression) {
      ctx.record("quantization.rmse_before", before.test_rmse);
      ctx.record("quantization.rmse_after", after.test_rmse);
    } else {
      ctx.record("quantization.accuracy_before_pct", 100.0 * before.test_accuracy);
      ctx.record("quantization.accuracy_after_pct", 100.0 * after.test_accuracy);
    }
    if (counts.quantized == 0 && ctx.warn) {
      ctx.warn(
          "quantization: this model has no QuantizableLinear layers, so nothing was "
          "quantized (its linear layers are plain torch::nn::Linear)");
    }
  }

  void PrepareForInference(Network& network, const torch::Device&) override {
    SelectEngine();
    Quantize(network);
  }

 private:
  struct Counts {
    int quantized = 0;
    int plain = 0;
    double float_bytes = 0;
    double int8_bytes = 0;
  };

  void SelectEngine() {
    const auto engines = detail::UsableEngines();
    if (engine_ != "auto") {
      for (const at::QEngine engine : engines) {
        if (detail::EngineName(engine) == engine_) {
          at::globalContext().setQEngine(engine);
          break;
        }
      }
      if (detail::EngineName(at::globalContext().qEngine()) != engine_) {
        throw std::invalid_argument(fmt::format(
            "quantization.engine = {} is not in this torch build (it has: {}): pick one of those "
            "or auto",
            engine_, detail::EngineList(engines)));
      }
    }
    // fbgemm's kernels can overflow 16-bit accumulators without VNNI; torch
    // narrows the activations' range there too.
    reduce_range_ = at::globalContext().qEngine() == at::QEngine::FBGEMM;
  }

  Counts Quantize(Network& network) {
    Counts counts;
    torch::NoGradGuard no_grad;
    for (const auto& module : network.modules(/*include_self=*/false)) {
      auto* linear = module->as<torch::nn::Linear>();
      if (linear == nullptr) continue;
      auto* quantizable = dynamic_cast<QuantizableLinearImpl*>(linear);
      if (quantizable == nullptr) {
        ++counts.plain;
        continue;
      }
      const torch::Tensor weight = quantizable->weight.to(torch::kCPU);
      c10::optional<torch::Tensor> bias;
      if (quantizable->bias.defined())
        bias = quantizable->bias.detach().to(torch::kCPU, torch::kFloat32);
      const c10::IValue packed =
          detail::Prepack(detail::QuantizeWeight(weight, per_channel_), bias);
      const bool reduce_range = reduce_range_;
      quantizable->quantized_forward = [packed, reduce_range](const torch::Tensor& input) {
        return detail::LinearDynamic(input, packed, reduce_range);
      };
      ++counts.quantized;
      counts.float_bytes += static_cast<double>(weight.numel() * weight.element_size());
      counts.int8_bytes += static_cast<double>(weight.numel());
    }
    return counts;
  }

  std::string engine_ = "auto";
  bool per_channel_ = true;
  bool reduce_range_ = false;
};

}  // namespace carbonbench::optimizations

CARBONBENCH_REGISTER_OPTIMIZATION(
    carbonbench::optimizations::Quantization, "quantization", "1.0.0",
    "Post-training dynamic int8 quantization of linear layers for inference")
