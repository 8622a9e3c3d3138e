#include "inspect/model_summary.h"

#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include <ATen/record_function.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

namespace carbonbench {
namespace {

struct ParameterOwner {
  std::string module;
  std::string type;             // "Conv2d", "Linear", ...
  std::int64_t parameters = 0;  // the module's own (not its children's)
};

// What the operator callbacks share. One summary runs at a time per thread,
// and the callbacks are thread-local, so a plain pointer is enough.
struct Recording {
  std::map<const void*, const ParameterOwner*> owner_of;  // parameter data -> module
  std::vector<ParameterOwner> owners;
  std::set<std::string> seen_modules;
  std::vector<LayerSummary> layers;
  int depth = 0;  // operators nest (conv2d calls convolution ...): only the outermost count
  std::vector<std::int64_t> pending_weight_shape;
  std::vector<std::int64_t> pending_input_shape;
};
thread_local Recording* recording = nullptr;
constexpr const char* kFunctional = "(functional)";

// "torch::nn::Conv2dImpl" -> "Conv2d"; a model's own class names too.
std::string TypeName(const std::string& module_name) {
  std::string name = module_name.substr(
      module_name.rfind(':') == std::string::npos ? 0 : module_name.rfind(':') + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0)
    name.resize(name.size() - 4);
  return name;
}

std::string OperatorName(const at::RecordFunction& fn) {
  std::string name = fn.name();
  if (name.rfind("aten::", 0) == 0) name = name.substr(6);
  return name;
}

std::int64_t Product(const std::vector<std::int64_t>& shape, std::size_t from = 0) {
  std::int64_t product = 1;
  for (std::size_t i = from; i < shape.size(); ++i) product *= shape[i];
  return product;
}

// Multiply-accumulates of one operator, from its input and output shapes.
std::int64_t MacsOf(const std::string& op, const std::vector<std::int64_t>& input,
                    const std::vector<std::int64_t>& weight,
                    const std::vector<std::int64_t>& output) {
  const std::int64_t out = Product(output);
  if (op == "conv1d" || op == "conv2d" || op == "conv3d" || op == "convolution" ||
      op == "_convolution") {
    // Each output value sums (in_channels / groups) x kernel products.
    return weight.size() >= 2 ? out * Product(weight, 1) : 0;
  }
  if (op == "linear") return weight.size() == 2 ? out * weight[1] : 0;
  // An int8 linear layer's packed weight is no tensor: its inputs' last
  // dimension is the sum's length all the same.
  if (op == "matmul" || op == "mm" || op == "bmm" || op == "addmm" || op == "baddbmm" ||
      op == "quantized::linear_dynamic") {
    return input.empty() ? 0 : out * input.back();
  }
  return 0;
}

std::unique_ptr<at::ObserverContext> OnOperatorStart(const at::RecordFunction& fn) {
  Recording* r = recording;
  if (r == nullptr) return nullptr;
  if (r->depth++ > 0) return nullptr;
  const std::string op = OperatorName(fn);
  LayerSummary layer;
  layer.name = kFunctional;
  layer.operation = op;
  const ParameterOwner* owner = nullptr;
  std::vector<std::vector<std::int64_t>> tensor_shapes;
  for (const c10::IValue& value : fn.inputs()) {
    if (!value.isTensor()) continue;
    const at::Tensor& tensor = value.toTensor();
    if (!tensor.defined()) continue;
    tensor_shapes.push_back(tensor.sizes().vec());
    auto it = r->owner_of.find(tensor.data_ptr());
    if (owner == nullptr && it != r->owner_of.end()) owner = it->second;
  }
  r->pending_input_shape = tensor_shapes.empty() ? std::vector<std::int64_t>{} : tensor_shapes[0];
  r->pending_weight_shape =
      tensor_shapes.size() > 1 ? tensor_shapes[1] : std::vector<std::int64_t>{};
  if (op == "matmul" || op == "mm" || op == "bmm") {
    r->pending_input_shape = tensor_shapes.empty() ? std::vector<std::int64_t>{} : tensor_shapes[0];
  } else if (op == "addmm" || op == "baddbmm") {
    r->pending_input_shape =
        tensor_shapes.size() > 1 ? tensor_shapes[1] : std::vector<std::int64_t>{};
  }
  if (owner != nullptr) {
    layer.name = owner->module;
    layer.operation = owner->type;
    // A module's parameters count at its first call only (shared weights).
    if (r->seen_modules.insert(owner->module).second) layer.parameters = owner->parameters;
  }
  r->layers.push_back(std::move(layer));
  return nullptr;
}

void OnOperatorEnd(const at::RecordFunction& fn, at::ObserverContext*) {
  Recording* r = recording;
  if (r == nullptr) return;
  if (--r->depth > 0) return;
  LayerSummary& layer = r->layers.back();
  const auto& outputs = fn.outputs();
  if (!outputs.empty() && outputs[0].isTensor() && outputs[0].toTensor().defined()) {
    layer.output_shape = outputs[0].toTensor().sizes().vec();
  }
  layer.macs =
      MacsOf(OperatorName(fn), r->pending_input_shape, r->pending_weight_shape, layer.output_shape);
  // Keep the table to what a reader looks for: layers with weights, and
  // functional operators that do arithmetic worth counting.
  if (layer.name == kFunctional) {
    if (layer.macs == 0) r->layers.pop_back();
    return;
  }
  // One module call may dispatch several operators (a Linear runs t() on its
  // weight, then addmm): fold them into one row that ends with the last.
  if (r->layers.size() >= 2) {
    LayerSummary& previous = r->layers[r->layers.size() - 2];
    if (previous.name == layer.name && previous.operation == layer.operation &&
        layer.parameters == 0) {
      previous.output_shape = layer.output_shape;
      previous.macs += layer.macs;
      r->layers.pop_back();
    }
  }
}

// Removes the thread-local callback however the forward pass ends.
class RecordingScope {
 public:
  explicit RecordingScope(Recording& r) {
    recording = &r;
    handle_ =
        at::addThreadLocalCallback(at::RecordFunctionCallback(&OnOperatorStart, &OnOperatorEnd)
                                       .needsInputs(true)
                                       .needsOutputs(true)
                                       .scopes({at::RecordScope::FUNCTION}));
  }
  ~RecordingScope() {
    at::removeCallback(handle_);
    recording = nullptr;
  }

 private:
  at::CallbackHandle handle_;
};

std::string ShapeText(const std::vector<std::int64_t>& shape) {
  return shape.empty() ? "-" : "[" + fmt::format("{}", fmt::join(shape, ", ")) + "]";
}

std::string Grouped(std::int64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Scaled(double value) {
  if (value >= 1e9) return fmt::format("{:.2f} G", value / 1e9);
  if (value >= 1e6) return fmt::format("{:.2f} M", value / 1e6);
  if (value >= 1e3) return fmt::format("{:.2f} k", value / 1e3);
  return fmt::format("{:.0f}", value);
}

}  // namespace

ModelSummary SummarizeModel(Network& network, const torch::Tensor& input) {
  ModelSummary summary;
  summary.input_shape = input.sizes().vec();
  for (const auto& parameter : network.parameters()) {
    summary.parameters += parameter.numel();
    if (parameter.requires_grad()) summary.trainable_parameters += parameter.numel();
    summary.parameter_bytes +=
        parameter.numel() * static_cast<std::int64_t>(parameter.element_size());
  }

  Recording r;
  for (const auto& item : network.named_modules()) {
    std::int64_t own = 0;
    for (const auto& parameter : item.value()->parameters(/*recurse=*/false))
      own += parameter.numel();
    if (own > 0) r.owners.push_back({item.key(), TypeName(item.value()->name()), own});
  }
  for (const auto& owner : r.owners) {
    auto module = network.named_modules()[owner.module];
    for (const auto& parameter : module->parameters(/*recurse=*/false)) {
      r.owner_of[parameter.data_ptr()] = &owner;
    }
  }

  const bool was_training = network.is_training();
  network.eval();
  torch::Tensor output;
  {
    torch::NoGradGuard no_grad;
    RecordingScope scope(r);
    output = network.forward(input);
  }
  network.train(was_training);

  summary.output_shape = output.sizes().vec();
  std::int64_t total_macs = 0;
  for (const auto& layer : r.layers) total_macs += layer.macs;
  const std::int64_t batch = input.dim() > 0 ? std::max<std::int64_t>(1, input.size(0)) : 1;
  summary.macs_per_sample = total_macs / batch;
  summary.layers = std::move(r.layers);
  for (const auto& owner : r.owners) {
    if (!r.seen_modules.count(owner.module)) summary.unused_modules.push_back(owner.module);
  }
  return summary;
}

std::string FormatModelSummary(const ModelSummary& summary, const std::string& title) {
  std::size_t name_width = 5;
  for (const auto& layer : summary.layers) name_width = std::max(name_width, layer.name.size());
  const std::size_t total_width = name_width + 16 + 22 + 14 + 14 + 8;
  const std::string rule(total_width, '=');
  const std::string thin(total_width, '-');
  std::string out = title + "\n" + rule + "\n";
  out += fmt::format("{:<{}}  {:<14}  {:<20}  {:>12}  {:>12}\n", "Layer", name_width, "Operation",
                     "Output shape", "Parameters", "MACs");
  out += thin + "\n";
  for (const auto& layer : summary.layers) {
    out += fmt::format("{:<{}}  {:<14}  {:<20}  {:>12}  {:>12}\n", layer.name, name_width,
                       layer.operation, ShapeText(layer.output_shape),
                       layer.parameters > 0 ? Grouped(layer.parameters) : "-",
                       layer.macs > 0 ? Scaled(static_cast<double>(layer.macs)) : "-");
  }
  out += rule + "\n";
  out += fmt::format("Input shape: {}   Output shape: {}\n", ShapeText(summary.input_shape),
                     ShapeText(summary.output_shape));
  out += fmt::format("Total parameters: {}\n", Grouped(summary.parameters));
  out += fmt::format("Trainable parameters: {}\n", Grouped(summary.trainable_parameters));
  out += fmt::format("Parameter size: {:.2f} MB\n",
                     static_cast<double>(summary.parameter_bytes) / 1e6);
  out += fmt::format("Multiply-accumulates per sample: {} ({})\n", Grouped(summary.macs_per_sample),
                     Scaled(static_cast<double>(summary.macs_per_sample)) + "MACs");
  if (!summary.unused_modules.empty()) {
    out += fmt::format("Not run by this input: {}\n", fmt::join(summary.unused_modules, ", "));
  }
  return out;
}

}  // namespace carbonbench
