// What each cell's optimizations did to its network and its memory: size and
// compute per sample before and after training, peak memory per phase (the
// process's resident set, and the bytes its tensors held), and the figures
// the optimizations measured themselves.
#include <map>
#include <set>

#include <fmt/format.h>

#include "report/render/markdown_table.h"
#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// Means over the finished runs of each figure they carry.
struct CellFigures {
  std::map<std::string, double> figures;
  std::map<std::string, double> peak_mb;         // resident set, by phase
  std::map<std::string, double> peak_tensor_mb;  // tensors, by phase
  std::set<std::string> memory_methods;          // how the peaks were read
};

CellFigures MeanFigures(const CellRuns& cell) {
  CellFigures means;
  std::map<std::string, std::vector<double>> figures, peaks, tensor_peaks;
  for (const RunRow* row : cell.finished) {
    for (const auto& [key, value] : FigureValues(row->summary.figures)) {
      figures[key].push_back(value);
    }
    const MemoryRecord& memory = row->summary.memory;
    if (memory.method) means.memory_methods.insert(*memory.method);
    for (const auto& [phase, peak] : memory.phases) {
      if (peak.peak_rss_mb) peaks[phase].push_back(*peak.peak_rss_mb);
      if (peak.peak_tensor_mb) tensor_peaks[phase].push_back(*peak.peak_tensor_mb);
    }
  }
  for (const auto& [key, values] : figures) means.figures[key] = Summarize(values).mean;
  for (const auto& [phase, values] : peaks) means.peak_mb[phase] = Summarize(values).mean;
  for (const auto& [phase, values] : tensor_peaks) {
    means.peak_tensor_mb[phase] = Summarize(values).mean;
  }
  return means;
}

// 421738 -> "422k", 4241152 -> "4.24M": counts read at a glance.
std::string Scaled(double count) {
  if (count < 1e3) return fmt::format("{:.0f}", count);
  if (count < 1e6) return fmt::format("{:.3g}k", count / 1e3);
  if (count < 1e9) return fmt::format("{:.3g}M", count / 1e6);
  return fmt::format("{:.3g}G", count / 1e9);
}

std::string BeforeAfter(const CellFigures& cell, const std::string& key) {
  const auto before = cell.figures.find(key + "_before");
  const auto after = cell.figures.find(key + "_after");
  if (before == cell.figures.end() || after == cell.figures.end()) return "-";
  if (before->second == after->second) return Scaled(after->second);
  const double change = before->second > 0 ? (after->second / before->second - 1) * 100 : 0;
  return fmt::format("{} → {} ({:+.0f}%)", Scaled(before->second), Scaled(after->second), change);
}

// "1,210 / 301": the resident set, then the tensors' peak where it was kept.
std::string PeakText(const CellFigures& cell, const std::string& phase) {
  const auto rss = cell.peak_mb.find(phase);
  const auto tensors = cell.peak_tensor_mb.find(phase);
  const std::string rss_text = rss == cell.peak_mb.end() ? "-" : Significant(rss->second);
  if (tensors == cell.peak_tensor_mb.end()) return rss_text;
  return rss_text + " / " + Significant(tensors->second);
}

// The optimizations' own figures ("<optimization>.sparsity 0.5"), model size left
// to its columns.
std::string OwnFigures(const CellFigures& cell) {
  std::string text;
  for (const auto& [key, value] : cell.figures) {
    if (key.rfind("model.", 0) == 0) continue;
    text += (text.empty() ? "" : "; ") + key + " " + Significant(value);
  }
  return text.empty() ? "-" : EscapeCell(text);
}

}  // namespace

std::string OptimizationsSection(const ReportInput& input) {
  MarkdownTable table({{"Cell"},
                       {"Parameters", Align::kRight},
                       {"MACs per sample", Align::kRight},
                       {"Peak MiB train", Align::kRight},
                       {"Peak MiB eval", Align::kRight},
                       {"Peak MiB inference", Align::kRight},
                       {"Measured by the optimizations"}});
  bool any = false;
  std::set<std::string> methods;
  for (const CellRuns& cell : input.cells) {
    const CellFigures figures = MeanFigures(cell);
    if (figures.figures.empty() && figures.peak_mb.empty()) continue;
    any = true;
    methods.insert(figures.memory_methods.begin(), figures.memory_methods.end());
    table.AddRow({EscapeCell(cell.name), BeforeAfter(figures, "model.parameters"),
                  BeforeAfter(figures, "model.macs_per_sample"), PeakText(figures, "train"),
                  PeakText(figures, "eval"), PeakText(figures, "inference"), OwnFigures(figures)});
  }
  if (!any) return "";
  std::string how;
  for (const auto& method : methods) how += (how.empty() ? "" : "; ") + method;
  return "## What the optimizations did\n\nParameters and multiply-accumulates per sample of "
         "the network as built and as trained (one forward pass of a test sample counts "
         "them); peak memory per phase in MiB, means over repetitions: the resident set of "
         "the cell's process (" +
         (how.empty() ? std::string("VmHWM") : how) +
         "), then, where it was kept, the most its tensors held at once, as libtorch's "
         "allocator counts them (the network, gradients, optimizer state, activations and "
         "batches; not the dataset, not memory the C allocator keeps after a free). Unstructured "
         "pruning keeps dense tensors: its zeros cut "
         "neither parameters nor multiply-accumulates.\n\n" +
         table.Render() + "\n";
}

}  // namespace carbonbench::report
