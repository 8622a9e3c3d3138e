// The shape of a CPU package's power against load, as a fraction of its
// power at full load. Fitted once to public measurements (the curve shipped
// in harness/data/meters/cpu_curve.json) or to this machine's own counter
// (a calibration profile); the CPU estimating meter and `carbonbench calibrate
// --score` both evaluate it here, so the figure a run records is the one validated.
#pragma once

namespace carbonbench::power_model {

// Power rises steeply with the first busy cores and levels off: the busy
// share of physical cores raised to a power below one. Busy threads beyond
// one per physical core (SMT siblings) add only a little more.
struct CpuCurve {
  double idle_fraction = 0.3;  // P(idle) / P(full load)
  double rise_exponent = 0.6;  // core load^this; below 1 rises steeply first
  double smt_fraction = 0.1;   // share of the rise that SMT siblings add
};

// What the curve needs to know about the machine. A CPU without SMT has as
// many physical cores as logical CPUs.
struct CpuTopology {
  int sockets = 1;
  int logical_cpus = 1;    // threads the load is a share of
  int physical_cores = 0;  // all sockets; 0: logical_cpus / 2 (x86 SMT) or 1 per thread
};

// Physical cores as the curve counts them (the default rule above applied).
int PhysicalCores(const CpuTopology& topology);

// P(load) / P(full load), in [idle_fraction, 1]. `load` is the machine's
// busy share of its logical CPUs' time, clamped to [0, 1]; NaN counts as
// idle. Busy threads fill physical cores first, as Linux schedules them.
double LoadFraction(const CpuCurve& curve, const CpuTopology& topology, double load);

}  // namespace carbonbench::power_model
