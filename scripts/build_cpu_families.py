#!/usr/bin/python3
"""Builds harness/data/meters/cpu_families.csv: power per hardware thread by CPU family.

    scripts/build_cpu_families.py

A CPU missing from the TDP table, or shown under a generic name ("AMD EPYC" in a VM), is
estimated per vCPU from its family: vendor_id, cpu family and model as /proc/cpuinfo gives them
(decimal). For each microarchitecture this takes the known CPUs of it whose TDP per socket
(harness/data/codecarbon/hardware/cpu_power.csv, looked up as cpu_estimate does) and hardware
threads per socket are both published, and writes the median TDP / threads.

Known CPUs (files in harness/data/meters/measurements/, see SOURCE.md there):
  specpower_curves.csv          SPECpower_ssj2008 results: CPU name, chips, hardware threads,
                                and Green Coding Solutions' microarchitecture label
  amd_cpu_server_dataset.csv    AMD's server CPU list as CodeCarbon keeps it: name, series,
                                threads
Model numbers: Linux arch/x86/include/asm/intel-family.h (Intel family 6) and the Zen ranges
of bsp_init_amd() in arch/x86/kernel/cpu/amd.c. Microarchitectures with no known CPU get no
row (a row needs a number); the estimator then falls back to the nearest row of the family.
Running it twice gives the same bytes.
"""

import csv
import importlib.util
import os
import re
import statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEASUREMENTS = os.path.join(ROOT, "harness/data/meters/measurements")
SPECPOWER_CSV = os.path.join(MEASUREMENTS, "specpower_curves.csv")
AMD_CSV = os.path.join(MEASUREMENTS, "amd_cpu_server_dataset.csv")
TDP_CSV = os.path.join(ROOT, "harness/data/codecarbon/hardware/cpu_power.csv")
FAMILIES_CSV = os.path.join(ROOT, "harness/data/meters/cpu_families.csv")

_spec = importlib.util.spec_from_file_location(
    "fit_cpu_power", os.path.join(ROOT, "scripts/fit_cpu_power.py"))
_fit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fit)

INTEL_HEADER = "Linux arch/x86/include/asm/intel-family.h"
AMD_RANGES = "Linux arch/x86/kernel/cpu/amd.c bsp_init_amd() Zen ranges"

# Intel server parts: Xeon E5/E7 (Sandy Bridge-EP to Broadwell-EP), Xeon Scalable (metal names).
SERVER = re.compile(r"\b(E5|E7)-\d|\b(Platinum|Gold|Silver|Bronze)\b")

# (family, models, microarchitecture, which known CPUs: predicate on (label, name)).
# Models from intel-family.h: SANDYBRIDGE 0x2A, SANDYBRIDGE_X 0x2D, IVYBRIDGE 0x3A,
# IVYBRIDGE_X 0x3E, HASWELL 0x3C, HASWELL_L 0x45, HASWELL_G 0x46, HASWELL_X 0x3F,
# BROADWELL 0x3D, BROADWELL_G 0x47, BROADWELL_X 0x4F, BROADWELL_D 0x56, SKYLAKE_L 0x4E,
# SKYLAKE 0x5E, SKYLAKE_X 0x55 (also Cascade Lake and Cooper Lake, told apart by stepping),
# KABYLAKE_L 0x8E, KABYLAKE 0x9E (also Coffee Lake), COMETLAKE 0xA5, COMETLAKE_L 0xA6,
# ICELAKE_X 0x6A, ICELAKE_D 0x6C, ICELAKE 0x7D, ICELAKE_L 0x7E, ROCKETLAKE 0xA7,
# TIGERLAKE_L 0x8C, TIGERLAKE 0x8D, SAPPHIRERAPIDS_X 0x8F, EMERALDRAPIDS_X 0xCF,
# GRANITERAPIDS_X 0xAD, GRANITERAPIDS_D 0xAE, ATOM_CRESTMONT_X 0xAF (Sierra Forest),
# ALDERLAKE 0x97, ALDERLAKE_L 0x9A, RAPTORLAKE 0xB7, RAPTORLAKE_P 0xBA, RAPTORLAKE_S 0xBF,
# METEORLAKE 0xAC, METEORLAKE_L 0xAA, ARROWLAKE_H 0xC5, ARROWLAKE 0xC6, ARROWLAKE_U 0xB5,
# LUNARLAKE_M 0xBD.
def label_is(*labels, server=None):
    def select(label, name):
        if label not in labels:
            return False
        return server is None or bool(SERVER.search(name)) == server
    return select


INTEL = [
    ([0x2D], "Sandy Bridge-EP", label_is("sandybridge", server=True)),
    ([0x2A], "Sandy Bridge", label_is("sandybridge", server=False)),
    ([0x3E], "Ivy Bridge-EP", label_is("ivybridge", server=True)),
    ([0x3A], "Ivy Bridge", label_is("ivybridge", server=False)),
    ([0x3F], "Haswell-EP", label_is("haswell", server=True)),
    ([0x3C, 0x45, 0x46], "Haswell", label_is("haswell", server=False)),
    ([0x4F], "Broadwell-EP", label_is("broadwell", server=True)),
    ([0x3D, 0x47], "Broadwell", label_is("broadwell", server=False)),
    ([0x56], "Broadwell-DE", None),
    ([0x55], "Skylake-SP / Cascade Lake / Cooper Lake",
     label_is("skylake", "cascadelake", "cooperlake", server=True)),
    ([0x4E, 0x5E], "Skylake", label_is("skylake", server=False)),
    ([0x8E, 0x9E], "Kaby Lake / Coffee Lake", label_is("kabylabe", "coffeelake")),
    ([0xA5, 0xA6], "Comet Lake", None),
    ([0x6A], "Ice Lake-SP", label_is("icelake", server=True)),
    ([0x6C], "Ice Lake-D", None),
    ([0x7D, 0x7E], "Ice Lake", label_is("icelake", server=False)),
    ([0xA7], "Rocket Lake", label_is("rocketlake")),
    ([0x8C, 0x8D], "Tiger Lake", None),
    ([0x8F], "Sapphire Rapids", None),
    ([0xCF], "Emerald Rapids", None),
    ([0xAD, 0xAE], "Granite Rapids", None),
    ([0xAF], "Sierra Forest", None),
    ([0x97, 0x9A], "Alder Lake", None),
    ([0xB7, 0xBA, 0xBF], "Raptor Lake", None),
    ([0xAA, 0xAC], "Meteor Lake", None),
    ([0xB5, 0xC5, 0xC6], "Arrow Lake", None),
    ([0xBD], "Lunar Lake", None),
]

# (family, model ranges, microarchitecture, AMD series, SPECpower labels). Ranges from
# bsp_init_amd(): family 0x17 Zen1 0x00-0x2f, 0x50-0x5f; Zen2 0x30-0x4f, 0x60-0x7f,
# 0x90-0x91, 0xa0-0xaf; family 0x19 Zen3 0x00-0x0f, 0x20-0x5f; Zen4 0x10-0x1f, 0x60-0xaf;
# family 0x1a Zen5 0x00-0x2f, 0x40-0x4f, 0x60-0x7f.
AMD = [
    (0x17, [(0x00, 0x2F), (0x50, 0x5F)], "Zen / Zen+", ["EPYC 7001 Series"], ["epyc-gen1"]),
    (0x17, [(0x30, 0x4F), (0x60, 0x7F), (0x90, 0x91), (0xA0, 0xAF)], "Zen 2",
     ["EPYC 7002 Series"], ["epyc-gen2"]),
    (0x19, [(0x00, 0x0F), (0x20, 0x5F)], "Zen 3", ["EPYC 7003 Series"], ["epyc-gen3", "epyc"]),
    (0x19, [(0x10, 0x1F), (0x60, 0xAF)], "Zen 4",
     ["EPYC 9004 Series", "EPYC 8004 Series", "EPYC 4004 Series"], []),
    (0x1A, [(0x00, 0x2F), (0x40, 0x4F), (0x60, 0x7F)], "Zen 5",
     ["EPYC 9005 Series", "EPYC 4005 Series"], []),
]


def per_thread(tdp_table, name, chips, threads):
    """(table name, TDP per socket / threads per socket), or None when either is unknown."""
    match = _fit.look_up_tdp(name, tdp_table)
    if not match or chips <= 0 or threads <= 0 or threads % chips:
        return None
    return match[1], match[0] / (threads // chips)


# SPECpower spells some Xeon versions without a space ("E3-1240V2", "E3-1265Lv3"); the TDP
# table writes "E3-1240 v2". Only that space is added before the look-up.
VERSION_SUFFIX = re.compile(r"(-\d{4}[A-Z]?)\s*[vV](\d)\b")


def known_specpower(tdp_table):
    """{table name: (label, W per thread)} from the SPECpower results."""
    known = {}
    with open(SPECPOWER_CSV, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            try:
                chips, threads = int(row["chips"]), int(row["threads"])
            except ValueError:
                continue
            name = VERSION_SUFFIX.sub(r"\1 v\2", row["cpu_name"])
            found = per_thread(tdp_table, name, chips, threads)
            if found:
                known.setdefault(found[0], (row["architecture"], found[1], row["cpu_name"]))
    return known


def known_amd(tdp_table):
    """{table name: (series, W per thread)} from AMD's server CPU list (one socket's threads)."""
    known = {}
    with open(AMD_CSV, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            name = row["Name"].replace("\u2122", "").replace("\u00ae", "")
            if not row["# of Threads"].isdigit():
                continue
            found = per_thread(tdp_table, name, 1, int(row["# of Threads"]))
            if found:
                known.setdefault(found[0], (row["Series"], found[1]))
    return known


def ranges(models):
    """Sorted model numbers as contiguous (min, max) ranges."""
    out = []
    for model in sorted(models):
        if out and model == out[-1][1] + 1:
            out[-1] = (out[-1][0], model)
        else:
            out.append((model, model))
    return out


def build():
    """(rows of the CSV, microarchitectures left without a row)."""
    tdp_table = _fit.read_tdp_table(TDP_CSV)
    spec = known_specpower(tdp_table)
    amd = known_amd(tdp_table)
    rows, missing = [], []
    for models, uarch, select in INTEL:
        values = sorted((w, n) for n, (label, w, _) in spec.items() if select and select(label, n))
        if not values:
            missing.append(f"Intel {uarch}")
            continue
        median = statistics.median(w for w, _ in values)
        source = (f"median TDP per thread of {len(values)} Intel CPUs of SPECpower_ssj2008 "
                  f"results (chips and threads) with TDP from cpu_power.csv; models: "
                  f"{INTEL_HEADER}")
        for low, high in ranges(models):
            rows.append(["GenuineIntel", 6, low, high, uarch, f"{median:.3f}", len(values),
                         source])
    for family, model_ranges, uarch, series, labels in AMD:
        values = {n: w for n, (s, w) in amd.items() if s in series}
        for n, (label, w, _) in spec.items():
            if label in labels and n.startswith("AMD EPYC"):
                values.setdefault(n, w)
        if not values:
            missing.append(f"AMD {uarch}")
            continue
        median = statistics.median(values.values())
        source = (f"median TDP per thread of {len(values)} AMD EPYC CPUs "
                  f"({' + '.join(series)}; threads from AMD's list in CodeCarbon and "
                  f"SPECpower_ssj2008) with TDP from cpu_power.csv; server parts only; "
                  f"models: {AMD_RANGES}")
        for low, high in model_ranges:
            rows.append(["AuthenticAMD", family, low, high, uarch, f"{median:.3f}", len(values),
                         source])
    return rows, missing


def main():
    rows, missing = build()
    with open(FAMILIES_CSV, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["vendor_id", "cpu_family", "model_min", "model_max",
                         "microarchitecture", "watts_per_thread", "cpus", "source"])
        writer.writerows(rows)
    print(f"{len(rows)} rows; no known CPU with TDP and threads: {', '.join(missing)}")


if __name__ == "__main__":
    main()
