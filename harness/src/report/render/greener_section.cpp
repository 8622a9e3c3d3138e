// "Where would this run be greener": each cell's CO2 had the same hardware
// energy been drawn elsewhere, so the choice of region or cloud can be
// weighed against the choices of model and optimization.
#include <algorithm>
#include <limits>
#include <regex>

#include <fmt/format.h>

#include "report/render/sections.h"

namespace carbonbench::report {
namespace {

// Energy the hardware drew (PUE removed): what moves with the job.
std::optional<double> HardwareWh(const RunRow& run) {
  if (run.start.pue <= 0) return std::nullopt;
  return run.summary.energy_wh / run.start.pue;
}

double GramsIn(const ComparedRegion& region, double hardware_wh) {
  return hardware_wh / 1000.0 * region.pue * region.g_per_kwh;
}

// Region columns per table, so that each table fits the page.
constexpr std::size_t kRegionsPerTable = 4;

// The regions and their sources. Addresses leave the table for a numbered
// list below it: a long address cannot wrap, and would widen the table past
// the page.
std::string RegionsTable(const std::vector<ComparedRegion>& regions) {
  static const std::regex address(R"(https?://[^\s)]+)");
  MarkdownTable table(
      {{"Region"}, {"Where"}, {"g CO2e/kWh", Align::kRight}, {"PUE", Align::kRight}, {"Source"}});
  std::vector<std::string> addresses;
  for (const ComparedRegion& region : regions) {
    std::string source;
    std::size_t last = 0;
    for (auto match = std::sregex_iterator(region.source.begin(), region.source.end(), address);
         match != std::sregex_iterator(); ++match) {
      auto known = std::find(addresses.begin(), addresses.end(), match->str());
      if (known == addresses.end()) known = addresses.insert(addresses.end(), match->str());
      source += region.source.substr(last, match->position() - last) +
                fmt::format("[{}]", known - addresses.begin() + 1);
      last = match->position() + match->length();
    }
    source += region.source.substr(last);
    table.AddRow({region.code, region.name, Fixed(region.g_per_kwh, kIntensityDigits),
                  Fixed(region.pue, kPueDigits), source});
  }
  std::string text = table.Render() + "\n";
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    text += fmt::format("{}. <{}>\n", i + 1, addresses[i]);
  }
  return text + (addresses.empty() ? "" : "\n");
}

}  // namespace

std::string GreenerSection(const ReportInput& input) {
  const std::vector<ComparedRegion>& regions = input.options.compare_regions;
  if (regions.empty() || !AnyFinished(input.cells)) return "";
  // One band column: its share holds for the energy and for every place's CO2.
  const bool bands = AnyBand(input.cells);
  std::vector<Column> columns = {{"Cell"}, {"Hardware Wh", Align::kRight}};
  if (bands) columns.push_back({"Band", Align::kRight});
  columns.push_back({"Here g", Align::kRight});
  // The energy and the CO2 here, then the places in tables of
  // kRegionsPerTable columns.
  std::vector<MarkdownTable> tables;
  tables.emplace_back(std::move(columns));
  for (std::size_t first = 0; first < regions.size(); first += kRegionsPerTable) {
    columns = {{"Cell"}};
    for (std::size_t i = first; i < std::min(regions.size(), first + kRegionsPerTable); ++i) {
      columns.push_back({regions[i].code + " g", Align::kRight});
    }
    tables.emplace_back(std::move(columns));
  }

  std::vector<double> suite_grams(regions.size(), 0.0);
  double suite_here_g = 0;
  std::vector<double> energy_wh, band_wh;  // cell means, for the suite's band
  for (const CellRuns& cell : input.cells) {
    if (cell.finished.empty()) continue;
    const Stat hardware = StatOver(cell, HardwareWh);
    const Stat here = StatOver(cell, Co2G);
    std::vector<std::string> row = {cell.name, Significant(hardware.mean)};
    if (bands) {
      const std::string band = CellBandText(cell);
      row.push_back(band.empty() ? kNone : band);
    }
    row.push_back(Significant(here.mean));
    suite_here_g += here.mean;
    energy_wh.push_back(StatOver(cell, EnergyWh).mean);
    band_wh.push_back(StatOver(cell, EnergyBandWh).mean);
    for (std::size_t i = 0; i < regions.size(); ++i) {
      if (i % kRegionsPerTable == 0) {
        tables[i / kRegionsPerTable].AddRow(row);
        row = {cell.name};
      }
      const double grams = GramsIn(regions[i], hardware.mean);
      suite_grams[i] += grams;
      row.push_back(Significant(grams));
    }
    tables.back().AddRow(row);
  }
  std::string rendered;
  for (const MarkdownTable& table : tables) rendered += table.Render() + "\n";

  const auto greenest = std::min_element(suite_grams.begin(), suite_grams.end());
  const std::size_t best = static_cast<std::size_t>(greenest - suite_grams.begin());
  std::string verdict;
  // The cells' bands add (number_format.h); the share is every place's.
  const std::string band = BandText(SumOfBands(energy_wh), SumOfBands(band_wh));
  if (suite_here_g > 0 && *greenest < suite_here_g) {
    verdict = fmt::format(
        "Run in {} ({}), the suite's cells (one repetition each) would have emitted {} g "
        "instead of {} g here ({} less){}.\n\n",
        regions[best].code, regions[best].name, Significant(*greenest), Significant(suite_here_g),
        Fixed(100.0 * (1.0 - *greenest / suite_here_g), kDeltaPercentDigits) + "%",
        band.empty() ? ""
                     : "; both are estimated " + band +
                           ", an error that shifts them alike, so the saving in percent holds");
  } else {
    verdict = "None of the compared places would have emitted less than here.\n\n";
  }
  return "## Where would this run be greener\n\n"
         "Each cell's mean energy as drawn by the hardware (the PUE taken out), times each "
         "place's PUE and carbon intensity. The same energy (" +
         CommonProvenance(FinishedRuns(input.cells)) +
         ") is used everywhere: only where it is drawn changes. \"Here\" is the CO2 as "
         "run.\n\n" +
         RegionsTable(regions) + rendered + verdict;
}

}  // namespace carbonbench::report
