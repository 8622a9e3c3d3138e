// QuantizableLinear in floating point: torch::nn::Linear's results, computed
// the way PyTorch's nn.Linear computes them, and its int8 hook.
#include "carbonbench/quantizable_linear.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace carbonbench {
namespace {

TEST(QuantizableLinear, GivesWhatLinearGivesOnBatchesOfSequences) {
  torch::manual_seed(1);
  QuantizableLinear layer(16, 8);
  torch::nn::Linear plain(16, 8);
  plain->weight.data().copy_(layer->weight);
  plain->bias.data().copy_(layer->bias);
  const torch::Tensor input = torch::randn({4, 5, 16});
  EXPECT_TRUE(torch::allclose(layer->forward(input), plain->forward(input), 1e-5, 1e-6));
  const torch::Tensor rows = torch::randn({3, 16});
  EXPECT_TRUE(torch::allclose(layer->forward(rows), plain->forward(rows), 1e-5, 1e-6));
}

// A [batch, length, features] input is one fused addmm on the flattened
// rows (at::linear), not libtorch's functional matmul followed by a
// separate bias add: that is what keeps BERT's step as fast as PyTorch's.
TEST(QuantizableLinear, RunsASequenceBatchAsOneFusedMatrixMultiply) {
  QuantizableLinear layer(16, 8);
  const torch::Tensor output = layer->forward(torch::randn({4, 5, 16}, torch::requires_grad()));
  ASSERT_TRUE(output.grad_fn());
  std::vector<std::string> graph{output.grad_fn()->name()};
  for (const auto& edge : output.grad_fn()->next_edges()) {
    if (edge.function) graph.push_back(edge.function->name());
  }
  EXPECT_NE(std::find(graph.begin(), graph.end(), "AddmmBackward0"), graph.end())
      << "graph: " << ::testing::PrintToString(graph);
  EXPECT_EQ(std::find(graph.begin(), graph.end(), "AddBackward0"), graph.end())
      << "graph: " << ::testing::PrintToString(graph);
}

TEST(QuantizableLinear, RunsTheQuantizedForwardOnceItIsSet) {
  QuantizableLinear layer(4, 2);
  layer->quantized_forward = [](const torch::Tensor& input) {
    return torch::full({input.size(0), 2}, 7.0);
  };
  EXPECT_TRUE(torch::equal(layer->forward(torch::randn({3, 4})), torch::full({3, 2}, 7.0)));
}

}  // namespace
}  // namespace carbonbench
