// "Inference": what serving each trained model costs, per batch size, from
// the inference phase that follows training (the model rebuilt from its
// saved file and run in fp32, as a user would first serve it).
#include <fmt/format.h>

#include "report/render/sections.h"

namespace carbonbench::report {

std::string InferenceSection(const ReportInput& input) {
  MarkdownTable table({{"Cell"},
                       {"Rep", Align::kRight},
                       {"Batch", Align::kRight},
                       {"Cold start s", Align::kRight},
                       {"p50 ms", Align::kRight},
                       {"p90 ms", Align::kRight},
                       {"p99 ms", Align::kRight},
                       {"Predictions/s", Align::kRight},
                       {"Wh per 1,000", Align::kRight},
                       {"g CO2 per 1,000", Align::kRight},
                       {"Energy"}});
  bool any = false;
  for (const CellRuns& cell : input.cells) {
    for (const RunRow* run : cell.finished) {
      for (const InferenceRecord& r : run->summary.inference) {
        any = true;
        const double co2_per_1000 =
            r.predictions > 0 ? r.co2_g / static_cast<double>(r.predictions) * 1000.0 : 0;
        table.AddRow({cell.name, std::to_string(run->start.repetition + 1),
                      std::to_string(r.batch_size), Fixed(run->summary.cold_start_s, 3),
                      Fixed(r.p50_ms, 3), Fixed(r.p90_ms, 3), Fixed(r.p99_ms, 3),
                      Fixed(r.throughput_per_s, 0),
                      // The band's share of the loop's energy is its share per 1,000 too.
                      WithCompactBand(fmt::format("{:.3g}", r.energy_wh_per_1000), r.energy_wh,
                                      r.energy_band_wh),
                      fmt::format("{:.3g}", co2_per_1000), ProvenanceWord(r.energy_provenance)});
      }
    }
  }
  if (!any) return "";
  return "## Inference\n\n"
         "Each trained model rebuilt from its saved file and run in fp32 on the test split: cold "
         "start is loading it and the first prediction; then, per batch size, warm-up "
         "iterations and timed ones until the suite's minimum time and count "
         "(`inference:`). Latency is per batch; energy is the phase's, per 1,000 "
         "predictions.\n\n" +
         table.Render() + "\n";
}

}  // namespace carbonbench::report
