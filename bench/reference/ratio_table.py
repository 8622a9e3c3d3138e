#!/usr/bin/python3
"""Markdown table of carbonbench's figures against the Python reference's.

Reads JSON Lines records with the keys case, dtype, mode, allocator,
samples_per_s, median_ms, peak_rss_mb and source (python | carbonbench), as
torch_reference.py prints them, and writes one row per carbonbench record and
metric with its ratios to Python as users run it (allocator "default") and to
Python under the allocator carbonbench's cells run with (allocator "tuned").
Where a key occurs more than once (compare_python.sh -r), the figures shown are
the medians of its runs, and each ratio is the median of the runs' own ratios:
compare_python.sh runs a case's sides one after the other, run by run, so the
k-th runs of each side saw the same state of a drifting host.

  /usr/bin/python3 bench/reference/ratio_table.py bench/results/python.jsonl [more.jsonl ...]

With --compact: one row per case and dtype, as the Performance table of
docs/performance.md shows it (each mode's carbonbench figure, then its ratios
to Python as users run it and to Python tuned; peak memory in training against
both), followed by every ratio that misses its target.
"""
import argparse
import json
import statistics

MODE_ORDER = ["train", "infer1", "infer64"]
PYTHON_ALLOCATORS = ["default", "tuned"]
LEGEND = ("Speed rows compare rates: carbonbench's samples/s over Python's, and for median ms "
          "Python's time over carbonbench's, so above 1 means carbonbench is faster. Peak RSS "
          "rows divide carbonbench's memory by Python's, so below 1 means carbonbench uses less. "
          "Python default: glibc malloc as users run it; Python tuned: the allocator "
          "carbonbench's cells run with (tcmalloc preloaded, or glibc with carbonbench's "
          "mmap and trim thresholds through GLIBC_TUNABLES).")


def read_records(paths):
    """The records of the files, one per source, case, dtype, mode and
    allocator: repeated runs (compare_python.sh -r) merged into their median
    figures, each run's figures kept in order under "runs_of". Blank lines are
    skipped."""
    records = []
    for path in paths:
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return merge_repeats(records)


def merge_repeats(records):
    groups = {}
    for record in records:
        key = tuple(record.get(k) for k in ("source", "case", "dtype", "mode", "allocator"))
        groups.setdefault(key, []).append(record)
    merged = []
    for runs in groups.values():
        record = dict(runs[-1])
        record["runs_of"] = {}
        for metric in ("samples_per_s", "median_ms", "peak_rss_mb"):
            values = [r[metric] for r in runs if r.get(metric) is not None]
            if values:
                record[metric] = statistics.median(values)
                record["runs_of"][metric] = values
        record["runs"] = len(runs)
        merged.append(record)
    return merged


def speed_metric(mode):
    """The figure a mode is judged by: latency at batch 1, throughput otherwise."""
    return "median_ms" if mode == "infer1" else "samples_per_s"


def ratio(carbonbench, python, metric):
    """carbonbench over python, as a rate or a memory figure; None when either is missing."""
    if not carbonbench or not python:
        return None
    return python / carbonbench if metric == "median_ms" else carbonbench / python


def paired_ratio(carbonbench, python, metric):
    """The median of the runs' own ratios, the k-th run of one side against the
    k-th of the other, where both sides have the same runs; else the ratio of
    their figures. None when either is missing."""
    ours = (carbonbench or {}).get("runs_of", {}).get(metric, [])
    theirs = (python or {}).get("runs_of", {}).get(metric, [])
    if len(ours) > 1 and len(ours) == len(theirs):
        return statistics.median(ratio(o, t, metric) for o, t in zip(ours, theirs))
    return ratio((carbonbench or {}).get(metric), (python or {}).get(metric), metric)


def fmt(value):
    return "—" if value is None else f"{value:,.2f}"


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}×"


def table_rows(records):
    """One (cells...) tuple per carbonbench record and metric, in case, dtype, mode order."""
    python = {(r["case"], r["dtype"], r["mode"], r["allocator"]): r
              for r in records if r["source"] == "python"}
    carbonbench = {(r["case"], r["dtype"], r["mode"], r["allocator"]): r
                   for r in records if r["source"] == "carbonbench"}

    def order(key):
        case, dtype, mode, allocator = key
        return case, dtype, MODE_ORDER.index(mode), allocator

    rows = []
    for key in sorted(carbonbench, key=order):
        case, dtype, mode, allocator = key
        references = [python.get((case, dtype, mode, a), {}) for a in PYTHON_ALLOCATORS]
        for metric in (speed_metric(mode), "peak_rss_mb"):
            ours = carbonbench[key].get(metric)
            theirs = [reference.get(metric) for reference in references]
            rows.append((case, dtype, mode, allocator, metric, fmt(ours), *map(fmt, theirs),
                         *(fmt_ratio(paired_ratio(carbonbench[key], reference, metric))
                           for reference in references)))
    return rows


# The targets each ratio is held to: against Python as users run it, and
# against Python tuned.
TARGETS_VS_DEFAULT = {("cnn", "fp32", "train"): 2.5, ("resnet18", "fp32", "train"): 2.5,
                      ("cnn", "fp32", "infer64"): 4.0}
TARGET_VS_TUNED = {"train": 1.0, "infer64": 1.0, "infer1": 1.1}


def keyed(records, source):
    return {(r["case"], r["dtype"], r["mode"], r["allocator"]): r
            for r in records if r["source"] == source}


def compact(records):
    """docs/performance.md's table: a row per case and dtype, then the targets missed."""
    python = keyed(records, "python")
    carbonbench = keyed(records, "carbonbench")
    cases = sorted({(k[0], k[1]) for k in carbonbench},
                   key=lambda k: (k[0], k[1] != "fp32"))
    lines = ["| case | training | inference, batch 64 | inference, batch 1 | "
             "peak memory, training (MiB) |", "| --- | --- | --- | --- | --- |"]
    missed = []
    for case, dtype in cases:
        cells = []
        for mode in ("train", "infer64", "infer1"):
            ours = carbonbench.get((case, dtype, mode, "tuned"))
            if not ours:
                cells.append("—")
                continue
            metric = speed_metric(mode)
            default, tuned = (paired_ratio(ours, python.get((case, dtype, mode, a)), metric)
                              for a in PYTHON_ALLOCATORS)
            figure = (f"{ours[metric]:.2f} ms" if metric == "median_ms"
                      else f"{ours[metric]:,.0f}/s")
            cells.append(f"{figure}: {fmt_ratio(default)} / {fmt_ratio(tuned)}")
            wanted_default = TARGETS_VS_DEFAULT.get((case, dtype, mode))
            if wanted_default and (default or 0) < wanted_default:
                missed.append(f"{case} {dtype} {mode}: {fmt_ratio(default)} against Python as "
                              f"users run it, wanted {wanted_default}×")
            if (tuned or 0) < TARGET_VS_TUNED[mode]:
                missed.append(f"{case} {dtype} {mode}: {fmt_ratio(tuned)} against Python tuned, "
                              f"wanted {TARGET_VS_TUNED[mode]}×")
        ours = carbonbench.get((case, dtype, "train", "tuned"), {}).get("peak_rss_mb")
        theirs = [python.get((case, dtype, "train", a), {}).get("peak_rss_mb")
                  for a in PYTHON_ALLOCATORS]
        if ours and all(theirs):
            cells.append(f"{ours:,.0f} vs {theirs[0]:,.0f} / {theirs[1]:,.0f}")
            if ours > min(theirs):
                missed.append(f"{case} {dtype} training: peak memory {ours:,.0f} MiB, above "
                              f"Python's {min(theirs):,.0f} MiB")
        else:
            cells.append("—")
        lines.append(f"| {case} {dtype} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Targets missed: " + ("none" if not missed else ""))
    lines += [f"- {m}" for m in missed]
    return "\n".join(lines)


def markdown(rows):
    header = ("case", "dtype", "mode", "carbonbench allocator", "metric", "carbonbench",
              "python default", "python tuned", "× vs python default", "× vs python tuned")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", nargs="+", help="files of records, python and carbonbench alike")
    parser.add_argument("--compact", action="store_true",
                        help="one row per case and dtype, and the targets missed")
    args = parser.parse_args()
    if args.compact:
        print(compact(read_records(args.jsonl)))
        return
    rows = table_rows(read_records(args.jsonl))
    if not rows:
        raise SystemExit("no carbonbench records in " + ", ".join(args.jsonl) +
                         ": nothing to compare the Python figures with")
    print(markdown(rows))
    print()
    print(LEGEND)


if __name__ == "__main__":
    main()
