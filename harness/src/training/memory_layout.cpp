#include "training/memory_layout.h"

namespace carbonbench {

void ToChannelsLast(torch::nn::Module& network) {
  torch::NoGradGuard no_grad;
  for (auto& parameter : network.parameters()) {
    if (parameter.dim() != 4) continue;
    if (parameter.is_contiguous(torch::MemoryFormat::ChannelsLast)) continue;
    parameter.set_data(parameter.data().contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

torch::Tensor InLayout(const torch::Tensor& batch, bool channels_last) {
  if (!channels_last || batch.dim() != 4) return batch;
  return batch.contiguous(torch::MemoryFormat::ChannelsLast);
}

}  // namespace carbonbench
