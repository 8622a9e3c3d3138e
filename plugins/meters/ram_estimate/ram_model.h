// RAM power from published DRAM measurements: a fixed power per GB of memory
// in use, with the spread of those measurements as its error band.
//
// Published figures for DDR4 under load, per GB:
//  - Micron TN-40-07 "Calculating Memory Power for DDR4 SDRAM" (2017): its
//    worked example puts one 8 Gb (1 GB) DDR4-2666 device at about 408 mW,
//    0.41 W/GB.
//  - Crucial, "How much power does memory use?" (until mid-2024): about 3 W per
//    8 GB of DDR3 or DDR4, 0.375 W/GB. Cloud Carbon Footprint averages these two
//    into its memory coefficient, 0.392 W/GB (methodology, "Memory").
//  - J. McCalpin (TACC), RAPL DRAM readings on Xeon E5-2690 v3 with DDR4
//    (TACC/HPCPerfStats#9, 2016): 0.9-1.1 W per DIMM idle, 3.4-4.5 W per DIMM
//    running STREAM, 0.21-0.56 W/GB for 8-16 GB DIMMs.
// Idle DDR4 draws far less: 0.02-0.08 W/GB of background power in wall-plug
// and per-DIMM measurements (Green-Algorithms-calculator#14 and #38; HPE
// sustain-cluster#3 from MICRO 2021's DRAM power breakdown). A training run
// reads and writes its memory, so the figure is the loaded one: 0.35 W/GB,
// ±45 % covering 0.19-0.51 W/GB; it overstates memory that sits untouched.
#pragma once

namespace carbonbench::ram_estimate {

// Memory is counted in GiB (2^30 bytes), as /proc and the DIMM figures count it.
inline constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;

// Power per GB of DDR4 memory in use.
inline constexpr double kWattsPerGb = 0.35;
// The figure's error band: the spread of the published figures above.
inline constexpr double kBandRelative = 0.45;
inline constexpr const char* kBandBasis =
    "spread of published DDR4 measurements under load, 0.19-0.51 W/GB";
// Where kWattsPerGb comes from, in a phrase for Method().
inline constexpr const char* kSource =
    "published DDR4 measurements (Micron TN-40-07, Crucial, TACC RAPL DRAM readings)";

// Power of `memory_gb` GB of memory in use: linear, 0 W for 0 GB, no floor.
double RamPowerW(double memory_gb);

}  // namespace carbonbench::ram_estimate
