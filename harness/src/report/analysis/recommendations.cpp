#include "report/analysis/recommendations.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace carbonbench::report {
namespace {

// The objective's mean for sentences: "0.0412 g CO2", "0.0736 Wh", "10.2 s".
std::string ScoreText(Objective objective, double score) {
  switch (objective) {
    case Objective::kCo2ToTarget:
      return Significant(score) + " g CO2";
    case Objective::kEnergyToTarget:
      return Significant(score) + " Wh";
    case Objective::kTimeToTarget:
      return Significant(score) + " s";
    case Objective::kAccuracyPerKwh:
      return AccuracyPerWhText(score);
  }
  return "";
}

std::string ObjectiveNoun(Objective objective) {
  switch (objective) {
    case Objective::kCo2ToTarget:
      return "CO2";
    case Objective::kEnergyToTarget:
      return "energy";
    case Objective::kTimeToTarget:
      return "time";
    case Objective::kAccuracyPerKwh:
      return "accuracy per Wh";
  }
  return "";
}

// What follows a compared pair of figures inside its parentheses:
// ", estimated ±35%", and when the saving is within that band, that it is
// not a measured one.
std::string PairBandText(double saving_percent, std::optional<double> band_percent) {
  if (!band_percent) return "";
  std::string text = ", estimated " + BandPercentText(*band_percent);
  if (WithinBand(saving_percent, band_percent)) {
    text +=
        "; the saving is within that band: a difference in time and CPU load, not a measured "
        "one";
  }
  return text;
}

// " (energy and CO2 estimated ±35%)", or "" without a band.
std::string BandClause(std::optional<double> band_percent) {
  if (!band_percent) return "";
  return " (energy and CO2 estimated " + BandPercentText(*band_percent) + ")";
}

// The repetitions of a cell's runs behind the objective's figure.
const Stat& ScoreStat(const CellStanding& standing, Objective objective) {
  switch (objective) {
    case Objective::kCo2ToTarget:
      return standing.reach_co2_g;
    case Objective::kEnergyToTarget:
      return standing.reach_energy_wh;
    case Objective::kTimeToTarget:
      return standing.reach_s;
    case Objective::kAccuracyPerKwh:
      break;
  }
  return standing.accuracy_per_kwh;
}

// "p = 0.031", "p < 0.001".
std::string PValueText(double p_value) {
  return p_value < 0.001 ? "p < 0.001" : "p = " + Significant(p_value, 2);
}

// What it takes to tell a difference that was not told: "run with
// repetitions: 3 or more to tell" after single runs, else the estimate
// from the spread and difference seen.
std::string RepetitionsAdvice(int repetitions, bool estimated) {
  if (!estimated) return fmt::format("run with repetitions: {} or more to tell", repetitions);
  return fmt::format(
      "about {} repetitions of each would tell (estimated from the spread and difference seen)",
      repetitions);
}

std::string ReachText(const CellStanding& standing) {
  const std::string epoch =
      standing.reach_epoch.count > 1 && standing.reach_epoch.stddev > 0
          ? fmt::format("epoch {} on average", Significant(standing.reach_epoch.mean))
          : fmt::format("epoch {}", Fixed(standing.reach_epoch.mean, 0));
  std::string text =
      fmt::format("it got there at {} for {} g CO2, {} Wh and {} s of training", epoch,
                  Significant(standing.reach_co2_g.mean),
                  Significant(standing.reach_energy_wh.mean), Significant(standing.reach_s.mean));
  text +=
      BandClause(BandPercent(standing.reach_energy_wh.mean, standing.reach_energy_band_wh.mean));
  if (standing.runs_reaching < standing.runs) {
    text += fmt::format(" (in {} of its {} repetitions)", standing.runs_reaching, standing.runs);
  }
  return text;
}

}  // namespace

std::optional<double> LargerBand(std::optional<double> a, std::optional<double> b) {
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

// Both figures carry the estimator's error: a difference smaller than it
// still ranks the cells (the error shifts them alike on one machine), but
// it cannot be told apart from that error as an amount of energy saved.
bool WithinBand(double change_percent, std::optional<double> band_percent) {
  return band_percent && std::abs(change_percent) <= *band_percent;
}

std::string WithinBandNote(double change_percent, std::optional<double> band_percent) {
  if (!WithinBand(change_percent, band_percent)) return "";
  return " (within the estimates' " + BandPercentText(*band_percent) +
         " band: a difference in time and CPU load, not a measured one)";
}

std::string SpreadVerdict(const MeanDifference& test) {
  const std::string runs = fmt::format("over {} and {} runs", test.runs_a, test.runs_b);
  switch (test.evidence) {
    case Evidence::kSignificant:
      return fmt::format(
          "a difference larger than the run-to-run spread (Welch's t-test at 95%: {} {})",
          PValueText(test.p_value), runs);
    case Evidence::kNotSignificant:
      if (!test.repetitions_needed) return "but the repetitions' means are equal";
      return fmt::format(
          "but a difference within the run-to-run spread (Welch's t-test at 95%: {} {}), so it "
          "cannot be told from noise: {}",
          PValueText(test.p_value), runs,
          RepetitionsAdvice(*test.repetitions_needed, /*estimated=*/true));
    case Evidence::kNoSpread:
      break;
  }
  return fmt::format(
      "but with {} there is no run-to-run spread, so the difference cannot be told from noise: "
      "{}",
      test.runs_a == 1 && test.runs_b == 1 ? "one run of each" : "a single run on one side",
      RepetitionsAdvice(test.repetitions_needed.value_or(kFewestRepetitionsToTell),
                        /*estimated=*/false));
}

std::string EpochsText(const CellRuns& cell) {
  int most = 0;
  for (const RunRow* run : cell.finished) most = std::max(most, run->summary.epochs_run);
  return EpochRange(cell) + (most == 1 ? " epoch" : " epochs");
}

TargetAnswer AnswerForTarget(const Leaderboard& board) {
  TargetAnswer answer;
  answer.dataset = board.dataset;
  answer.target_accuracy_percent = board.target_accuracy_percent;
  answer.objective = board.objective;
  const std::string target = Fixed(board.target_accuracy_percent, kPercentDigits) + "%";
  for (const CellStanding& standing : board.ranked) {
    if (!standing.score) continue;
    if (answer.best == nullptr) {
      answer.best = &standing;
    } else if (answer.alternative == nullptr ||
               ScoreIsBetter(board.objective, *answer.alternative->score, *standing.score)) {
      answer.alternative = &standing;
    }
  }
  if (answer.best == nullptr) {
    for (const CellStanding& standing : board.ranked) {
      if (answer.closest == nullptr ||
          standing.final_accuracy.mean > answer.closest->final_accuracy.mean) {
        answer.closest = &standing;
      }
    }
    answer.sentence = fmt::format("Nothing measured reaches {} on {}", target, board.Label());
    if (answer.closest != nullptr) {
      answer.sentence += fmt::format(
          ": the most accurate is {} at {}% final accuracy ({}% at best)",
          answer.closest->cell->name, Fixed(answer.closest->final_accuracy.mean, kPercentDigits),
          Fixed(StatOver(*answer.closest->cell, BestAccuracyPercent).mean, kPercentDigits));
    }
    answer.sentence += ".";
    return answer;
  }
  const CellStanding& best = *answer.best;
  const std::string label = board.Label();
  if (answer.alternative == nullptr) {
    answer.sentence = fmt::format("To reach {} on {} for the least {}, use {}: {}", target, label,
                                  ObjectiveNoun(board.objective), best.cell->name, ReachText(best));
    answer.sentence += "; it is the only configuration that reached it.";
    return answer;
  }
  answer.saving_percent = PercentChange(*best.score, *answer.alternative->score);
  if (answer.saving_percent) *answer.saving_percent = -*answer.saving_percent;
  answer.band_percent = LargerBand(ScoreBandPercent(best, board.objective),
                                   ScoreBandPercent(*answer.alternative, board.objective));
  answer.saving_within_band = WithinBand(answer.saving_percent.value_or(0), answer.band_percent);
  answer.saving_test = CompareMeans(ScoreStat(best, board.objective),
                                    ScoreStat(*answer.alternative, board.objective));
  // A saving within the runs' spread is not one to act on: the sentence
  // says which cell spent least, not which to use.
  const bool significant = answer.saving_test->evidence == Evidence::kSignificant;
  answer.sentence =
      significant ? fmt::format("To reach {} on {} for the least {}, use {}: {}", target, label,
                                ObjectiveNoun(board.objective), best.cell->name, ReachText(best))
                  : fmt::format("To reach {} on {}, {} spent the least {}: {}", target, label,
                                best.cell->name, ObjectiveNoun(board.objective), ReachText(best));
  answer.sentence += fmt::format(
      "; that is {}% less {} than {}, the most expensive configuration that also reached it "
      "({}{}), {}.",
      Fixed(answer.saving_percent.value_or(0), 0), ObjectiveNoun(board.objective),
      answer.alternative->cell->name, ScoreText(board.objective, *answer.alternative->score),
      PairBandText(answer.saving_percent.value_or(0), answer.band_percent),
      SpreadVerdict(*answer.saving_test));
  return answer;
}

std::string SimilarAccuracySentence(const Leaderboard& board, double tolerance_points) {
  if (board.ranked.size() < 2) return "";
  const CellStanding* accurate = nullptr;
  for (const CellStanding& standing : board.ranked) {
    if (accurate == nullptr || standing.final_accuracy.mean > accurate->final_accuracy.mean) {
      accurate = &standing;
    }
  }
  const CellStanding* cheapest = nullptr;
  for (const CellStanding& standing : board.ranked) {
    if (standing.final_accuracy.mean < accurate->final_accuracy.mean - tolerance_points) continue;
    if (cheapest == nullptr || standing.co2_g.mean < cheapest->co2_g.mean) cheapest = &standing;
  }
  const std::string tolerance =
      Compact(tolerance_points) + (tolerance_points == 1 ? " point" : " points");
  if (cheapest == accurate || cheapest->co2_g.mean >= accurate->co2_g.mean) {
    return fmt::format(
        "On {}, {} is the most accurate cell ({}% final accuracy) and no cell within {} of it "
        "emitted less CO2.",
        board.Label(), accurate->cell->name, Fixed(accurate->final_accuracy.mean, kPercentDigits),
        tolerance);
  }
  const double saving = -PercentChange(cheapest->co2_g.mean, accurate->co2_g.mean).value_or(0);
  const auto band = LargerBand(BandPercentOf(*cheapest), BandPercentOf(*accurate));
  const MeanDifference test = CompareMeans(cheapest->co2_g, accurate->co2_g);
  const std::string accuracies = fmt::format("{}% against {}% final accuracy",
                                             Fixed(cheapest->final_accuracy.mean, kPercentDigits),
                                             Fixed(accurate->final_accuracy.mean, kPercentDigits));
  const std::string co2 = fmt::format(
      "{}% less CO2 ({} g against {} g{})", Fixed(saving, 0), Significant(cheapest->co2_g.mean),
      Significant(accurate->co2_g.mean), PairBandText(saving, band));
  if (test.evidence == Evidence::kSignificant) {
    return fmt::format(
        "On {}, for similar accuracy use {} for {} instead of {} for {}: {} (within {}) at {}, {}.",
        board.Label(), cheapest->cell->name, EpochsText(*cheapest->cell), accurate->cell->name,
        EpochsText(*accurate->cell), accuracies, tolerance, co2, SpreadVerdict(test));
  }
  return fmt::format("On {}, {} for {} came within {} of {} for {} ({}) with {}, {}.",
                     board.Label(), cheapest->cell->name, EpochsText(*cheapest->cell), tolerance,
                     accurate->cell->name, EpochsText(*accurate->cell), accuracies, co2,
                     SpreadVerdict(test));
}

namespace {

// How the changes of one quantity over several cells stand against their
// runs' spread.
struct SpreadTally {
  int cells = 0;
  int significant = 0;
  int no_spread = 0;
  int repetitions = 0;     // the most any untold change needs
  bool estimated = false;  // whether that comes from a spread seen

  void Add(const MeanDifference& test) {
    ++cells;
    if (test.evidence == Evidence::kSignificant) {
      ++significant;
      return;
    }
    if (test.evidence == Evidence::kNoSpread) ++no_spread;
    if (test.repetitions_needed && *test.repetitions_needed > repetitions) {
      repetitions = *test.repetitions_needed;
      estimated = test.evidence == Evidence::kNotSignificant;
    }
  }
  bool AllSignificant() const { return significant == cells; }
};

// "The CO2 change exceeds the run-to-run spread", "the accuracy change
// cannot be told from noise in 1 of 3 cells", without what would tell.
std::string TallyClause(const std::string& change, const SpreadTally& tally) {
  const std::string in_all = tally.cells > 1 ? fmt::format(" in all {} cells", tally.cells) : "";
  if (tally.AllSignificant()) return change + " exceeds the run-to-run spread" + in_all;
  if (tally.significant == 0) return change + " cannot be told from noise" + in_all;
  return fmt::format(
      "{} exceeds the run-to-run spread in {} of {} cells and cannot be told from noise in the "
      "rest",
      change, tally.significant, tally.cells);
}

// The sentence after an optimization's changes: whether each exceeds the
// spread of the runs behind it, and what would tell the ones that do not.
std::string EffectEvidence(const SpreadTally& co2, const SpreadTally& quality,
                           const std::string& quality_change, bool every_pair_ran_once) {
  const std::string test = " (Welch's t-test at 95% on each cell against its baseline)";
  if (co2.no_spread == co2.cells && quality.no_spread == quality.cells) {
    return fmt::format(
        "With {} there is no run-to-run spread, so neither change can be told from noise: {}.",
        every_pair_ran_once ? "one run of each cell" : "a single run on one side",
        RepetitionsAdvice(std::max(co2.repetitions, quality.repetitions), /*estimated=*/false));
  }
  if (co2.AllSignificant() && quality.AllSignificant()) {
    return "Both changes exceed the run-to-run spread" + test + ".";
  }
  const SpreadTally& untold = co2.repetitions >= quality.repetitions ? co2 : quality;
  if (co2.significant == 0 && quality.significant == 0) {
    return "Neither change exceeds the run-to-run spread" + test +
           ", so neither can be told from noise: " +
           RepetitionsAdvice(untold.repetitions, untold.estimated) + ".";
  }
  std::string text = TallyClause("The CO2 change", co2) + "; " +
                     TallyClause("the " + quality_change + " change", quality) + test;
  return text + ": " + RepetitionsAdvice(untold.repetitions, untold.estimated) + ".";
}

}  // namespace

std::vector<std::string> OptimizationEffectSentences(const std::vector<CellRuns>& cells) {
  struct Effect {
    std::vector<double> co2_percent;
    std::vector<double> quality;  // accuracy points, or RMSE percent
    bool regression = false;
    std::optional<double> band_percent;  // the largest of the cells compared
    SpreadTally co2_spread;
    SpreadTally quality_spread;
    bool every_pair_ran_once = true;
  };
  // A cell and its baseline share their data (their settings are equal);
  // the label names it where a dataset ran on several.
  std::map<const CellRuns*, std::string> data_label;
  for (const DatasetCells& group : FinishedCellsByDataset(cells)) {
    const std::string label =
        group.data.empty() ? group.dataset : group.dataset + " (" + group.data + ")";
    for (const CellRuns* cell : group.cells) data_label[cell] = label;
  }
  // Keyed by data: accuracy points and RMSE percent, or the accuracies of
  // two datasets or two sizes of one, are not averaged together.
  std::map<std::pair<std::string, std::string>, Effect> effects;
  for (const CellRuns& cell : cells) {
    if (cell.optimizations.empty() || cell.finished.empty()) continue;
    const CellRuns* baseline = FindBaseline(cell, cells);
    if (baseline == nullptr) continue;
    const auto co2 = PercentChange(StatOver(cell, Co2G).mean, StatOver(*baseline, Co2G).mean);
    if (!co2) continue;
    const Metric quality = cell.IsRegression() ? FinalRmse : FinalAccuracyPercent;
    const Stat value = StatOver(cell, quality);
    const Stat base = StatOver(*baseline, quality);
    // A diverged run's RMSE (inf or NaN) measures no effect of an optimization.
    if (!std::isfinite(value.mean) || !std::isfinite(base.mean)) continue;
    Effect& effect = effects[{data_label[&cell], cell.optimizations}];
    effect.regression = cell.IsRegression();
    effect.co2_percent.push_back(*co2);
    effect.band_percent = LargerBand(effect.band_percent,
                                     LargerBand(CellBandPercent(cell), CellBandPercent(*baseline)));
    effect.co2_spread.Add(CompareMeans(StatOver(cell, Co2G), StatOver(*baseline, Co2G)));
    effect.every_pair_ran_once =
        effect.every_pair_ran_once && cell.finished.size() == 1 && baseline->finished.size() == 1;
    effect.quality.push_back(cell.IsRegression() ? PercentChange(value.mean, base.mean).value_or(0)
                                                 : value.mean - base.mean);
    effect.quality_spread.Add(CompareMeans(value, base));
  }
  std::vector<std::string> sentences;
  for (const auto& [key, effect] : effects) {
    const std::size_t count = effect.co2_percent.size();
    const double co2 = Summarize(effect.co2_percent).mean;
    const double quality = Summarize(effect.quality).mean;
    std::string where = count == 1 ? "on 1 cell" : fmt::format("on average over {} cells", count);
    if (count > 1) {
      const auto [low, high] =
          std::minmax_element(effect.co2_percent.begin(), effect.co2_percent.end());
      where += fmt::format(" ({}% to {}%)", Signed(*low, 0), Signed(*high, 0));
    }
    const std::string quality_text =
        effect.regression
            ? fmt::format("final RMSE by {}%", Signed(quality, 1))
            : fmt::format("final accuracy by {} points", Signed(quality, kPercentDigits));
    sentences.push_back(fmt::format(
        "On {}, {} changed CO2 by {}% {} against the baseline{}, and {}. {}", key.first, key.second,
        Signed(co2, 0), where, WithinBandNote(co2, effect.band_percent), quality_text,
        EffectEvidence(effect.co2_spread, effect.quality_spread,
                       effect.regression ? "RMSE" : "accuracy", effect.every_pair_ran_once)));
  }
  return sentences;
}

}  // namespace carbonbench::report
