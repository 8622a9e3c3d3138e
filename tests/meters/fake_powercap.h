// Powercap trees written by the tests, laid out as /sys/class/powercap is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir_test.h"

namespace carbonbench::meter_testing {

class FakePowercap {
 public:
  // A zone folder `relative` (e.g. "intel-rapl:0" or nested paths) with its
  // name, counter and range; max_range_uj 0 leaves the range file out.
  std::filesystem::path Zone(const std::string& relative, const std::string& name,
                             std::uint64_t energy_uj,
                             std::uint64_t max_range_uj = 262143328850ULL) {
    const std::filesystem::path dir = dir_.path() / relative;
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "name") << name << "\n";
    SetEnergy(relative, energy_uj);
    if (max_range_uj > 0) std::ofstream(dir / "max_energy_range_uj") << max_range_uj << "\n";
    return dir;
  }
  void SetEnergy(const std::string& relative, std::uint64_t energy_uj) {
    std::ofstream(dir_.path() / relative / "energy_uj") << energy_uj << "\n";
  }
  std::string Root() const { return dir_.path().string(); }

 private:
  test_support::TempDir dir_;
};

}  // namespace carbonbench::meter_testing
