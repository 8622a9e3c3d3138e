// Runtime settings the host applies by default, and the facts about this
// machine that every result records.
#pragma once

#include <string>

#include "records/run_details.h"

namespace carbonbench {

// glibc's malloc returns large tensor buffers to the OS after every step and
// the page faults that follow dominate small models' step time; raising the
// mmap and trim thresholds keeps them. Skipped when CARBONBENCH_MALLOC_TUNING=0
// or when GLIBC_TUNABLES already sets malloc options, and under a preloaded
// allocator (tcmalloc, a cell's default), where mallopt does nothing.
void ApplyAllocatorTuning();
// The malloc this process runs with, and the thresholds set on glibc's.
std::string AllocatorDescription();

// Threads for torch: `requested` when > 0, else every core this process may
// use (in a Slurm job, no more than the CPUs Slurm gave it). Sets torch's intra-op thread count and
// returns it.
int ApplyThreadCount(int requested);
// The count ApplyThreadCount would set, without touching torch.
int ResolveThreadCount(int requested);

// Turns flushing of denormal floats to zero (FTZ/DAZ) on or off for this
// thread's CPU arithmetic; returns whether it is on (false where the CPU
// cannot).
bool ApplyDenormalFlushing(bool on);

// The BLAS library actually mapped into this process (e.g. OpenBLAS).
std::string LoadedBlas();

// The reference tables (codecarbon/...): <prefix>/share/carbonbench/data when
// installed, else the source tree's harness/data.
std::string ReferenceDataDir();

// cpu, cores, threads, blas, torch, allocator, device, os.
EnvironmentRecord DescribeEnvironment(int threads, const std::string& device);

}  // namespace carbonbench
