// Gradient checkpointing: every `every`-th block the model declares runs its
// forward pass without keeping activations, and runs it again in backward to
// get them. Peak memory falls by the activations of those blocks; time rises
// by one more forward pass of each.
#include <set>
#include <string>

#include <ATen/autocast_mode.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "carbonbench/sdk.h"

namespace carbonbench::optimizations {
namespace detail {

// The block itself, carried from forward to backward in the autograd context.
struct SavedBlock : torch::CustomClassHolder {
  Network::Block block;
  at::Tensor rng_state;   // the CPU generator before the block ran
  bool autocast = false;  // the CPU autocast state it ran under
  at::ScalarType autocast_dtype = at::kBFloat16;
};

// Autocast as it was in forward, for the recomputation in backward (which
// runs after the trainer has left its forward scope).
class AutocastAs {
 public:
  explicit AutocastAs(const SavedBlock& saved)
      : was_enabled_(at::autocast::is_cpu_enabled()),
        was_dtype_(at::autocast::get_autocast_cpu_dtype()) {
    at::autocast::set_autocast_cpu_dtype(saved.autocast_dtype);
    at::autocast::set_cpu_enabled(saved.autocast);
    if (saved.autocast) at::autocast::increment_nesting();
    nested_ = saved.autocast;
  }
  ~AutocastAs() {
    if (nested_ && at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_cpu_enabled(was_enabled_);
    at::autocast::set_autocast_cpu_dtype(was_dtype_);
  }

 private:
  bool was_enabled_;
  at::ScalarType was_dtype_;
  bool nested_ = false;
};

class CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor input,
                               c10::intrusive_ptr<SavedBlock> saved) {
    saved->rng_state = at::detail::getDefaultCPUGenerator().get_state();
    saved->autocast = at::autocast::is_cpu_enabled();
    saved->autocast_dtype = at::autocast::get_autocast_cpu_dtype();
    ctx->save_for_backward({input});
    ctx->saved_data["block"] = c10::IValue::make_capsule(saved);
    torch::NoGradGuard no_grad;
    return saved->block(input);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved =
        c10::static_intrusive_pointer_cast<SavedBlock>(ctx->saved_data["block"].toCapsule());
    const torch::Tensor input = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    // Dropout draws the same masks as in forward: same generator state.
    auto generator = at::detail::getDefaultCPUGenerator();
    const at::Tensor state_now = generator.get_state();
    generator.set_state(saved->rng_state);
    torch::Tensor output;
    {
      torch::AutoGradMode enable_grad(true);
      AutocastAs autocast(*saved);
      output = saved->block(input);
    }
    generator.set_state(state_now);
    // Parameters' gradients accumulate here; the input's goes on upstream.
    torch::autograd::backward({output}, {grads[0]});
    return {input.grad(), torch::Tensor()};
  }
};

}  // namespace detail

class Checkpointing : public Optimization {
 public:
  static std::vector<ParamSpec> Parameters() {
    return {IntParam("every", 1, "checkpoint every N-th declared block (1: all of them)", 1, 1000)};
  }

  void Configure(const Params& params) override { every_ = params.GetInt("every"); }

  // Last to wrap the network: it only changes how blocks run.
  int Order() const override { return 30; }

  OptimizationDeclaration Declaration() const override {
    OptimizationDeclaration declaration;
    declaration.needs = {{ModelFeature::kRepeatedBlocks}};
    return declaration;
  }

  void OnModelBuilt(TrainingContext& ctx) override {
    const auto blocks = ctx.network->structure().repeated_blocks;
    if (blocks.empty()) {
      throw std::invalid_argument(
          "checkpointing: this model declares no repeated blocks, so there is nothing to "
          "checkpoint: declare repeated_blocks in the model's structure()");
    }
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      if (i % static_cast<std::size_t>(every_) == 0) chosen_.insert(blocks[i]);
    }
    if (ctx.device.is_cuda() && ctx.warn) {
      ctx.warn(
          "checkpointing: the CUDA generator's state is not restored for the "
          "recomputation, so dropout inside checkpointed blocks draws new masks there");
    }
    if (ctx.record) ctx.record("checkpointing.blocks", static_cast<double>(chosen_.size()));
    // By value: the network may outlive this object.
    ctx.network->block_runner = [chosen = chosen_](const std::string& name,
                                                   const Network::Block& block,
                                                   torch::Tensor input) {
      // Outside training there are no activations to spare.
      if (!torch::GradMode::is_enabled() || !chosen.count(name)) return block(input);
      if (!input.requires_grad()) {
        // The block's own parameters would get no gradient through the
        // checkpoint: run it as it is.
        return block(input);
      }
      auto saved = c10::make_intrusive<detail::SavedBlock>();
      saved->block = block;
      return detail::CheckpointFunction::apply(input, saved);
    };
  }

 private:
  int64_t every_ = 1;
  std::set<std::string> chosen_;
};

}  // namespace carbonbench::optimizations

CARBONBENCH_REGISTER_OPTIMIZATION(
    carbonbench::optimizations::Checkpointing, "checkpointing", "1.0.0",
    "Gradient checkpointing of the model's declared blocks: less memory, one more forward pass")
