#include "carbonbench/proc_files.h"

#include <fstream>
#include <sstream>

namespace carbonbench {

double ProcKilobytes(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    double kilobytes = 0;
    fields >> kilobytes;
    return kilobytes;
  }
  return 0;
}

}  // namespace carbonbench
