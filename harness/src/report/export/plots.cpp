#include "report/export/plots.h"

#include <algorithm>
#include <cctype>
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

struct Figure {
  std::string title;
  std::string stem;  // file name without extension
  std::string body;  // gnuplot commands after the terminal is set
};

// Sets each terminal in turn and replays the figure's commands, so SVG and
// PNG show the same plot.
std::string ScriptFor(const Figure& figure) {
  std::string script;
  const std::pair<const char*, const char*> terminals[] = {
      {"svg size 960,600 dynamic font 'sans,11'", ".svg"},
      {"pngcairo size 960,600 font 'sans,10'", ".png"}};
  for (const auto& [terminal, extension] : terminals) {
    script += fmt::format("reset\nset terminal {}\nset termoption noenhanced\nset output {}\n",
                          terminal, GnuplotQuoted(figure.stem + extension));
    script += figure.body + "unset output\n";
  }
  return script;
}

std::string Write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return path.filename().string();
}

double MeanOf(const CellRuns& cell, Metric metric) { return StatOver(cell, metric).mean; }

// Final accuracy (or RMSE) against energy, one figure per dataset, with
// the Pareto front as a staircase through its cells.
std::vector<Figure> QualityAgainstEnergy(const std::vector<CellRuns>& cells, const fs::path& dir,
                                         const std::string& provenance) {
  std::vector<Figure> figures;
  int index = 0;
  for (const DatasetCells& group : FinishedCellsByDataset(cells)) {
    ++index;
    const std::vector<const CellRuns*>& members = group.cells;
    const bool regression = group.regression;
    std::vector<TradeoffPoint> points;
    std::string data = "# energy_wh\tquality\tcell\n";
    for (const CellRuns* cell : members) {
      const double quality =
          regression ? -MeanOf(*cell, FinalRmse) : MeanOf(*cell, FinalAccuracyPercent);
      points.push_back({MeanOf(*cell, EnergyWh), quality});
      data += fmt::format("{}\t{}\t{}\n", points.back().cost, regression ? -quality : quality,
                          DataLabel(cell->name));
    }
    std::vector<TradeoffPoint> front;
    const std::vector<int> dominated_by = DominatedBy(points);
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (dominated_by[i] < 0) front.push_back(points[i]);
    }
    std::sort(front.begin(), front.end(),
              [](const TradeoffPoint& a, const TradeoffPoint& b) { return a.cost < b.cost; });
    // The staircase runs on to the costliest cell, so a front of one cell
    // still shows as a line: nothing right of it is worth its energy.
    double max_cost = 0;
    for (const TradeoffPoint& point : points) max_cost = std::max(max_cost, point.cost);
    front.push_back({max_cost, front.back().quality});
    std::string front_data = "# energy_wh\tquality\n";
    for (const TradeoffPoint& point : front) {
      front_data +=
          fmt::format("{}\t{}\n", point.cost, regression ? -point.quality : point.quality);
    }
    Figure figure;
    figure.stem = fmt::format("quality_vs_energy_{}_{}", index, Slug(group.dataset));
    figure.title = fmt::format("{}: {} against energy, with the Pareto front", group.Label(),
                               regression ? "final RMSE" : "final accuracy");
    const std::string points_file = Write(dir / (figure.stem + ".dat"), data);
    const std::string front_file = Write(dir / (figure.stem + ".front.dat"), front_data);
    figure.body = fmt::format(
        "set title {}\nset xlabel {}\nset ylabel {}\nset grid\n"
        "set key {} box opaque\nset offsets graph 0.05, graph 0.25, graph 0.08, graph 0.08\n"
        "plot {} using 1:2 with points pt 7 ps 1.3 lc rgb '#4477aa' title 'cell (mean over "
        "repetitions)', \\\n  {} using 1:2:3 with labels left offset 0.7,0.5 font ',9' notitle, "
        "\\\n  {} using 1:2 with steps lw 2 lc rgb '#cc3311' title 'Pareto front'\n",
        GnuplotQuoted(figure.title), GnuplotQuoted("energy per run (Wh, " + provenance + ")"),
        GnuplotQuoted(regression ? "final RMSE (target units, lower is better)"
                                 : "final accuracy (%)"),
        regression ? "top right" : "bottom right", GnuplotQuoted(points_file),
        GnuplotQuoted(points_file), GnuplotQuoted(front_file));
    figures.push_back(std::move(figure));
  }
  return figures;
}

// Per model: each cell's test accuracy (or RMSE) per epoch on the left axis
// and its cumulative energy on the right, averaged over repetitions.
std::vector<Figure> TrainingCurves(const std::vector<CellRuns>& cells, const fs::path& dir,
                                   const std::string& provenance) {
  std::vector<std::string> models;
  for (const CellRuns& cell : cells) {
    if (!cell.finished.empty()) models.push_back(cell.model);
  }
  std::vector<Figure> figures;
  for (const std::string& model : Distinct(models)) {
    std::string data;
    std::vector<std::string> clauses;
    int block = 0;
    bool regression = false;
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
        data += fmt::format("{}\t{}\t{}\n", epoch, Summarize(values).mean,
                            Summarize(energy[epoch]).mean);
      }
      data += "\n\n";
      clauses.push_back(fmt::format(
          "DATA index {} using 1:2 with linespoints lw 2 lc {} title {} axes x1y1", block,
          block + 1, GnuplotQuoted(cell.name + (regression ? " RMSE" : " accuracy"))));
      clauses.push_back(
          fmt::format("DATA index {} using 1:3 with lines dt 2 lw 1.5 lc {} title {} axes x1y2",
                      block, block + 1, GnuplotQuoted(cell.name + " cumulative Wh")));
      ++block;
    }
    if (block == 0) continue;
    Figure figure;
    figure.stem = "curves_" + Slug(model);
    figure.title = model + ": training curves and cumulative energy";
    const std::string file = GnuplotQuoted(Write(dir / (figure.stem + ".dat"), data));
    std::string plot = "plot ";
    for (std::size_t i = 0; i < clauses.size(); ++i) {
      std::string clause = clauses[i];
      clause.replace(clause.find("DATA"), 4, file);
      plot += (i == 0 ? "" : ", \\\n  ") + clause;
    }
    figure.body = fmt::format(
        "set title {}\nset xlabel 'epoch'\nset ylabel {}\nset y2label {}\n"
        "set ytics nomirror\nset y2tics\nset grid\nset key outside right top\n{}\n",
        GnuplotQuoted(figure.title),
        GnuplotQuoted(regression ? "test RMSE (solid)" : "test accuracy % (solid)"),
        GnuplotQuoted("cumulative energy (Wh, " + provenance + ", dashed)"), plot);
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
  for (const CellRuns& cell : cells) {
    if (cell.finished.empty()) continue;
    std::map<std::string, double> wh;
    for (const RunRow* run : cell.finished) {
      for (const PhaseEnergy& phase : run->summary.phases) {
        wh[phase.phase + " " + phase.component] += phase.energy_wh / cell.finished.size();
      }
    }
    data += DataLabel(cell.name);
    for (const std::string& part : parts) data += fmt::format("\t{}", wh[part]);
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
      "set bmargin 9\nplot for [i=2:{}] {} using i:xtic(1) title columnheader(i)\n",
      GnuplotQuoted(figure.title), GnuplotQuoted("energy (Wh, " + provenance + ")"),
      parts.size() + 1, file);
  return figure;
}

std::string CouldNotRun(const std::string& gnuplot, const std::string& why) {
  return fmt::format(
      "plots not drawn: could not run {} ({}); install it with `apt-get install "
      "gnuplot-nox`, then run `carbonbench report SUITE` again",
      gnuplot, why);
}

// Runs `gnuplot script` in `dir`; its output goes to gnuplot.log there.
// Returns an empty string on success, else why not.
std::string RunGnuplot(const std::string& gnuplot, const fs::path& dir, const std::string& script) {
  const std::string log = (dir / "gnuplot.log").string();
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
  std::string script;
  for (const Figure& figure : figures) script += ScriptFor(figure);
  Write(dir / "plots.gp", script);
  outcome.note = RunGnuplot(gnuplot, dir, "plots.gp");
  std::vector<std::string> missing;
  for (const Figure& figure : figures) {
    const fs::path svg = dir / (figure.stem + ".svg");
    const fs::path png = dir / (figure.stem + ".png");
    if (fs::exists(svg) && fs::file_size(svg) > 0 && fs::exists(png) && fs::file_size(png) > 0) {
      outcome.plots.push_back(
          {figure.title, folder + "/" + figure.stem + ".svg", folder + "/" + figure.stem + ".png"});
    } else {
      missing.push_back(figure.stem);
    }
  }
  if (outcome.note.empty() && !missing.empty()) {
    outcome.note = fmt::format("not drawn: {} (see {})", fmt::join(missing, ", "),
                               (dir / "gnuplot.log").string());
  }
  return outcome;
}

}  // namespace carbonbench::report
