// What stopping early saved against the full schedule, projected from each
// run's own epochs.
#include <fmt/format.h>

#include "report/analysis/leaderboard.h"
#include "report/analysis/tradeoffs.h"
#include "report/render/sections.h"

namespace carbonbench::report {
std::string EarlyStopSection(const ReportInput& input) {
  MarkdownTable table({{"Cell"},
                       {"Epochs run", Align::kRight},
                       {"Planned", Align::kRight},
                       {"Epochs Wh", Align::kRight},
                       {"Saved Wh", Align::kRight},
                       {"Saved g CO2", Align::kRight},
                       {"Saved s", Align::kRight},
                       {"Saved %", Align::kRight}});
  bool any = false;
  double saved_total = 0;
  for (const CellRuns& cell : input.cells) {
    // 0 when the configuration does not say: nothing is projected then.
    const int planned = static_cast<int>(NumberSetting(cell, "epochs").value_or(0));
    std::vector<double> run, spent, saved, co2, seconds, percent;
    for (const RunRow* row : cell.finished) {
      const auto saving = ProjectRemainingEpochs(EpochPoints(*row), planned);
      if (!saving) continue;
      run.push_back(saving->epochs_run);
      spent.push_back(saving->spent_wh);
      saved.push_back(saving->saved_wh);
      co2.push_back(saving->saved_co2_g);
      seconds.push_back(saving->saved_s);
      percent.push_back(
          saving->full_schedule_wh > 0 ? saving->saved_wh / saving->full_schedule_wh * 100.0 : 0);
      saved_total += saving->saved_wh;
    }
    if (run.empty()) continue;
    any = true;
    table.AddRow({cell.name, FormatCount(Summarize(run)), std::to_string(planned),
                  FormatStatSignificant(Summarize(spent)), FormatStatSignificant(Summarize(saved)),
                  FormatStatSignificant(Summarize(co2)), FormatStatSignificant(Summarize(seconds)),
                  FormatStat(Summarize(percent), 0)});
  }
  if (!any) return "";
  return "## Stopped early\n\nRuns that ended before their planned epochs, against the full "
         "schedule. The epochs not trained are projected at the mean cost of the run's own "
         "epochs: an estimate of what stopping saved, not a measurement. The full schedule would "
         "have spent the epochs' Wh plus the saved Wh; saved % is of that sum. " +
         ProvenanceLine(input.cells) + table.Render() +
         fmt::format("\nStopping early saved about {} Wh in all.\n\n", Significant(saved_total));
}

}  // namespace carbonbench::report
