#include "records/run_details.h"

namespace carbonbench {

std::map<std::string, double> FigureValues(const OptimizationFigures& figures) {
  std::map<std::string, double> values(figures.measures.begin(), figures.measures.end());
  for (const auto& [key, count] : figures.counts) values[key] = static_cast<double>(count);
  return values;
}

}  // namespace carbonbench
