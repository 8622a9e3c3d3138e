// "Inference": what serving each trained model costs, per batch size, from
// the inference phase that follows training (the model rebuilt from its
// saved file and run in fp32, as a user would first serve it).
#include <fmt/format.h>

#include "report/render/sections.h"

namespace carbonbench::report {

std::string InferenceSection(const ReportInput& input) {
  // Two tables, so that each fits the page: speed, then energy. Energy per
  // 1,000 predictions reads in mWh and mg: a small model spends millionths
  // of a Wh on them.
  MarkdownTable speed({{"Cell"},
                       {"Rep", Align::kRight},
                       {"Batch", Align::kRight},
                       {"Cold start s", Align::kRight},
                       {"p50 ms", Align::kRight},
                       {"p90 ms", Align::kRight},
                       {"p99 ms", Align::kRight},
                       {"Predictions/s", Align::kRight}});
  MarkdownTable energy({{"Cell"},
                        {"Rep", Align::kRight},
                        {"Batch", Align::kRight},
                        {"mWh per 1,000", Align::kRight},
                        {"mg CO2 per 1,000", Align::kRight},
                        {"Energy"}});
  bool any = false;
  for (const CellRuns& cell : input.cells) {
    for (const RunRow* run : cell.finished) {
      for (const InferenceRecord& r : run->summary.inference) {
        any = true;
        const double co2_per_1000 =
            r.predictions > 0 ? r.co2_g / static_cast<double>(r.predictions) * 1000.0 : 0;
        const std::string rep = std::to_string(run->start.repetition + 1);
        const std::string batch = Count(r.batch_size);
        speed.AddRow({cell.name, rep, batch, Significant(run->summary.cold_start_s),
                      Significant(r.p50_ms), Significant(r.p90_ms), Significant(r.p99_ms),
                      Significant(r.throughput_per_s)});
        energy.AddRow({cell.name, rep, batch,
                       // The band's share of the loop's energy is its share per 1,000 too.
                       WithCompactBand(Significant(r.energy_wh_per_1000 * 1000.0), r.energy_wh,
                                       r.energy_band_wh),
                       Significant(co2_per_1000 * 1000.0), ProvenanceWord(r.energy_provenance)});
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
         speed.Render() + "\n" + energy.Render() + "\n";
}

}  // namespace carbonbench::report
