// The suite's hyperparameter search: what it ran and spent, what pruning
// saved (a projection), each trial, the best trial or the Pareto front of
// two objectives, its plots and which parameters mattered.
#include <fmt/format.h>

#include "report/analysis/search_trials.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// The text escaped, with a capital first letter and a closing full stop.
std::string Sentence(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z')
    text[0] = static_cast<char>(text[0] - 'a' + 'A');
  if (!text.empty() && text.back() != '.' && text.back() != '!' && text.back() != '?') text += '.';
  return EscapeText(text);
}

std::string Direction(const SearchGoal& goal) { return goal.maximize ? "maximize" : "minimize"; }

// "accuracy (maximize) and energy_wh (minimize)".
std::string GoalsText(const std::vector<SearchGoal>& goals) {
  std::vector<std::string> parts;
  for (const SearchGoal& goal : goals) {
    parts.push_back(fmt::format("{} ({})", goal.metric, Direction(goal)));
  }
  if (parts.empty()) return "an objective the study does not name";
  if (parts.size() == 1) return parts[0];
  return fmt::format("{} and {}", fmt::join(parts.begin(), parts.end() - 1, ", "), parts.back());
}

// "97.5 %", "0.850" (RMSE in the target's units), "1.20 Wh".
std::string ValueText(const SearchGoal& goal, double value) {
  const std::string unit = GoalUnit(goal.metric);
  const std::string number = Significant(value);
  return unit.empty() || unit == "target units" ? number : number + " " + unit;
}

std::string StateText(const TrialRecord& trial) {
  std::string state = trial.state;
  if (trial.state == kTrialPruned) state = fmt::format("pruned at epoch {}", trial.epochs_run);
  return trial.from_store ? state + ", from store" : state;
}

std::string EpochsText(const TrialRecord& trial) {
  return trial.planned_epochs > 0 ? fmt::format("{}/{}", trial.epochs_run, trial.planned_epochs)
                                  : std::to_string(trial.epochs_run);
}

// "lr 0.01, batch_size 64".
std::string ParamsText(const SearchView& view, const TrialRecord& trial) {
  std::vector<std::string> parts;
  for (const std::string& key : view.parameter_keys) {
    const std::string value = ParamText(trial.params_json, key);
    if (!value.empty()) parts.push_back(key + " " + value);
  }
  return parts.empty() ? "no parameters" : fmt::format("{}", fmt::join(parts, ", "));
}

// Trial, one column per parameter, the objectives, then `tail`.
std::vector<Column> TrialColumns(const SearchView& view, const std::vector<Column>& tail) {
  std::vector<Column> columns = {{"Trial", Align::kRight}};
  for (const std::string& key : view.parameter_keys) columns.push_back({key});
  for (const SearchGoal& goal : view.goals) columns.push_back({GoalHeader(goal), Align::kRight});
  columns.insert(columns.end(), tail.begin(), tail.end());
  return columns;
}

std::vector<std::string> TrialCells(const SearchView& view, const TrialRecord& trial) {
  std::vector<std::string> cells = {std::to_string(trial.number)};
  for (const std::string& key : view.parameter_keys) {
    const std::string value = ParamText(trial.params_json, key);
    cells.push_back(value.empty() ? kNone : value);
  }
  for (std::size_t i = 0; i < view.goals.size(); ++i) {
    const bool has = trial.state == kTrialComplete && i < trial.values.size();
    cells.push_back(has ? Significant(trial.values[i]) : kNone);
  }
  return cells;
}

std::string Summary(const SearchView& view) {
  const TrialCounts counts = CountTrials(view.trials);
  const std::string provenance = TrialsProvenance(view.trials);
  std::string text = fmt::format(
      "The suite's latest study, {}, searched with the {} sampler and {}",
      EscapeText(view.study.study), view.sampler.empty() ? "default" : EscapeText(view.sampler),
      view.pruner == "none" ? "no pruner"
      : view.pruner.empty() ? "the default pruner"
                            : "the " + EscapeText(view.pruner) + " pruner");
  if (!view.study.optuna_version.empty()) {
    text += fmt::format(" (Optuna {})", EscapeText(view.study.optuna_version));
  }
  text += fmt::format(" for {}. ", EscapeText(GoalsText(view.goals)));
  text += fmt::format("{} trial{} ran", view.trials.size(), view.trials.size() == 1 ? "" : "s");
  if (view.planned_trials > 0) text += fmt::format(" of {} planned", view.planned_trials);
  text += fmt::format(": {} complete, {} pruned, {} failed", counts.complete, counts.pruned,
                      counts.failed);
  if (counts.running > 0) text += fmt::format(", {} still running", counts.running);
  if (counts.from_store == 0) {
    text += "; none taken from the store. ";
  } else {
    text += fmt::format(
        "; {} taken from the store (a configuration that had run before: its result reused, "
        "nothing spent). ",
        counts.from_store);
  }
  text += fmt::format(
      "The search spent {} Wh and {} g CO2 ({}), pruned and failed trials included. ",
      Significant(SpentEnergyWh(view.trials)), Significant(SpentCo2G(view.trials)), provenance);
  if (counts.pruned > 0) {
    text += fmt::format(
        "Pruning saved {} Wh and {} g CO2 ({}), projected, not measured: for each pruned trial, "
        "its energy per epoch times its planned epochs, less what it spent.",
        Significant(PruningSavedEnergyWh(view.trials)), Significant(PruningSavedCo2G(view.trials)),
        provenance);
  } else {
    text += "No trial was pruned.";
  }
  text += "\n\n";
  if (view.earlier_studies > 0) {
    text += fmt::format(
        "{} earlier stud{} of this suite (an edited search block) {} in the store; this section "
        "reports the latest.\n\n",
        view.earlier_studies, view.earlier_studies == 1 ? "y" : "ies",
        view.earlier_studies == 1 ? "is" : "are");
  }
  return text;
}

std::string TrialsTable(const SearchView& view) {
  MarkdownTable table(TrialColumns(view, {{"Epochs", Align::kRight},
                                          {"Energy Wh", Align::kRight},
                                          {"CO2 g", Align::kRight},
                                          {"State"}}));
  std::string notes;
  for (const TrialRecord& trial : view.trials) {
    std::vector<std::string> cells = TrialCells(view, trial);
    cells.push_back(EpochsText(trial));
    cells.push_back(Significant(trial.energy_wh));
    cells.push_back(Significant(trial.co2_g));
    cells.push_back(StateText(trial));
    table.AddRow(cells);
    if (trial.state == kTrialFailed && !trial.note.empty()) {
      notes += fmt::format("Trial {} failed: {}\n\n", trial.number, Sentence(trial.note));
    }
  }
  return "### Trials\n\nEnergy and CO2 are what each trial spent (" +
         TrialsProvenance(view.trials) + "); a trial taken from the store spent nothing.\n\n" +
         table.Render() + "\n" + notes;
}

std::string BestText(const SearchView& view) {
  if (view.goals.size() >= 2) {
    const std::vector<std::size_t> front = ParetoFront(view);
    std::string text = fmt::format(
        "### Pareto front\n\nThe complete trials that no other complete trial beats on both {} "
        "({}) and {} ({}), ordered by {}.\n\n",
        EscapeText(view.goals[0].metric), Direction(view.goals[0]),
        EscapeText(view.goals[1].metric), Direction(view.goals[1]),
        EscapeText(view.goals[0].metric));
    if (front.empty()) return text + "No trial completed with both values yet.\n\n";
    // What each trial spent, unless an objective says it already.
    bool energy_shown = false;
    for (const SearchGoal& goal : view.goals) energy_shown |= goal.metric == "energy_wh";
    MarkdownTable table(
        TrialColumns(view, energy_shown ? std::vector<Column>{}
                                        : std::vector<Column>{{"Energy Wh", Align::kRight}}));
    for (const std::size_t i : front) {
      std::vector<std::string> cells = TrialCells(view, view.trials[i]);
      if (!energy_shown) cells.push_back(Significant(view.trials[i].energy_wh));
      table.AddRow(cells);
    }
    return text + table.Render() + "\n";
  }
  const std::optional<std::size_t> best = BestTrial(view);
  if (!best) return "### Best trial\n\nNo trial completed with a value yet.\n\n";
  const TrialRecord& trial = view.trials[*best];
  return fmt::format("### Best trial\n\nTrial {} ({}): {} {}.\n\n", trial.number,
                     EscapeText(ParamsText(view, trial)), EscapeText(view.goals[0].metric),
                     ValueText(view.goals[0], trial.values[0]));
}

std::string PlotLinks(const ReportOptions& options) {
  std::string text;
  for (const PlotLink& plot : options.search_plots) {
    // Angle brackets keep a path with spaces one link destination.
    text += "![" + EscapeText(plot.title) + "](<" + plot.svg_path + ">)\n\n[PNG](<" +
            plot.png_path + ">)\n\n";
  }
  if (!options.search_plots_note.empty()) {
    text += EscapeText(options.search_plots_note) + "\n\n";
  }
  return text;
}

std::string ImportancesText(const StudyRecord& study) {
  const auto importances = Importances(study);
  if (importances.empty()) {
    const std::string& note = study.importances_note;
    if (note.rfind("not computed", 0) == 0 || note.rfind("Not computed", 0) == 0) {
      return "### Parameter importances\n\n" + Sentence(note) + "\n\n";
    }
    return "### Parameter importances\n\n" +
           Sentence(note.empty() ? "not computed" : "not computed: " + note) + "\n\n";
  }
  MarkdownTable table({{"Parameter"}, {"Importance", Align::kRight}});
  for (const auto& [key, share] : importances) table.AddRow({key, Significant(share)});
  return "### Parameter importances\n\nEach parameter's share of the first objective's variance "
         "(Optuna's fANOVA), largest first.\n\n" +
         table.Render() + "\n";
}

}  // namespace

std::string SearchSection(const ReportInput& input) {
  if (!input.options.search) return "";
  const SearchView& view = *input.options.search;
  return "## Search\n\n" + Summary(view) + TrialsTable(view) + BestText(view) +
         PlotLinks(input.options) + ImportancesText(view.study);
}

}  // namespace carbonbench::report
