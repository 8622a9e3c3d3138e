// Cells ranked by what the user wants to save, one board per classification
// dataset: accuracy per kWh, or the CO2, energy or time it took to reach a
// target accuracy. The report, its CSV export and `carbonbench recommend`
// all rank through here, so they never disagree.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/analysis/report_cells.h"
#include "report/analysis/tradeoffs.h"

namespace carbonbench::report {

enum class Objective { kAccuracyPerKwh, kCo2ToTarget, kEnergyToTarget, kTimeToTarget };

// "acc_per_kwh", "co2", "energy", "time"; empty for anything else.
std::optional<Objective> ParseObjective(const std::string& text);
// The accepted spellings, for error messages: "acc_per_kwh, co2, energy, time".
std::string ObjectiveChoices();
// The spelling ParseObjective reads: "co2".
std::string ObjectiveName(Objective objective);
// "CO2 to reach the target", ... for headings and sentences.
std::string ObjectiveTitle(Objective objective);

// A run's epochs in order, quality being accuracy in percent (or minus the
// RMSE for a regressor) and duration its training plus evaluation.
std::vector<EpochPoint> EpochPoints(const RunRow& run);

// A cell's figures pooled over its finished repetitions.
struct CellStanding {
  const CellRuns* cell = nullptr;
  Stat final_accuracy;  // percent
  Stat energy_wh;
  Stat co2_g;
  Stat duration_s;
  Stat accuracy_per_kwh;
  // ± Wh of energy_wh: its mean is the mean of the runs' bands (see
  // number_format.h); 0 when none is known. CO2 carries the same share.
  Stat energy_band_wh;
  int runs = 0;
  // Over the runs that reached the target only.
  int runs_reaching = 0;
  Stat reach_epoch;
  Stat reach_energy_wh;
  Stat reach_co2_g;
  Stat reach_s;
  Stat reach_energy_band_wh;  // ± Wh of reach_energy_wh, as energy_band_wh
  // The objective's mean; empty when the cell has none (no energy, or no
  // run reached the target).
  std::optional<double> score;
};

// The board of one dataset's cells trained on the same data.
struct Leaderboard {
  std::string dataset;
  // What sets this board's data apart where the dataset ran on several:
  // "12,000 train / 2,000 test" (DatasetCells::data); else empty.
  std::string data;
  Objective objective = Objective::kAccuracyPerKwh;
  double target_accuracy_percent = 0;
  std::string target_source;  // why this target: "--target-acc", ...
  // Best first: cells with a score (all repetitions reaching the target
  // before those where only some did), then the rest by final accuracy.
  std::vector<CellStanding> ranked;
  // "fashion_mnist (12,000 train / 2,000 test)", or the dataset alone.
  std::string Label() const { return data.empty() ? dataset : dataset + " (" + data + ")"; }
};

// The relative band of the cell's energy (and CO2) in percent; empty
// when none is known.
std::optional<double> BandPercentOf(const CellStanding& standing);
// The relative band of what the cell spent to reach the target: what the
// objective's score carries (none for time); empty when none is known.
std::optional<double> ScoreBandPercent(const CellStanding& standing, Objective objective);

// Higher is better for accuracy per kWh, lower for the rest.
bool ScoreIsBetter(Objective objective, double a, double b);

// The target of a dataset's board when none is given: the highest target
// accuracy any of its cells set (a setting `roles` declares), else 1 point
// below the best mean final accuracy. Returns the target and the sentence
// saying why.
std::pair<double, std::string> DefaultTarget(const std::vector<const CellRuns*>& cells,
                                             const DeclaredRoles& roles);
// The target-accuracy setting to name in the text: the first declared one a
// cell sets, else the first declared; "" when none is declared.
std::string TargetSettingName(const std::vector<CellRuns>& cells, const DeclaredRoles& roles);

// A board per classification dataset and data (FinishedCellsByDataset's
// groups, in its order) of the finished cells; `target_percent` overrides every board's target.
std::vector<Leaderboard> BuildLeaderboards(const std::vector<CellRuns>& cells, Objective objective,
                                           std::optional<double> target_percent,
                                           const DeclaredRoles& roles);

}  // namespace carbonbench::report
