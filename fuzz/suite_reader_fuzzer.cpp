// A suite file: YAML through the reader, the checks and the matrix, against
// a catalog of the built-in plugins' names (their parameters left out).
#include "fuzz_input.h"
#include "suites/suite.h"

namespace {

carbonbench::PluginCatalog Catalog() {
  using carbonbench::PluginKind;
  carbonbench::PluginCatalog catalog;
  for (const char* name : {"cnn", "cnn1d", "linear", "resnet18", "mobilenet_v2", "bert"}) {
    catalog.push_back({name, PluginKind::kModel});
  }
  catalog.front().default_model = true;
  for (const char* name :
       {"mixed_precision", "early_stop", "pruning", "quantization", "checkpointing"}) {
    catalog.push_back({name, PluginKind::kOptimization});
  }
  for (const char* name :
       {"cpu_estimate", "ram_estimate", "rapl", "nvml", "constant", "external"}) {
    carbonbench::PluginCatalogEntry meter{name, PluginKind::kMeter};
    meter.meter_traits.default_on = meter.name == "cpu_estimate";
    catalog.push_back(meter);
  }
  return catalog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbonbench;
  static const PluginCatalog catalog = Catalog();
  fuzzing::ReadRefusingOnlyWithUserErrors(
      [&] { LoadSuiteText(std::string(fuzzing::AsText(data, size)), "suite.yaml", catalog); });
  return 0;
}
