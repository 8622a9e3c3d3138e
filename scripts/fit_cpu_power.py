#!/usr/bin/python3
"""Fits carbonbench's CPU power curve to public measurements and validates it.

    scripts/fit_cpu_power.py            fit, validate, write the outputs
    scripts/fit_cpu_power.py import --specpower GC_SPEC_DATA --architectures GC_UNMELTED
                                        rebuild the measurement CSVs from their sources
    scripts/fit_cpu_power.py check --binary build/release/bin/carbonbench
                                        score every leave-one-machine-out fold with
                                        `carbonbench calibrate --score --curve` and compare

The fit reads only files in the repository:
  harness/data/meters/measurements/cpu_package_power.csv   RAPL package power (score format)
  harness/data/meters/measurements/specpower_curves.csv    SPECpower_ssj2008 wall-power curves
  harness/data/codecarbon/hardware/cpu_power.csv           TDP per socket
and writes
  harness/data/meters/cpu_curve.json                       the curve cpu_estimate uses
  docs/cpu-power-validation.md                             the validation report
Running it twice gives the same bytes. Needs numpy (Debian: python3-numpy).

The model is the one in harness/src/power_model/cpu_power_curve.cpp, evaluated the same way:
  P(u) = full_load_per_tdp * TDP * sockets * LoadFraction(curve, topology, u)
It is fitted by grid search over the shape (idle fraction, rise exponent, SMT share) with the
scale solved exactly for each shape, minimising the mean over machines of each machine's mean
|ln(estimate / measured)|, so every machine counts the same and estimating double or half
costs the same. Validation is leave-one-machine-out: each machine is predicted by the curve
fitted on all the others.
"""

import argparse
import csv
import importlib.util
import io
import json
import math
import os
import re
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEASUREMENTS = os.path.join(ROOT, "harness/data/meters/measurements")
PACKAGE_CSV = os.path.join(MEASUREMENTS, "cpu_package_power.csv")
EXCLUDED_CSV = os.path.join(MEASUREMENTS, "cpu_package_power_excluded.csv")
SPECPOWER_CSV = os.path.join(MEASUREMENTS, "specpower_curves.csv")
CODECARBON_RAW = os.path.join(MEASUREMENTS, "codecarbon_cpu_load_profiling")
TDP_CSV = os.path.join(ROOT, "harness/data/codecarbon/hardware/cpu_power.csv")
CURVE_JSON = os.path.join(ROOT, "harness/data/meters/cpu_curve.json")
REPORT_MD = os.path.join(ROOT, "docs/cpu-power-validation.md")

SCORE_COLUMNS = ["cpu_model", "sockets", "logical_cpus", "load", "measured_w", "machine",
                 "physical_cores", "source", "load_type", "busy_threads",
                 "codecarbon_recorded_w"]

# --- CSV and TDP look-up, as plugins/meters/cpu_estimate/cpu_load_model.cpp does them ---------


def split_csv(text):
    """Records of fields: double quotes protect commas and newlines, "" is a quote."""
    records, fields, quoted, i = [], [""], False, 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == '"' and i + 1 < len(text) and text[i + 1] == '"':
                fields[-1] += '"'
                i += 1
            elif c == '"':
                quoted = False
            else:
                fields[-1] += c
        elif c == '"':
            quoted = True
        elif c == ",":
            fields.append("")
        elif c == "\n":
            records.append(fields)
            fields = [""]
        elif c != "\r":
            fields[-1] += c
        i += 1
    if len(fields) > 1 or fields[0]:
        records.append(fields)
    return records


def trim(text):
    return text.strip(" \t\r\n")


STRTOD_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def read_tdp_table(path):
    """(name, tdp) rows; the unusable ones (ranges, 0 W) are skipped as the C++ skips them."""
    with open(path, encoding="utf-8") as f:
        records = split_csv(f.read())
    table = []
    for i, record in enumerate(records):
        if i == 0 and record[0].lower() == "name":
            continue
        if len(record) == 1 and not trim(record[0]):
            continue
        if len(record) != 2:
            raise SystemExit(f"{path}: record {i + 1} has {len(record)} fields, expected 2")
        tdp_text = trim(record[1])
        if not STRTOD_NUMBER.match(tdp_text):
            continue
        tdp = float(tdp_text)
        if math.isfinite(tdp) and tdp > 0:
            table.append((trim(record[0]), tdp))
    return table


def erase_all(text, needle):
    lower_needle = needle.lower()
    while True:
        at = text.lower().find(lower_needle)
        if at < 0:
            return text
        text = text[:at] + text[at + len(needle):]


def is_clock_word(lower_word, previous):
    frequency = lower_word.endswith("ghz") or lower_word.endswith("mhz")
    return lower_word[0] == "@" or (previous == "@" and frequency)


def drop_decoration_words(words):
    kept, i = [], 0
    while i < len(words):
        lower = words[i].lower()
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        if lower in ("cpu", "processor"):
            i += 1
            continue
        if lower.endswith("-core") and following == "processor":
            i += 1
            continue
        if is_clock_word(lower, words[i - 1] if i > 0 else ""):
            i += 1
            continue
        if lower in ("with", "w/") and following == "radeon":
            while i + 1 < len(words) and words[i].lower() != "graphics":
                i += 1
            i += 1
            continue
        kept.append(words[i])
        i += 1
    return kept


def normalise_cpu_name(name):
    text = name
    for mark in ("(R)", "(TM)", "(OEM Only)"):
        text = erase_all(text, mark)
    return " ".join(drop_decoration_words(text.split()))


def match_key(name):
    return normalise_cpu_name(name).lower()


def is_word_char(c):
    return c.isascii() and c.isalnum()


def contains_whole_words(haystack, needle):
    at = haystack.find(needle)
    while at >= 0:
        end = at + len(needle)
        starts_clean = at == 0 or not is_word_char(haystack[at - 1])
        ends_clean = end == len(haystack) or not is_word_char(haystack[end])
        if starts_clean and ends_clean:
            return True
        at = haystack.find(needle, at + 1)
    return False


def look_up_tdp(model_name, table):
    """(tdp, table name, how) or None: exact name, equal normalised names, longest contained."""
    wanted = trim(model_name)
    if not wanted:
        return None
    for name, tdp in table:
        if name == wanted:
            return tdp, name, "exact"
    key = match_key(wanted)
    longest, longest_size = None, 0
    for name, tdp in table:
        entry_key = match_key(name)
        if entry_key == key:
            return tdp, name, "normalised"
        if " " not in entry_key:
            continue
        if len(entry_key) > longest_size and contains_whole_words(key, entry_key):
            longest, longest_size = (tdp, name, "contained"), len(entry_key)
    return longest


# --- The curve, as harness/src/power_model/cpu_power_curve.cpp evaluates it -------------------


def physical_cores(logical_cpus, physical):
    logical = max(1, logical_cpus)
    if physical > 0:
        return min(physical, logical)
    return logical // 2 if logical >= 2 else 1


def load_fraction(idle, gamma, smt, logical_cpus, physical, load):
    """LoadFraction() for numpy arrays of loads; idle/gamma/smt may broadcast."""
    clamped = np.clip(np.nan_to_num(load, nan=0.0), 0.0, 1.0)
    logical = max(1, logical_cpus)
    cores = physical_cores(logical_cpus, physical)
    busy = clamped * logical
    core_load = np.minimum(busy, cores) / cores
    if logical > cores:
        sibling = np.maximum(0.0, busy - cores) / (logical - cores)
    else:
        sibling = core_load
    rise = (1.0 - smt) * np.power(core_load, gamma) + smt * sibling
    return idle + (1.0 - idle) * np.clip(rise, 0.0, 1.0)


# --- Measurements --------------------------------------------------------------------------


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Machine:
    """One machine's rows, with what the estimators need to know about it."""

    def __init__(self, name, rows, tdp_table):
        self.name = name
        first = rows[0]
        self.cpu_model = first["cpu_model"]
        self.sockets = int(first["sockets"])
        self.logical = int(first["logical_cpus"])
        self.physical = int(first["physical_cores"] or 0)
        self.source = first["source"]
        self.load = np.array([float(r["load"]) for r in rows])
        self.measured = np.array([float(r["measured_w"]) for r in rows])
        self.load_type = [r.get("load_type", "") for r in rows]
        recorded = [r.get("codecarbon_recorded_w", "") for r in rows]
        self.recorded = np.array([float(x) for x in recorded]) if all(recorded) else None
        self.tdp_match = look_up_tdp(self.cpu_model, tdp_table)
        self.tdp = self.tdp_match[0] if self.tdp_match else None

    def only(self, load_type):
        """A copy holding only the rows of one load ladder."""
        copy = Machine.__new__(Machine)
        copy.__dict__.update(self.__dict__)
        mask = np.array([t == load_type for t in self.load_type])
        copy.load, copy.measured = self.load[mask], self.measured[mask]
        copy.load_type = [t for t in self.load_type if t == load_type]
        copy.recorded = self.recorded[mask] if self.recorded is not None else None
        return copy

    def shape(self, idle, gamma, smt):
        """TDP x sockets x LoadFraction for every row; shapes broadcast over leading axes."""
        return self.tdp * self.sockets * load_fraction(
            idle, gamma, smt, self.logical, self.physical, self.load)


def read_machines(tdp_table):
    rows = read_rows(PACKAGE_CSV)
    by_machine = {}
    for row in rows:
        by_machine.setdefault(row["machine"], []).append(row)
    machines = [Machine(name, rs, tdp_table) for name, rs in by_machine.items()]
    return sorted(machines, key=lambda m: m.name)


# --- The fit -------------------------------------------------------------------------------

IDLE_GRID = np.round(np.arange(0.01, 0.601, 0.01), 2)
GAMMA_GRID = np.round(np.arange(0.05, 2.001, 0.01), 2)
SMT_GRID = np.round(np.arange(0.0, 1.001, 0.02), 2)
SCALE_DECIMALS = 3


def weighted_median(values, weights):
    """Lower weighted median along the last axis (the minimiser of the weighted L1 loss)."""
    order = np.argsort(values, axis=-1, kind="stable")
    sorted_values = np.take_along_axis(values, order, axis=-1)
    sorted_weights = np.take_along_axis(np.broadcast_to(weights, values.shape), order, axis=-1)
    cumulative = np.cumsum(sorted_weights, axis=-1)
    half = cumulative[..., -1:] / 2.0
    index = np.argmax(cumulative >= half, axis=-1)
    return np.take_along_axis(sorted_values, index[..., None], axis=-1)[..., 0]


def fit(machines, objective="log"):
    """(idle, gamma, smt, full_load_per_tdp) minimising the machine-weighted loss.

    objective "mape": mean |estimate - measured| / measured, the error the band reports;
    objective "log": mean |ln(estimate / measured)|, which weighs double and half the same.
    For each shape the best scale is a weighted median, computed exactly.
    """
    measured = np.concatenate([m.measured for m in machines])
    weights = np.concatenate([np.full(len(m.load), 1.0 / (len(m.load) * len(machines)))
                              for m in machines])
    gamma = GAMMA_GRID[:, None, None]
    smt = SMT_GRID[None, :, None]
    best = None
    for idle in IDLE_GRID:
        shape = np.concatenate([m.shape(idle, gamma, smt) for m in machines], axis=-1)
        if objective == "mape":
            # sum w |k s - m| / m = sum (w s / m) |k - m / s|: a weighted median of m / s.
            scale = weighted_median(measured / shape, weights * shape / measured)
            loss = np.sum(weights * np.abs(scale[..., None] * shape - measured) / measured,
                          axis=-1)
        else:
            log_ratio = np.log(measured / shape)
            log_scale = weighted_median(log_ratio, weights)
            scale = np.exp(log_scale)
            loss = np.sum(weights * np.abs(log_ratio - log_scale[..., None]), axis=-1)
        at = np.unravel_index(np.argmin(loss), loss.shape)
        if best is None or loss[at] < best[0] - 1e-12:
            best = (loss[at], float(idle), float(GAMMA_GRID[at[0]]), float(SMT_GRID[at[1]]),
                    float(scale[at]))
    _, idle, gamma, smt, scale = best
    return {"idle_fraction": idle, "rise_exponent": gamma, "smt_fraction": smt,
            "full_load_per_tdp": round(scale, SCALE_DECIMALS)}


def estimate(curve, machine):
    return curve["full_load_per_tdp"] * machine.shape(
        curve["idle_fraction"], curve["rise_exponent"], curve["smt_fraction"])


# --- CodeCarbon's own estimators, for comparison --------------------------------------------


def codecarbon_cubic(machine):
    """CodeCarbon v3.0.4 to v3.3.0, machine mode: TDP x sockets x (0.1 + 0.9 load^3)."""
    return machine.tdp * machine.sockets * (0.1 + 0.9 * machine.load ** 3)


def codecarbon_linear(machine):
    """CodeCarbon v3.0.0 to v3.0.3, machine mode: CPU._calculate_power_from_cpu_load."""
    tdp = machine.tdp * machine.sockets
    if "AMD Ryzen Threadripper" in machine.cpu_model:
        out = []
        for load in machine.load:
            if load < 0.1:
                out.append(tdp * (0.05 * load * 10))
            elif load <= 0.3:
                out.append(tdp * (0.05 + 1.8 * (load - 0.1)))
            elif load <= 0.5:
                out.append(tdp * (0.45 + 0.50 * ((load - 0.3) / 0.2) ** 1.8))
            else:
                out.append(tdp * (0.85 + 0.15 * (1 - math.exp(-(load - 0.5) * 5))))
        return np.array(out)
    return np.maximum(tdp * machine.load, tdp * 0.1)


def codecarbon_recorded(machine):
    """What CodeCarbon itself recorded beside RAPL, from its own load samples."""
    return machine.recorded


# --- Scores --------------------------------------------------------------------------------


def score(estimated, measured):
    relative = (estimated - measured) / measured
    return {"rows": int(len(measured)),
            "mape_pct": float(np.mean(np.abs(relative)) * 100.0),
            "bias_pct": float(np.mean(relative) * 100.0),
            "energy_ratio": float(np.sum(estimated) / np.sum(measured))}


def pooled(pairs):
    estimated = np.concatenate([e for e, _ in pairs])
    measured = np.concatenate([m for _, m in pairs])
    return score(estimated, measured)


def leave_one_machine_out(machines, objective="log", fit_rows=None):
    """Per machine: the curve fitted on the others and its estimates of this machine.

    fit_rows, if given, names the only load ladder the folds are fitted on."""
    results = {}
    for held_out in machines:
        others = [m for m in machines if m is not held_out]
        if fit_rows:
            others = [m.only(fit_rows) for m in others]
        curve = fit(others, objective)
        results[held_out.name] = (curve, estimate(curve, held_out))
    return results


# --- SPECpower shape -----------------------------------------------------------------------

SPEC_STEPS = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]


def read_specpower_curves():
    curves = []
    for row in read_rows(SPECPOWER_CSV):
        try:
            watts = [float(row["watts_active_idle"])] + [float(row[f"watts_{s}"]) for s in SPEC_STEPS]
            loads = [0.0] + [float(row[f"actual_load_{s}"]) / 100.0 for s in SPEC_STEPS]
        except ValueError:
            continue
        if watts[-1] <= 0 or any(w <= 0 for w in watts):
            continue
        curves.append((row, np.array(loads), np.array(watts) / watts[-1]))
    return curves


def fit_specpower_shape(loads, normalised):
    """Least-squares idle share and exponent of idle + (1 - idle) u^gamma for one server."""
    idle = np.round(np.arange(0.0, 1.001, 0.01), 2)[:, None, None]
    gamma = np.round(np.arange(0.1, 3.001, 0.01), 2)[None, :, None]
    u = loads[None, None, :] / loads[-1]
    predicted = idle + (1 - idle) * np.power(u, gamma)
    loss = np.sum((predicted - normalised[None, None, :]) ** 2, axis=-1)
    at = np.unravel_index(np.argmin(loss), loss.shape)
    return float(idle[at[0], 0, 0]), float(gamma[0, at[1], 0])


def era(year_text):
    try:
        year = int(year_text)
    except ValueError:
        return None
    if year <= 2012:
        return "2004-2012"
    if year <= 2017:
        return "2013-2017"
    return "2018-2022"


def quartiles(values):
    q = np.percentile(np.array(values), [25, 50, 75])
    return float(q[0]), float(q[1]), float(q[2])


# --- Report --------------------------------------------------------------------------------


def pct(x):
    return f"{x:+.1f}%" if x is not None else "n/a"


def fmt_row(name, s):
    return (f"| {name} | {s['rows']} | {s['mape_pct']:.1f}% | {s['bias_pct']:+.1f}% | "
            f"{s['energy_ratio']:.2f} |")


def write_outputs(machines, curve_all, lomo, specpower, variants):
    ours = {m.name: score(lomo[m.name][1], m.measured) for m in machines}
    cubic = {m.name: score(codecarbon_cubic(m), m.measured) for m in machines}
    linear = {m.name: score(codecarbon_linear(m), m.measured) for m in machines}
    recorded = {m.name: score(codecarbon_recorded(m), m.measured)
                for m in machines if m.recorded is not None}
    overall = {
        "ours": pooled([(lomo[m.name][1], m.measured) for m in machines]),
        "cubic": pooled([(codecarbon_cubic(m), m.measured) for m in machines]),
        "linear": pooled([(codecarbon_linear(m), m.measured) for m in machines]),
        "recorded": pooled([(codecarbon_recorded(m), m.measured) for m in machines
                            if m.recorded is not None]),
        "in_sample": pooled([(estimate(curve_all, m), m.measured) for m in machines]),
    }
    rows = sum(len(m.load) for m in machines)
    curve_json = dict(curve_all)
    curve_json["band_relative"] = round(overall["ours"]["mape_pct"] / 100.0, 3)
    curve_json["basis"] = (f"leave-one-machine-out validation against RAPL package power "
                           f"on {len(machines)} machines")
    curve_json["machines"] = len(machines)
    curve_json["rows"] = rows
    with open(CURVE_JSON, "w", encoding="utf-8") as f:
        json.dump(curve_json, f, indent=2)
        f.write("\n")

    out = io.StringIO()
    w = lambda line="": out.write(line + "\n")  # noqa: E731
    w("# CPU power: the fitted curve and its validation")
    w()
    w("<!-- Generated by scripts/fit_cpu_power.py; edit the script, not this file. -->")
    w()
    w("`cpu_estimate` turns the machine's CPU load into CPU package power where no power counter")
    w("can be read. This page says how that curve was fitted, against what, and how wrong it is")
    w("on machines it has never seen. The figure it ships with,")
    w(f"`band_relative` = {curve_json['band_relative']} in `harness/data/meters/cpu_curve.json`, is")
    w("the leave-one-machine-out mean absolute error below, and every estimated CPU figure")
    w(f"carries it (\"estimated ±{curve_json['band_relative'] * 100:.0f}%\").")
    w()
    w("## The model")
    w()
    w("Per machine, with TDP per socket from `harness/data/codecarbon/hardware/cpu_power.csv`")
    w("(looked up as `cpu_estimate` does: exact name, then equal normalised names, then the")
    w("longest multi-word table name contained in the CPU's name):")
    w()
    w("```")
    w("P(u) = full_load_per_tdp × TDP × sockets × LoadFraction(u)")
    w("busy         = u × logical CPUs          (u: busy share of the machine's logical CPUs)")
    w("core_load    = min(busy, cores) / cores  (cores: physical cores; logical/2 if unknown)")
    w("sibling_load = max(0, busy − cores) / (logical − cores)")
    w("rise         = (1 − smt_fraction) × core_load^rise_exponent + smt_fraction × sibling_load")
    w("LoadFraction = idle_fraction + (1 − idle_fraction) × clamp(rise, 0, 1)")
    w("```")
    w()
    w("Busy threads fill physical cores first, as Linux schedules them; SMT siblings add only")
    w("`smt_fraction` of the rise. The code is `harness/src/power_model/cpu_power_curve.cpp`.")
    w()
    w("Fitted on all machines (the values shipped):")
    w()
    w("| parameter | value |")
    w("| --- | --- |")
    for key in ("idle_fraction", "rise_exponent", "smt_fraction", "full_load_per_tdp"):
        w(f"| `{key}` | {curve_all[key]} |")
    w()
    w("How: a grid search over the shape (idle fraction 0.01–0.6 step 0.01, exponent 0.05–2")
    w("step 0.01, SMT share 0–1 step 0.02); for each shape the scale `full_load_per_tdp` that")
    w("minimises the loss is a weighted median, computed exactly. The loss is the mean over")
    w("machines of each machine's mean |ln(estimate / measured)|: every machine weighs the same")
    w("whatever its number of rows, and estimating double or half costs the same, so the fit")
    w("does not buy a lower percentage error by estimating low (the percentage error of an")
    w("underestimate can never pass 100%, that of an overestimate can).")
    w()
    w("## The measurements")
    w()
    w("RAPL CPU package power (all sockets) at loads from idle to full, with the CPU named, from")
    w("CodeCarbon's `cpu_load_profiling` data set (MIT; details, conversion and exclusions in")
    w("`harness/data/meters/measurements/SOURCE.md`). Each machine ran two ladders of 30 s")
    w("phases: `some_cores` (0, then N threads of `stress-ng --cpu N --cpu-method float64`) and")
    w("`all_cores` (every logical CPU duty-cycled by a Python busy loop at 0–100%). `load` is")
    w("the machine's busy share as psutil sampled it mid-phase; `measured_w` is the phase's")
    w("RAPL energy over its duration.")
    w()
    w("| machine | CPU | sockets | cores / threads | TDP per socket (table row) | rows | lowest W | highest W |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for m in machines:
        idle_w = float(np.min(m.measured))
        full_w = float(np.max(m.measured))
        w(f"| {m.name} | {m.cpu_model} | {m.sockets} | {m.physical} / {m.logical} | "
          f"{m.tdp:g} W ({m.tdp_match[1]}, {m.tdp_match[2]}) | {len(m.load)} | "
          f"{idle_w:.1f} | {full_w:.1f} |")
    w()
    w(f"{len(machines)} machines, {rows} rows. One further run in the same data set (an")
    w("Intel Xeon E3-1240 V2, folder `E5-1240`) is left out: it reads 1.8–2.0× the other")
    w("E3-1240 V2 run at every load above idle and 35% above the CPU's 69 W TDP at full load,")
    w("the signature of the RAPL `core` sub-domain added to `package` (see SOURCE.md). Its rows")
    w("are kept in `cpu_package_power_excluded.csv`.")
    w()
    w("## Leave-one-machine-out validation")
    w()
    w("Each machine is estimated by the curve fitted on the other machines only. Per row:")
    w("error = (estimated − measured) / measured. MAPE is the mean of |error|, bias the mean of")
    w("error, energy ratio = Σ estimated / Σ measured (the error of a run's energy at those")
    w("loads). The same rows are scored with CodeCarbon's estimators:")
    w()
    w("- **CodeCarbon cubic**: v3.0.4 to v3.3.0 (current), machine mode,")
    w("  `TDP × sockets × (0.1 + 0.9 × load³)` (`codecarbon/external/hardware.py`,")
    w("  `CPU._get_power_from_cpu_load`; TDP × `cpu_physical_count` in")
    w("  `core/resource_tracker.py`). carbonbench's estimate before this curve was the same")
    w("  cubic with one socket's TDP.")
    w("- **CodeCarbon linear**: v3.0.0 to v3.0.3, machine mode,")
    w("  `max(TDP × sockets × load, 0.1 × TDP × sockets)`, with its special piecewise curve for")
    w("  names containing \"AMD Ryzen Threadripper\" (`CPU._calculate_power_from_cpu_load`).")
    w("  That Threadripper curve was derived from the Threadripper 1950X run scored here, so")
    w("  it is in-sample on that machine.")
    w("- **CodeCarbon recorded**: the estimate CodeCarbon itself recorded beside RAPL in the")
    w("  same phases, its `estimated_energy` over the phase's duration. Its development branch")
    w("  of 2025-01-14 computed `TDP × sockets × load` with no floor, and the same piecewise")
    w("  curve for Threadripper names (added 2025-01-10), sampling the load itself.")
    w()
    w("| machine | rows | ours (LOMO): MAPE | bias | energy ratio | cubic: MAPE | bias | energy ratio | linear: MAPE | bias | energy ratio | recorded: MAPE | bias | energy ratio |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")

    def cells(s):
        return f"{s['mape_pct']:.1f}% | {s['bias_pct']:+.1f}% | {s['energy_ratio']:.2f}"

    for m in machines:
        rec = cells(recorded[m.name]) if m.name in recorded else "n/a | n/a | n/a"
        w(f"| {m.name} | {len(m.load)} | {cells(ours[m.name])} | {cells(cubic[m.name])} | "
          f"{cells(linear[m.name])} | {rec} |")
    w(f"| **overall** | {rows} | **{cells(overall['ours'])}** | {cells(overall['cubic'])} | "
      f"{cells(overall['linear'])} | {cells(overall['recorded'])} |")
    w()
    o = overall["ours"]
    verdict_ratio = 0.8 <= o["energy_ratio"] <= 1.25
    verdict_mape = o["mape_pct"] < 40.0
    better = all(o["mape_pct"] < overall[k]["mape_pct"] for k in ("cubic", "linear", "recorded"))
    w(f"Overall, leave-one-machine-out: MAPE {o['mape_pct']:.1f}% "
      f"({'under' if verdict_mape else 'not under'} 40%), energy ratio {o['energy_ratio']:.2f} "
      f"({'inside' if verdict_ratio else 'outside'} 0.8–1.25), "
      f"{'lower error than every CodeCarbon estimator' if better else 'not better than every CodeCarbon estimator'}"
      f" (cubic {overall['cubic']['mape_pct']:.1f}%, linear {overall['linear']['mape_pct']:.1f}%,"
      f" recorded {overall['recorded']['mape_pct']:.1f}%).")
    s = overall["in_sample"]
    w(f"Fitted and scored on all machines (in-sample, for reference only): MAPE "
      f"{s['mape_pct']:.1f}%, bias {s['bias_pct']:+.1f}%, energy ratio {s['energy_ratio']:.2f}.")
    w()
    w("By kind of load (leave-one-machine-out estimates):")
    w()
    w("| load ladder | rows | MAPE | bias | energy ratio |")
    w("| --- | --- | --- | --- | --- |")
    for kind in ("some_cores", "all_cores"):
        pairs = []
        for m in machines:
            mask = np.array([t == kind for t in m.load_type])
            if mask.any():
                pairs.append((lomo[m.name][1][mask], m.measured[mask]))
        if pairs:
            w(fmt_row(kind, pooled(pairs)))
    w()
    w("`some_cores` (N threads flat out) is what training and inference look like; `all_cores`")
    w("duty-cycles every logical CPU with short busy/sleep periods, which lets frequency")
    w("governors idle the cores between bursts, so power at a given load is lower there and the")
    w("two ladders disagree by up to 2× at mid loads on the same machine. One curve of load")
    w("cannot fit both; the error above is the price of knowing only the load.")
    w()
    w("The curve each fold fitted (on the machines other than the one named):")
    w()
    w("| held out | idle_fraction | rise_exponent | smt_fraction | full_load_per_tdp |")
    w("| --- | --- | --- | --- | --- |")
    for m in machines:
        c = lomo[m.name][0]
        w(f"| {m.name} | {c['idle_fraction']} | {c['rise_exponent']} | {c['smt_fraction']} | "
          f"{c['full_load_per_tdp']} |")
    w()
    w("### Other fitting choices")
    w()
    w("The same leave-one-machine-out test with the fit changed, to show how much the choice")
    w("matters. Minimising the percentage error itself lowers it a little but estimates about")
    w("a fifth too little energy; the shipped fit keeps the energy nearer the truth:")
    w()
    w("| fit | rows | MAPE | bias | energy ratio |")
    w("| --- | --- | --- | --- | --- |")
    w(fmt_row("shipped: mean \\|ln(estimate / measured)\\|, all rows", overall["ours"]))
    for label, result in variants:
        w(fmt_row(label, pooled([(result[m.name][1], m.measured) for m in machines])))
    w()
    w("Fitting on the `some_cores` rows alone (the ladder that matches the model's picture of")
    w("threads running flat out) scores a little better here; with four machines, whose own")
    w("errors range over tens of percent, that difference is within the noise of the test, so")
    w("the shipped fit uses every row.")
    w()
    w("The error is dominated by what no curve of load can know: at full load the package")
    w("draws " + ", ".join(f"{np.max(m.measured) / (m.tdp * m.sockets):.2f}" for m in machines)
      + " of TDP × sockets on these machines, and the")
    w("machine left out is estimated with a scale fitted on the others. More machines with")
    w("named CPUs (a `calibrate` run with a counter produces exactly such a file) narrow it;")
    w("a machine calibrated against its own counter carries the band of that calibration")
    w("instead.")
    w()
    w("## Supporting evidence: SPECpower_ssj2008 curve shapes (wall power)")
    w()
    n, per_server, pooled_fit, by_era = specpower
    w(f"SPECpower_ssj2008 publishes, for each tested server, the average **wall power of the whole")
    w(f"server** at active idle and at 10%, 20%, … 100% of its maximum transaction rate. That is")
    w(f"not CPU package power: it includes fans, memory, disks, VRM and power-supply losses, so")
    w(f"only its shape is used here, normalised to the power at 100%, and its idle share is an")
    w(f"upper bound for the package's (the constant platform power adds to idle). The load axis")
    w(f"is throughput, not busy threads, so no SMT share can be fitted; each server's curve is")
    w(f"fitted as `idle + (1 − idle) × u^γ` by least squares ({n} results, 2004–2022, from")
    w(f"`harness/data/meters/measurements/specpower_curves.csv`).")
    w()
    w("| results | idle share: 25% / median / 75% | γ: 25% / median / 75% |")
    w("| --- | --- | --- |")
    i25, i50, i75 = quartiles([p[0] for p in per_server])
    g25, g50, g75 = quartiles([p[1] for p in per_server])
    g50_all = g50
    w(f"| all {n} | {i25:.2f} / {i50:.2f} / {i75:.2f} | {g25:.2f} / {g50:.2f} / {g75:.2f} |")
    for name in ("2004-2012", "2013-2017", "2018-2022"):
        fits = by_era.get(name, [])
        if not fits:
            continue
        i25, i50, i75 = quartiles([p[0] for p in fits])
        g25, g50, g75 = quartiles([p[1] for p in fits])
        w(f"| hardware available {name} ({len(fits)}) | {i25:.2f} / {i50:.2f} / {i75:.2f} | "
          f"{g25:.2f} / {g50:.2f} / {g75:.2f} |")
    w()
    w(f"One curve fitted to all normalised SPECpower points together: idle share "
      f"{pooled_fit[0]:.2f}, γ {pooled_fit[1]:.2f}.")
    w()
    w("Whole servers at the wall idle at a large share of their full power (about a third")
    w("before 2013, a quarter since). Their power rises with throughput about linearly or a")
    w("little faster")
    w(f"(median γ {g50_all:.2f}), because SPECpower spreads its load over every thread like")
    w("the `all_cores` ladder. The package-power curve above rises faster with the first busy")
    w("cores, which is what running N threads flat out does; its idle share")
    w(f"({curve_all['idle_fraction']}) is, as expected, below the servers' wall idle share.")
    w()
    write_families_section(w)
    w("## Limits")
    w()
    w(f"- {len(machines)} machines, all servers or workstations (Ivy Bridge to Zen 4c, 2012–2023")
    w("  parts), measured by one team with one script. No laptop, no recent Intel server, no")
    w("  machine with more than 32 threads. Leave-one-machine-out on so few machines is a noisy")
    w("  estimate of the error on the next machine, and the band inherits that.")
    w("- RAPL is itself a model on the oldest of these CPUs (Ivy Bridge estimates package power")
    w("  from activity counters; measured supply current from Haswell on), and AMD's package")
    w("  domain is not documented to cover the same parts as Intel's.")
    w("- Loads come from two synthetic generators; real programs also vary in what they do per")
    w("  busy cycle (vector width, memory stalls), which moves power at the same load.")
    w("- TDP is the table's per-socket figure; the package's configured power limits are not")
    w("  known to the estimator and differ between vendors' defaults.")
    w()
    w("## Reproduce")
    w()
    w("```")
    w("/usr/bin/python3 scripts/fit_cpu_power.py")
    w("```")
    w()
    w("It reads the measurement files in the repository and rewrites")
    w("`harness/data/meters/cpu_curve.json` and this page, byte for byte the same each time")
    w("(numpy needed). `scripts/fit_cpu_power.py import --help` rebuilds the measurement files")
    w("from their upstream sources. The same score, from the binary that estimates:")
    w("`carbonbench calibrate --score harness/data/meters/measurements/cpu_package_power.csv`")
    w("(in-sample: it uses the shipped curve, fitted on these rows).")
    with open(REPORT_MD, "w", encoding="utf-8") as f:
        f.write(out.getvalue())
    return overall, ours, cubic, linear, recorded, curve_json


def write_families_section(w):
    """The per-family fallback table, as scripts/build_cpu_families.py builds it."""
    spec = importlib.util.spec_from_file_location(
        "build_cpu_families", os.path.join(ROOT, "scripts/build_cpu_families.py"))
    families = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(families)
    rows, missing = families.build()
    w("## CPUs missing from the TDP table: per-family power per thread")
    w()
    w("A CPU that `cpu_power.csv` does not name, or that a hypervisor shows under a generic")
    w("name (\"AMD EPYC\"), is estimated per vCPU: `watts_per_thread × full_load_per_tdp ×")
    w("vCPUs` at full load, shaped by the same curve. `watts_per_thread` is the median, over the")
    w("known CPUs of the same microarchitecture, of TDP per socket / hardware threads per")
    w("socket, with TDP from `cpu_power.csv` and threads from SPECpower_ssj2008 results and")
    w("AMD's server CPU list; the family and model numbers are those of `/proc/cpuinfo`, from")
    w("Linux's `intel-family.h` and the Zen ranges of `amd.c`. Built by")
    w("`scripts/build_cpu_families.py` into `harness/data/meters/cpu_families.csv`:")
    w()
    w("| vendor | family | models | microarchitecture | W per thread | known CPUs |")
    w("| --- | --- | --- | --- | --- | --- |")
    merged = {}
    for vendor, family, low, high, uarch, watts, cpus, _ in rows:
        key = (vendor, family, uarch, watts, cpus)
        merged.setdefault(key, []).append(f"{low}" if low == high else f"{low}–{high}")
    for (vendor, family, uarch, watts, cpus), models in merged.items():
        w(f"| {vendor} | {family} | {', '.join(models)} | {uarch} | {watts} | {cpus} |")
    w()
    w("The AMD rows are medians over EPYC (server) parts, the case they exist for: cloud VMs")
    w("that show \"AMD EPYC\". Desktop and mobile Ryzen parts in the same model ranges draw")
    w("more per thread. No row could be built, for want of a known CPU with both a TDP and a")
    w("thread count in these sources, for: " + ", ".join(missing) + ". For those the")
    w("estimator falls back to the row of the same vendor and family with the most known CPUs.")
    w()


def specpower_summary():
    curves = read_specpower_curves()
    per_server, by_era = [], {}
    all_u, all_y = [], []
    for row, loads, normalised in curves:
        fitted = fit_specpower_shape(loads, normalised)
        per_server.append(fitted)
        name = era(row["hardware_available_year"])
        if name:
            by_era.setdefault(name, []).append(fitted)
        all_u.append(loads / loads[-1])
        all_y.append(normalised)
    u = np.concatenate(all_u)
    y = np.concatenate(all_y)
    order = np.argsort(u, kind="stable")
    pooled_fit = fit_specpower_shape(u[order], y[order]) if len(u) else (float("nan"),) * 2
    return len(curves), per_server, pooled_fit, by_era


def run_fit():
    tdp_table = read_tdp_table(TDP_CSV)
    machines = read_machines(tdp_table)
    unscored = [m for m in machines if m.tdp is None]
    for m in unscored:
        print(f"{m.name}: '{m.cpu_model}' has no row in {TDP_CSV}; left out", file=sys.stderr)
    machines = [m for m in machines if m.tdp is not None]
    curve_all = fit(machines)
    lomo = leave_one_machine_out(machines)
    variants = [
        ("mean absolute percentage error, all rows", leave_one_machine_out(machines, "mape")),
        ("mean absolute percentage error, `some_cores` rows only",
         leave_one_machine_out(machines, "mape", "some_cores")),
    ]
    overall, ours, cubic, linear, recorded, curve_json = write_outputs(
        machines, curve_all, lomo, specpower_summary(), variants)
    print(json.dumps(curve_json))
    for key in ("ours", "cubic", "linear", "recorded", "in_sample"):
        s = overall[key]
        print(f"{key:10s} rows {s['rows']:3d}  MAPE {s['mape_pct']:5.1f}%  "
              f"bias {s['bias_pct']:+6.1f}%  energy ratio {s['energy_ratio']:.3f}")


# --- Import: rebuild the measurement files from their sources -------------------------------

# CodeCarbon's folders: the CPU counts psutil saw are in the files (cores_used of the all_cores
# ladder); sockets and physical cores are the CPUs' published specifications.
CODECARBON_MACHINES = {
    "AMD_EPYC_8024P_8C": ("amd-epyc-8024p", 1, 8),
    "AMD_Threadripper": ("amd-threadripper-1950x", 1, 16),
    "E3-1240": ("intel-xeon-e3-1240v2", 1, 4),
    "E5-2620": ("2x-intel-xeon-e5-2620v3", 2, 12),
}
CODECARBON_EXCLUDED = {"E5-1240": ("intel-xeon-e3-1240v2-run2", 1, 4)}


def codecarbon_rows(folder, machine, sockets, physical):
    rows = []
    directory = os.path.join(CODECARBON_RAW, folder)
    logical = None
    for ladder in ("all_cores", "some_cores"):
        for r in read_rows(os.path.join(directory, f"{ladder}.csv")):
            if ladder == "all_cores":
                logical = int(r["cores_used"])
            duration = float(r["duration"])
            rows.append({
                "cpu_model": r["cpu_name"],
                "sockets": sockets,
                "physical_cores": physical,
                "load": f"{float(r['cpu_load']) / 100.0:.3f}",
                "measured_w": f"{float(r['rapl_energy']) * 3.6e6 / duration:.3f}",
                "machine": machine,
                "source": f"codecarbon:{folder}/{ladder}",
                "load_type": ladder,
                "busy_threads": r["cores_used"] if ladder == "some_cores" else "",
                "codecarbon_recorded_w":
                    f"{float(r['estimated_energy']) * 3.6e6 / duration:.3f}",
            })
    for row in rows:
        row["logical_cpus"] = logical
    return rows


def write_score_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=SCORE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


THREADS = re.compile(r"^\s*(\d+)")
CHIPS = re.compile(r"(\d+)\s*chips?")
CORES = re.compile(r"^\s*(\d+)\s*cores?")


def run_import(specpower_path, architectures_path):
    rows = []
    for folder, (machine, sockets, physical) in CODECARBON_MACHINES.items():
        rows += codecarbon_rows(folder, machine, sockets, physical)
    write_score_csv(PACKAGE_CSV, rows)
    excluded = []
    for folder, (machine, sockets, physical) in CODECARBON_EXCLUDED.items():
        excluded += codecarbon_rows(folder, machine, sockets, physical)
    write_score_csv(EXCLUDED_CSV, excluded)

    with open(specpower_path, encoding="utf-8", newline="") as f:
        spec = list(csv.DictReader(f, delimiter="|"))
    with open(architectures_path, encoding="utf-8", newline="") as f:
        archs = list(csv.DictReader(f))
    if len(spec) != len(archs):
        raise SystemExit(f"{specpower_path} and {architectures_path} differ in length")
    columns = ["system", "test_sponsor", "hardware_available_year", "publication", "cpu_name",
               "chips", "cores", "threads", "architecture", "watts_active_idle"]
    columns += [f"actual_load_{s}" for s in SPEC_STEPS] + [f"watts_{s}" for s in SPEC_STEPS]
    out = []
    for s, a in zip(spec, archs):
        if s["HW_Model"] != a["HW_Model"] or float(s["100_AvgPower"]) != float(a["100_AvgPower"]):
            raise SystemExit(f"row mismatch: {s['HW_Model']} / {a['HW_Model']}")
        enabled = s["HW_CPUsEnabled"]
        chips = CHIPS.search(enabled)
        cores = CORES.search(enabled)
        threads = THREADS.search(s["HW_HardwareThreads"])
        record = {
            "system": f"{s['HW_Vendor']} {s['HW_Model']}".strip(),
            "test_sponsor": s["Test_Sponsor"],
            "hardware_available_year": a["Hardware_Availability_Year"],
            "publication": s["Publication"],
            "cpu_name": s["HW_CPUName"],
            "chips": chips.group(1) if chips else "",
            "cores": cores.group(1) if cores else "",
            "threads": threads.group(1) if threads else "",
            "architecture": a["Architecture"],
            "watts_active_idle": s["ActiveIdle"],
        }
        for step in SPEC_STEPS:
            record[f"actual_load_{step}"] = s[f"{step}_ActualLoad"]
            record[f"watts_{step}"] = s[f"{step}_AvgPower"]
        out.append(record)
    with open(SPECPOWER_CSV, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    print(f"{len(rows)} package-power rows, {len(excluded)} excluded, {len(out)} SPECpower results")


def run_check(binary):
    """The leave-one-machine-out figures again, each fold scored by the C++ estimator.

    For every machine the curve fitted on the others goes to a file, the machine's rows to
    another, and `carbonbench calibrate --score ROWS --curve FOLD --json` scores them; the
    pooled result must equal this script's own (it evaluates the same model)."""
    import subprocess
    import tempfile
    tdp_table = read_tdp_table(TDP_CSV)
    machines = [m for m in read_machines(tdp_table) if m.tdp is not None]
    lomo = leave_one_machine_out(machines)
    rows_by_machine = {}
    for row in read_rows(PACKAGE_CSV):
        rows_by_machine.setdefault(row["machine"], []).append(row)
    total_rows, abs_sum, signed_sum, estimated_sum, measured_sum = 0, 0.0, 0.0, 0.0, 0.0
    with tempfile.TemporaryDirectory() as folder:
        for m in machines:
            curve = dict(lomo[m.name][0], band_relative=0.0, machines=len(machines) - 1,
                         basis=f"fold without {m.name}", rows=0)
            curve_path = os.path.join(folder, m.name + ".json")
            rows_path = os.path.join(folder, m.name + ".csv")
            with open(curve_path, "w", encoding="utf-8") as f:
                json.dump(curve, f)
            write_score_csv(rows_path, rows_by_machine[m.name])
            out = subprocess.run([binary, "calibrate", "--score", rows_path, "--curve", curve_path,
                                  "--json"], check=True, capture_output=True, text=True)
            s = json.loads(out.stdout)
            n = s["rows"]
            total_rows += n
            abs_sum += s["mape_pct"] * n
            signed_sum += s["bias_pct"] * n
            measured_sum += float(np.sum(m.measured))
            estimated_sum += s["energy_ratio"] * float(np.sum(m.measured))
            print(f"{m.name:28s} rows {n:3d}  MAPE {s['mape_pct']:5.1f}%  "
                  f"bias {s['bias_pct']:+6.1f}%  energy ratio {s['energy_ratio']:.3f}")
    binary_overall = {"mape_pct": abs_sum / total_rows, "bias_pct": signed_sum / total_rows,
                      "energy_ratio": estimated_sum / measured_sum}
    script_overall = pooled([(lomo[m.name][1], m.measured) for m in machines])
    print(f"{'overall (carbonbench)':28s} rows {total_rows:3d}  "
          f"MAPE {binary_overall['mape_pct']:5.1f}%  bias {binary_overall['bias_pct']:+6.1f}%  "
          f"energy ratio {binary_overall['energy_ratio']:.3f}")
    print(f"{'overall (this script)':28s} rows {script_overall['rows']:3d}  "
          f"MAPE {script_overall['mape_pct']:5.1f}%  bias {script_overall['bias_pct']:+6.1f}%  "
          f"energy ratio {script_overall['energy_ratio']:.3f}")
    differences = [abs(binary_overall[k] - script_overall[k]) for k in ("mape_pct", "bias_pct")]
    differences.append(abs(binary_overall["energy_ratio"] - script_overall["energy_ratio"]) * 100)
    if max(differences) > 0.05:
        sys.exit("carbonbench and this script disagree on the leave-one-machine-out figures")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    imp = sub.add_parser("import", help="rebuild the measurement CSVs from their sources")
    imp.add_argument("--specpower", required=True,
                     help="data/spec_data.csv of github.com/green-coding-solutions/cloud-energy")
    imp.add_argument("--architectures", required=True,
                     help="data/spec_data_cleaned_unmelted.csv of the same repository")
    check = sub.add_parser("check", help="score every fold with carbonbench calibrate --score")
    check.add_argument("--binary", required=True, help="the carbonbench program")
    args = parser.parse_args()
    if args.command == "check":
        run_check(args.binary)
    elif args.command == "import":
        run_import(args.specpower, args.architectures)
    else:
        run_fit()


if __name__ == "__main__":
    main()
