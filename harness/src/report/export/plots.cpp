#include "report/export/plots.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "process/child_process.h"
#include "report/analysis/report_cells.h"
#include "report/analysis/tradeoffs.h"
#include "report/export/atomic_file.h"
#include "report/export/plot_layout.h"

namespace carbonbench::report {
namespace {

namespace fs = std::filesystem;

// A cell name as a double-quoted field of a gnuplot data file.
std::string DataLabel(std::string text) {
  std::replace(text.begin(), text.end(), '"', '\'');
  return "\"" + text + "\"";
}

// A file name part from any text: letters, digits, '-' and '_' kept.
std::string Slug(const std::string& text) {
  std::string slug;
  for (const char c : text) {
    slug += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  }
  return slug.empty() ? "_" : slug;
}

constexpr int kWidth = 960;

struct Figure {
  std::string title;
  std::string stem;  // file name without extension
  std::string body;  // gnuplot commands after the terminal is set
  int height = 600;  // pixels; the width is kWidth
};

// gnuplot writes each image under this name, and it is renamed into place
// only when whole, so a full disk leaves no empty or cut-off image behind.
std::string Unfinished(const std::string& file_name) { return file_name + ".partial"; }

// Sets each terminal in turn and replays the figure's commands, so SVG and
// PNG show the same plot.
std::string ScriptFor(const Figure& figure) {
  std::string script;
  const std::pair<std::string, const char*> terminals[] = {
      {fmt::format("svg size {},{} dynamic font 'sans,11'", kWidth, figure.height), ".svg"},
      {fmt::format("pngcairo size {},{} font 'sans,10'", kWidth, figure.height), ".png"}};
  for (const auto& [terminal, extension] : terminals) {
    script += fmt::format("reset\nset terminal {}\nset termoption noenhanced\nset output {}\n",
                          terminal, GnuplotQuoted(Unfinished(figure.stem + extension)));
    script += figure.body + "unset output\n";
  }
  return script;
}

std::string Write(const fs::path& path, const std::string& text) {
  WriteFileAtomically(path, text);
  return path.filename().string();
}

double MeanOf(const CellRuns& cell, Metric metric) { return StatOver(cell, metric).mean; }

// Colour-blind-safe colours (Paul Tol's vibrant set) and filled marker
// shapes; series i takes colour i % 7 and shape i % 6, so no two of the
// first 42 series look alike.
constexpr const char* kColours[] = {"#0077bb", "#ee7733", "#009988", "#cc3311",
                                    "#33bbee", "#ee3377", "#555555"};
constexpr int kShapes[] = {7, 5, 9, 11, 13, 15};

std::string Colour(std::size_t i) { return kColours[i % std::size(kColours)]; }
int Shape(std::size_t i) { return kShapes[i % std::size(kShapes)]; }

// The legend sits right of the plot area, with room for its longest entry
// or its title (a generous 7.5 pixels a character, plus the sample line).
double RightMarginFor(const std::vector<std::string>& entries, const std::string& title = "") {
  std::size_t longest = title.size();
  for (const std::string& entry : entries) longest = std::max(longest, entry.size());
  const double legend_px = 7.5 * longest + 90;
  return std::clamp(1 - legend_px / kWidth, 0.55, 0.82);
}

// Plot area edges as fractions of the canvas, set by hand so that labels
// can be placed in pixels.
struct PlotArea {
  double left = 0.09, right = 0.7, bottom = 0.11, top = 0.91;

  std::string Commands() const {
    return fmt::format(
        "set lmargin at screen {}\nset rmargin at screen {}\nset bmargin at screen {}\n"
        "set tmargin at screen {}\n",
        left, right, bottom, top);
  }
};

// Final accuracy (or RMSE) against energy, one figure per dataset with two
// cells or more, with the Pareto front as a staircase through its cells.
// Points are numbered and the legend names each number; numbers go where
// they cover nothing else.
std::vector<Figure> QualityAgainstEnergy(const std::vector<CellRuns>& cells, const fs::path& dir,
                                         const std::string& provenance) {
  std::vector<Figure> figures;
  for (const DatasetCells& group : FinishedCellsByDataset(cells)) {
    const std::vector<const CellRuns*>& members = group.cells;
    if (!QualityAgainstEnergyWorthDrawing(members.size())) continue;
    const bool regression = group.regression;
    std::vector<TradeoffPoint> points;
    std::vector<double> energy, shown;  // the axes' values
    std::vector<std::string> entries;   // legend entries: "1  mynet/baseline"
    std::string data = "# energy_wh\tquality\tcell\tnumber\n";
    for (const CellRuns* cell : members) {
      const double quality =
          regression ? -MeanOf(*cell, FinalRmse) : MeanOf(*cell, FinalAccuracyPercent);
      // A diverged cell (RMSE inf or NaN) has no place on the axes; the
      // Pareto section names it.
      if (!std::isfinite(quality) || !std::isfinite(MeanOf(*cell, EnergyWh))) continue;
      points.push_back({MeanOf(*cell, EnergyWh), quality});
      energy.push_back(points.back().cost);
      shown.push_back(regression ? -quality : quality);
      entries.push_back(fmt::format("{}  {}", points.size(), cell->name));
      data += fmt::format("{}\t{}\t{}\t{}\n", energy.back(), shown.back(), DataLabel(cell->name),
                          points.size());
    }
    std::vector<TradeoffPoint> front;
    const std::vector<int> dominated_by = DominatedBy(points);
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (dominated_by[i] == kOnTheFront) front.push_back(points[i]);
    }
    std::sort(front.begin(), front.end(),
              [](const TradeoffPoint& a, const TradeoffPoint& b) { return a.cost < b.cost; });
    const std::optional<AxisLayout> x_axis = AxisOver(energy, 0.08, true);
    const std::optional<AxisLayout> y_axis = AxisOver(shown, 0.1, true);
    if (!x_axis || !y_axis || front.empty()) continue;  // nothing to place
    const AxisLayout& x = *x_axis;
    const AxisLayout& y = *y_axis;
    // The staircase runs on to the costliest cell, so a front of one cell
    // still shows as a line: nothing right of it is worth its energy.
    double max_cost = 0;
    for (const double cost : energy) max_cost = std::max(max_cost, cost);
    front.push_back({max_cost, front.back().quality});
    std::string front_data = "# energy_wh\tquality\n";
    for (const TradeoffPoint& point : front) {
      front_data +=
          fmt::format("{}\t{}\n", point.cost, regression ? -point.quality : point.quality);
    }

    PlotArea area;
    const std::string legend_title = "cell (mean over repetitions)";
    area.right = RightMarginFor(entries, legend_title);
    const double width_px = (area.right - area.left) * kWidth;
    const double height_px = (area.top - area.bottom) * 600;
    const auto pixel = [&](double cost, double value) {
      return PixelPoint{(cost - x.min) / (x.max - x.min) * width_px,
                        (value - y.min) / (y.max - y.min) * height_px};
    };
    LabelField field;
    field.width = width_px;
    field.height = height_px;
    std::vector<std::string> numbers;
    for (std::size_t i = 0; i < points.size(); ++i) {
      field.points.push_back(pixel(energy[i], shown[i]));
      numbers.push_back(std::to_string(i + 1));
    }
    // gnuplot's steps: along from each front point, then up or down.
    for (std::size_t k = 0; k + 1 < front.size(); ++k) {
      const double here = regression ? -front[k].quality : front[k].quality;
      const double next = regression ? -front[k + 1].quality : front[k + 1].quality;
      field.segments.push_back({pixel(front[k].cost, here), pixel(front[k + 1].cost, here)});
      field.segments.push_back({pixel(front[k + 1].cost, here), pixel(front[k + 1].cost, next)});
    }
    std::string labels;
    const std::vector<std::optional<LabelOffset>> offsets = PlaceLabels(field, numbers);
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      if (!offsets[i]) continue;
      labels += fmt::format(
          "set label {0} '{0}' at first {1}, first {2} center offset screen {3:.4f},{4:.4f} "
          "front font ',9'\n",
          i + 1, energy[i], shown[i], offsets[i]->dx / kWidth, offsets[i]->dy / 600);
    }

    Figure figure;
    figure.stem = fmt::format("quality_vs_energy_{}_{}", figures.size() + 1, Slug(group.dataset));
    figure.title = fmt::format("{}: {} against energy, with the Pareto front", group.Label(),
                               regression ? "final RMSE" : "final accuracy");
    const std::string points_file = GnuplotQuoted(Write(dir / (figure.stem + ".dat"), data));
    const std::string front_file =
        GnuplotQuoted(Write(dir / (figure.stem + ".front.dat"), front_data));
    // The front is drawn first, under the points; its legend entry comes
    // last, after the cells.
    std::string plot =
        fmt::format("plot {} using 1:2 with steps lw 2 lc rgb '#999999' notitle", front_file);
    for (std::size_t i = 0; i < points.size(); ++i) {
      plot += fmt::format(
          ", \\\n  {} every ::{}::{} using 1:2 with points pt {} ps 1.5 lc rgb '{}' title {}",
          points_file, i, i, Shape(i), Colour(i), GnuplotQuoted(entries[i]));
    }
    plot += ", \\\n  NaN with lines lw 2 lc rgb '#999999' title 'Pareto front'\n";
    figure.body = fmt::format(
        "set title {}\nset xlabel {}\nset ylabel {}\nset grid\n{}"
        "set key outside right top Left reverse noopaque title {}\n{}{}{}{}",
        GnuplotQuoted(figure.title), GnuplotQuoted("energy per run (Wh, " + provenance + ")"),
        GnuplotQuoted(regression ? "final RMSE (target units; lower is better)"
                                 : "final accuracy (%)"),
        area.Commands(), GnuplotQuoted(legend_title), x.Commands("x"), y.Commands("y"), labels,
        plot);
    figures.push_back(std::move(figure));
  }
  return figures;
}

// How series i of n in a curves figure is drawn. Earlier series are
// thicker and their markers larger, and each has its own dash pattern and
// shape, so a later series drawn over an identical earlier one (early
// stopping's epochs before the stop) leaves the earlier one showing round
// it. The last series is drawn thin.
std::string CurveStyle(std::size_t i, std::size_t n) {
  constexpr int kDashes[] = {1, 2, 4, 5};
  // In tenths, so the script reads 2.3 rather than 2.3000000000000003.
  const int below = static_cast<int>(std::min<std::size_t>(n - 1 - i, 10));
  const double width = std::min(40, 15 + 8 * below) / 10.0;
  const double size = std::min(18, 9 + 3 * below) / 10.0;
  return fmt::format("lc rgb '{}' dt {} lw {} pt {} ps {}", Colour(i), kDashes[i % 4], width,
                     Shape(i), size);
}

// Per model, two panels over a shared epoch axis: each cell's test accuracy
// (or RMSE) on top and its cumulative energy below, averaged over
// repetitions. Drawn when some cell ran two epochs or more.
std::vector<Figure> TrainingCurves(const std::vector<CellRuns>& cells, const fs::path& dir,
                                   const std::string& provenance) {
  std::vector<std::string> models;
  for (const CellRuns& cell : cells) {
    if (!cell.finished.empty()) models.push_back(cell.model);
  }
  std::vector<Figure> figures;
  for (const std::string& model : Distinct(models)) {
    std::string data;
    std::vector<std::string> names;
    int last_epoch = 0;
    int most_epochs = 0;
    bool regression = false;
    std::vector<double> quality_values;
    double most_energy = 0;
    for (const CellRuns& cell : cells) {
      if (cell.finished.empty() || cell.model != model) continue;
      regression = cell.IsRegression();
      std::map<int, std::vector<double>> quality, energy;
      for (const RunRow* run : cell.finished) {
        double cumulative = 0;
        for (const EpochRecord& epoch : run->epochs) {
          cumulative += epoch.energy_wh;
          quality[epoch.epoch].push_back(regression ? epoch.test_rmse
                                                    : epoch.test_accuracy * 100.0);
          energy[epoch.epoch].push_back(cumulative);
        }
      }
      data += "# " + cell.name + "\n# epoch\tquality\tcumulative_wh\n";
      for (const auto& [epoch, values] : quality) {
        const double mean_quality = Summarize(values).mean;
        const double mean_energy = Summarize(energy[epoch]).mean;
        data += fmt::format("{}\t{}\t{}\n", epoch, mean_quality, mean_energy);
        quality_values.push_back(mean_quality);
        most_energy = std::max(most_energy, mean_energy);
        last_epoch = std::max(last_epoch, epoch);
      }
      most_epochs = std::max(most_epochs, static_cast<int>(quality.size()));
      data += "\n\n";
      names.push_back(cell.name);
    }
    if (names.empty() || !TrainingCurvesWorthDrawing(most_epochs)) continue;
    Figure figure;
    figure.stem = "curves_" + Slug(model);
    figure.title = model + ": training curves and cumulative energy";
    figure.height = 720;
    const std::string file = GnuplotQuoted(Write(dir / (figure.stem + ".dat"), data));
    std::string quality_plot = "plot ";
    std::string energy_plot = "plot ";
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string separator = i == 0 ? "" : ", \\\n  ";
      quality_plot += fmt::format("{}{} index {} using 1:2 with linespoints {} title {}", separator,
                                  file, i, CurveStyle(i, names.size()), GnuplotQuoted(names[i]));
      energy_plot += fmt::format("{}{} index {} using 1:3 with linespoints {} notitle", separator,
                                 file, i, CurveStyle(i, names.size()));
    }
    PlotArea top;
    top.right = RightMarginFor(names);
    top.bottom = 0.47;
    top.top = 0.92;
    PlotArea bottom = top;
    bottom.bottom = 0.09;
    bottom.top = 0.41;
    const AxisLayout epochs = EpochAxis(last_epoch);
    const AxisLayout quality =
        AxisOver(quality_values, 0.08, true, 6).value_or(PaddedAxis(0, 100, 0, true, 6));
    const AxisLayout energy = PaddedAxis(0, most_energy, 0.05, true, 5);
    figure.body = fmt::format(
        "set multiplot\n"
        "# Top: quality per epoch, the legend beside it.\n"
        "{}set title {}\nset grid\nset key outside right top Left reverse\n{}set format x ''\n"
        "set xlabel ''\n{}set ylabel {}\n{}\n"
        "# Bottom: cumulative energy over the same epochs.\n"
        "{}unset title\nset key off\n{}set xlabel 'epoch'\n{}set ylabel {}\n{}\n"
        "unset multiplot\n",
        top.Commands(), GnuplotQuoted(figure.title), epochs.Commands("x"), quality.Commands("y"),
        GnuplotQuoted(regression ? "test RMSE (target units)" : "test accuracy (%)"), quality_plot,
        bottom.Commands(), epochs.Commands("x"), energy.Commands("y"),
        GnuplotQuoted("cumulative energy (Wh, " + provenance + ")"), energy_plot);
    figures.push_back(std::move(figure));
  }
  return figures;
}

// Every cell's energy split by phase and component, stacked.
std::optional<Figure> EnergyBreakdown(const std::vector<CellRuns>& cells, const fs::path& dir,
                                      const std::string& provenance) {
  std::vector<std::string> parts;
  for (const CellRuns& cell : cells) {
    for (const RunRow* run : cell.finished) {
      for (const PhaseEnergy& phase : run->summary.phases) {
        parts.push_back(phase.phase + " " + phase.component);
      }
    }
  }
  parts = Distinct(parts);
  if (parts.empty()) return std::nullopt;
  std::string data = "cell";
  for (const std::string& part : parts) data += "\t" + DataLabel(part);
  data += "\n";
  double tallest = 0;
  for (const CellRuns& cell : cells) {
    if (cell.finished.empty()) continue;
    std::map<std::string, double> wh;
    for (const RunRow* run : cell.finished) {
      for (const PhaseEnergy& phase : run->summary.phases) {
        wh[phase.phase + " " + phase.component] += phase.energy_wh / cell.finished.size();
      }
    }
    data += DataLabel(cell.name);
    double total = 0;
    for (const std::string& part : parts) {
      data += fmt::format("\t{}", wh[part]);
      total += wh[part];
    }
    tallest = std::max(tallest, total);
    data += "\n";
  }
  Figure figure;
  figure.stem = "energy_breakdown";
  figure.title = "energy per run by phase and component (mean over repetitions)";
  const std::string file = GnuplotQuoted(Write(dir / "energy_breakdown.dat", data));
  figure.body = fmt::format(
      "set title {}\nset ylabel {}\nset style data histograms\n"
      "set style histogram rowstacked\nset style fill solid 0.85 border -1\nset boxwidth 0.7\n"
      "set xtics rotate by -35 left font ',9'\nset grid ytics\nset key outside right top\n"
      "set bmargin 9\n{}plot for [i=2:{}] {} using i:xtic(1) title columnheader(i)\n",
      GnuplotQuoted(figure.title), GnuplotQuoted("energy per run (Wh, " + provenance + ")"),
      PaddedAxis(0, tallest, 0.05, true).Commands("y"), parts.size() + 1, file);
  return figure;
}

std::string CouldNotRun(const std::string& gnuplot, const std::string& why) {
  return fmt::format(
      "plots not drawn: could not run {} ({}); install it with `apt-get install "
      "gnuplot-nox`, then run `carbonbench report SUITE` again",
      gnuplot, why);
}

// Runs `gnuplot script` in `dir`; its output goes to `log_name` there.
// Returns an empty string on success, else why not.
std::string RunGnuplot(const std::string& gnuplot, const fs::path& dir, const std::string& script,
                       const std::string& log_name) {
  const std::string log = (dir / log_name).string();
  // Absolute: gnuplot changes into `dir` before it reads the script.
  const fs::path absolute = fs::absolute(dir);
  ChildSpec spec;
  spec.argv = {gnuplot, "-e", "cd " + GnuplotQuoted(absolute.string()),
               (absolute / script).string()};
  spec.search_path = true;
  spec.output_path = log;
  ChildExit exit;
  try {
    exit = RunChild(spec);
  } catch (const std::system_error& error) {
    return CouldNotRun(gnuplot, error.code().message());
  }
  if (exit.exec_error != 0) return CouldNotRun(gnuplot, std::strerror(exit.exec_error));
  // A wrapper script (or a shell) that finds no gnuplot exits with 127.
  if (exit.Exited(127)) {
    return fmt::format(
        "plots not drawn: {} was not found; install it with `apt-get install "
        "gnuplot-nox`, then run `carbonbench report SUITE` again",
        gnuplot);
  }
  if (!exit.Exited(0)) {
    return fmt::format("some plots may be missing: {} failed (see {})", gnuplot, log);
  }
  return "";
}

// gnuplot does not check its writes: on a full disk it exits well and
// leaves cut-off images. A whole SVG has its closing tag, a whole PNG its
// IEND chunk last.
bool ImageIsWhole(const fs::path& image, bool png) {
  std::ifstream in(image, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size <= 0) return false;
  const std::streamoff tail_size = std::min<std::streamoff>(size, 64);
  std::string tail(static_cast<std::size_t>(tail_size), '\0');
  in.seekg(size - tail_size);
  in.read(tail.data(), tail_size);
  if (!in) return false;
  if (png) {
    static const std::string kIend("IEND\xae\x42\x60\x82", 8);
    return tail.size() >= kIend.size() &&
           tail.compare(tail.size() - kIend.size(), kIend.size(), kIend) == 0;
  }
  return tail.find("</svg>") != std::string::npos;
}

// Renames a drawn image into place; false (leaving it) when gnuplot left it
// missing, empty or cut off.
bool PlaceDrawn(const fs::path& image) {
  const std::string drawn = Unfinished(image.string());
  if (!ImageIsWhole(drawn, image.extension() == ".png")) return false;
  std::error_code error;
  fs::rename(drawn, image, error);
  return !error;
}

// Writes the figures' script as `script_name` in `dir`, runs gnuplot on it
// and keeps each figure drawn whole.
PlotsOutcome DrawFigures(const std::vector<Figure>& figures, const fs::path& dir,
                         const std::string& folder, const std::string& script_name,
                         const std::string& log_name, const std::string& gnuplot) {
  PlotsOutcome outcome;
  std::error_code ignored;
  std::string script;
  for (const Figure& figure : figures) script += ScriptFor(figure);
  Write(dir / script_name, script);
  outcome.note = RunGnuplot(gnuplot, dir, script_name, log_name);
  std::vector<std::string> missing;
  for (const Figure& figure : figures) {
    const fs::path svg = dir / (figure.stem + ".svg");
    const fs::path png = dir / (figure.stem + ".png");
    if (PlaceDrawn(svg) && PlaceDrawn(png)) {
      outcome.plots.push_back(
          {figure.title, folder + "/" + figure.stem + ".svg", folder + "/" + figure.stem + ".png"});
    } else {
      missing.push_back(figure.stem);
      for (const fs::path& image : {svg, png}) {
        fs::remove(image, ignored);
        fs::remove(Unfinished(image.string()), ignored);
      }
    }
  }
  if (outcome.note.empty() && !missing.empty()) {
    outcome.note =
        fmt::format("not drawn: {} (see {})", fmt::join(missing, ", "), (dir / log_name).string());
  }
  return outcome;
}

// "accuracy (%, higher is better)" for an axis.
std::string GoalAxis(const SearchGoal& goal) {
  const std::string unit = GoalUnit(goal.metric);
  return fmt::format("{} ({}{} is better)", goal.metric, unit.empty() ? "" : unit + "; ",
                     goal.maximize ? "higher" : "lower");
}

// The best first-objective value so far against the energy the search had
// spent, trials in number order (pruned and failed trials' energy counted),
// with every complete trial's own value. Drawn from two trials on.
std::optional<Figure> SearchProgress(const SearchView& search, const fs::path& dir) {
  const std::vector<ProgressPoint> progress = BestSoFar(search);
  if (progress.size() < 2 || search.goals.empty()) return std::nullopt;
  std::string best_data = "# trial\tcumulative_energy_wh\tbest_so_far\n";
  std::vector<double> energy, values;
  for (const ProgressPoint& point : progress) {
    best_data += fmt::format("{}\t{}\t{}\n", point.number, point.cumulative_energy_wh, point.best);
    energy.push_back(point.cumulative_energy_wh);
    values.push_back(point.best);
  }
  std::string trial_data = "# trial\tcumulative_energy_wh\tvalue\n";
  double cumulative = 0;
  for (const TrialRecord& trial : search.trials) {
    cumulative += trial.from_store ? 0 : trial.energy_wh;
    if (!Scored(trial, 1)) continue;
    trial_data += fmt::format("{}\t{}\t{}\n", trial.number, cumulative, trial.values[0]);
    energy.push_back(cumulative);
    values.push_back(trial.values[0]);
  }
  const std::optional<AxisLayout> x = AxisOver(energy, 0.05, true);
  const std::optional<AxisLayout> y = AxisOver(values, 0.1, true);
  if (!x || !y) return std::nullopt;
  Figure figure;
  figure.stem = "search_progress";
  figure.title = "search: best " + search.goals[0].metric + " so far against the energy spent";
  const std::string best_file = GnuplotQuoted(Write(dir / "search_progress.dat", best_data));
  const std::string trial_file =
      GnuplotQuoted(Write(dir / "search_progress.trials.dat", trial_data));
  PlotArea area;
  area.right = RightMarginFor({"best so far", "complete trial"});
  figure.body = fmt::format(
      "set title {}\nset xlabel {}\nset ylabel {}\nset grid\n{}"
      "set key outside right top Left reverse noopaque\n{}{}"
      "plot {} using 2:3 with steps lw 2 lc rgb '{}' title 'best so far', \\\n"
      "  {} using 2:3 with points pt 7 ps 1.2 lc rgb '{}' title 'complete trial'\n",
      GnuplotQuoted(figure.title),
      GnuplotQuoted("energy spent by the search (Wh, " + TrialsProvenance(search.trials) + ")"),
      GnuplotQuoted(GoalAxis(search.goals[0])), area.Commands(), x->Commands("x"), y->Commands("y"),
      best_file, Colour(0), trial_file, Colour(6));
  return figure;
}

// Two objectives: every complete trial as a point, numbered, and the
// Pareto front highlighted and joined.
std::optional<Figure> SearchFront(const SearchView& search, const fs::path& dir) {
  if (search.goals.size() < 2) return std::nullopt;
  const std::vector<std::size_t> front = ParetoFront(search);
  std::string data = "# trial\tfirst\tsecond\n";
  std::vector<double> first, second;
  for (const TrialRecord& trial : search.trials) {
    if (!Scored(trial, 2)) continue;
    data += fmt::format("{}\t{}\t{}\n", trial.number, trial.values[0], trial.values[1]);
    first.push_back(trial.values[0]);
    second.push_back(trial.values[1]);
  }
  if (first.size() < 2 || front.empty()) return std::nullopt;
  std::vector<std::size_t> ordered = front;
  std::sort(ordered.begin(), ordered.end(), [&](std::size_t a, std::size_t b) {
    return search.trials[a].values[0] < search.trials[b].values[0];
  });
  std::string front_data = "# trial\tfirst\tsecond\n";
  for (const std::size_t i : ordered) {
    const TrialRecord& trial = search.trials[i];
    front_data += fmt::format("{}\t{}\t{}\n", trial.number, trial.values[0], trial.values[1]);
  }
  const std::optional<AxisLayout> x = AxisOver(first, 0.08, true);
  const std::optional<AxisLayout> y = AxisOver(second, 0.1, true);
  if (!x || !y) return std::nullopt;
  Figure figure;
  figure.stem = "search_pareto";
  figure.title = "search: " + search.goals[1].metric + " against " + search.goals[0].metric +
                 ", with the Pareto front";
  const std::string file = GnuplotQuoted(Write(dir / "search_pareto.dat", data));
  const std::string front_file = GnuplotQuoted(Write(dir / "search_pareto.front.dat", front_data));
  PlotArea area;
  area.right = RightMarginFor({"complete trial", "Pareto front"});
  figure.body = fmt::format(
      "set title {}\nset xlabel {}\nset ylabel {}\nset grid\n{}"
      "set key outside right top Left reverse noopaque\n{}{}"
      "plot {} using 2:3 with points pt 7 ps 1.2 lc rgb '{}' title 'complete trial', \\\n"
      "  {} using 2:3 with linespoints lw 2 pt 5 ps 1.6 lc rgb '{}' title 'Pareto front', \\\n"
      "  {} using 2:3:1 with labels offset 0,1 font ',9' notitle\n",
      GnuplotQuoted(figure.title), GnuplotQuoted(GoalAxis(search.goals[0])),
      GnuplotQuoted(GoalAxis(search.goals[1])), area.Commands(), x->Commands("x"), y->Commands("y"),
      file, Colour(6), front_file, Colour(1), file);
  return figure;
}
}  // namespace

std::string GnuplotQuoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      quoted += ' ';
    } else {
      quoted += c;
      if (c == '\'') quoted += '\'';
    }
  }
  return quoted + "'";
}

PlotsOutcome DrawPlots(const std::string& suite, const std::vector<RunRow>& runs,
                       const std::string& reports_dir, const std::string& gnuplot) {
  PlotsOutcome outcome;
  std::vector<RunRow> finished;
  for (const RunRow& run : runs) {
    if (run.status == "finished") finished.push_back(run);
  }
  const std::vector<CellRuns> cells = GroupCells(finished);
  if (cells.empty()) {
    outcome.note = "no plots: no finished run";
    return outcome;
  }
  const std::string folder = suite + ".plots";
  const fs::path dir = fs::path(reports_dir) / folder;
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir);

  // Every energy axis says how its figures were obtained.
  const std::string provenance = ProvenanceWord(CommonProvenance(FinishedRuns(cells)));
  std::vector<Figure> figures = QualityAgainstEnergy(cells, dir, provenance);
  for (Figure& figure : TrainingCurves(cells, dir, provenance))
    figures.push_back(std::move(figure));
  if (auto breakdown = EnergyBreakdown(cells, dir, provenance)) {
    figures.push_back(std::move(*breakdown));
  }
  return DrawFigures(figures, dir, folder, "plots.gp", "gnuplot.log", gnuplot);
}

PlotsOutcome DrawSearchPlots(const std::string& suite, const SearchView& search,
                             const std::string& reports_dir, const std::string& gnuplot) {
  const std::string folder = suite + ".plots";
  const fs::path dir = fs::path(reports_dir) / folder;
  fs::create_directories(dir);
  std::vector<Figure> figures;
  if (auto progress = SearchProgress(search, dir)) figures.push_back(std::move(*progress));
  if (auto front = SearchFront(search, dir)) figures.push_back(std::move(*front));
  if (figures.empty()) return {};
  return DrawFigures(figures, dir, folder, "search.gp", "search.log", gnuplot);
}

}  // namespace carbonbench::report
