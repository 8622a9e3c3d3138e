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
    answer.sentence = fmt::format("Nothing measured reaches {} on {}", target, board.dataset);
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
  answer.sentence =
      fmt::format("To reach {} on {} for the least {}, use {}: {}", target, board.dataset,
                  ObjectiveNoun(board.objective), best.cell->name, ReachText(best));
  if (answer.alternative == nullptr) {
    answer.sentence += "; it is the only configuration that reached it.";
    return answer;
  }
  answer.saving_percent = PercentChange(*best.score, *answer.alternative->score);
  if (answer.saving_percent) *answer.saving_percent = -*answer.saving_percent;
  answer.band_percent = LargerBand(ScoreBandPercent(best, board.objective),
                                   ScoreBandPercent(*answer.alternative, board.objective));
  answer.saving_within_band = WithinBand(answer.saving_percent.value_or(0), answer.band_percent);
  answer.sentence += fmt::format(
      "; that is {}% less {} than {}, the most expensive configuration that also reached it "
      "({}{}).",
      Fixed(answer.saving_percent.value_or(0), 0), ObjectiveNoun(board.objective),
      answer.alternative->cell->name, ScoreText(board.objective, *answer.alternative->score),
      PairBandText(answer.saving_percent.value_or(0), answer.band_percent));
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
        board.dataset, accurate->cell->name, Fixed(accurate->final_accuracy.mean, kPercentDigits),
        tolerance);
  }
  const double saving = -PercentChange(cheapest->co2_g.mean, accurate->co2_g.mean).value_or(0);
  const auto band = LargerBand(BandPercentOf(*cheapest), BandPercentOf(*accurate));
  return fmt::format(
      "On {}, for similar accuracy use {} for {} instead of {} for {}: {}% against {}% final "
      "accuracy (within {}) at {}% less CO2 ({} g against {} g{}).",
      board.dataset, cheapest->cell->name, EpochsText(*cheapest->cell), accurate->cell->name,
      EpochsText(*accurate->cell), Fixed(cheapest->final_accuracy.mean, kPercentDigits),
      Fixed(accurate->final_accuracy.mean, kPercentDigits), tolerance, Fixed(saving, 0),
      Significant(cheapest->co2_g.mean), Significant(accurate->co2_g.mean),
      PairBandText(saving, band));
}

std::vector<std::string> OptimizationEffectSentences(const std::vector<CellRuns>& cells) {
  struct Effect {
    std::vector<double> co2_percent;
    std::vector<double> quality;  // accuracy points, or RMSE percent
    bool regression = false;
    std::optional<double> band_percent;  // the largest of the cells compared
  };
  // Keyed by dataset: accuracy points and RMSE percent, or two datasets'
  // accuracies, are not averaged together.
  std::map<std::pair<std::string, std::string>, Effect> effects;
  for (const CellRuns& cell : cells) {
    if (cell.optimizations.empty() || cell.finished.empty()) continue;
    const CellRuns* baseline = FindBaseline(cell, cells);
    if (baseline == nullptr) continue;
    const auto co2 = PercentChange(StatOver(cell, Co2G).mean, StatOver(*baseline, Co2G).mean);
    if (!co2) continue;
    Effect& effect = effects[{cell.dataset, cell.optimizations}];
    effect.regression = cell.IsRegression();
    effect.co2_percent.push_back(*co2);
    effect.band_percent = LargerBand(effect.band_percent,
                                     LargerBand(CellBandPercent(cell), CellBandPercent(*baseline)));
    if (cell.IsRegression()) {
      effect.quality.push_back(
          PercentChange(StatOver(cell, FinalRmse).mean, StatOver(*baseline, FinalRmse).mean)
              .value_or(0));
    } else {
      effect.quality.push_back(StatOver(cell, FinalAccuracyPercent).mean -
                               StatOver(*baseline, FinalAccuracyPercent).mean);
    }
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
        "On {}, {} changed CO2 by {}% {} against the baseline{}, and {}.", key.first, key.second,
        Signed(co2, 0), where, WithinBandNote(co2, effect.band_percent), quality_text));
  }
  return sentences;
}

}  // namespace carbonbench::report
