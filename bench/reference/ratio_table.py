#!/usr/bin/python3
"""Markdown table of carbonbench's figures against the Python reference's.

Reads JSON Lines records with the keys case, dtype, mode, allocator,
samples_per_s, median_ms, peak_rss_mb and source (python | carbonbench), as
torch_reference.py prints them, and writes one row per carbonbench record and
metric with its ratios to Python as users run it (allocator "default") and to
Python with carbonbench's allocator settings (allocator "tuned"). Where a key
occurs more than once, the last record wins.

  /usr/bin/python3 bench/reference/ratio_table.py bench/results/python.jsonl [more.jsonl ...]
"""
import argparse
import json

MODE_ORDER = ["train", "infer1", "infer64"]
PYTHON_ALLOCATORS = ["default", "tuned"]
LEGEND = ("Speed rows compare rates: carbonbench's samples/s over Python's, and for median ms "
          "Python's time over carbonbench's, so above 1 means carbonbench is faster. Peak RSS "
          "rows divide carbonbench's memory by Python's, so below 1 means carbonbench uses less. "
          "Python default: glibc malloc as users run it; Python tuned: "
          "GLIBC_TUNABLES with carbonbench's mmap and trim thresholds.")


def read_records(paths):
    """Every record of the files, in order; blank lines are skipped."""
    records = []
    for path in paths:
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


def speed_metric(mode):
    """The figure a mode is judged by: latency at batch 1, throughput otherwise."""
    return "median_ms" if mode == "infer1" else "samples_per_s"


def ratio(carbonbench, python, metric):
    """carbonbench over python, as a rate or a memory figure; None when either is missing."""
    if not carbonbench or not python:
        return None
    return python / carbonbench if metric == "median_ms" else carbonbench / python


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
                         *(fmt_ratio(ratio(ours, t, metric)) for t in theirs)))
    return rows


def markdown(rows):
    header = ("case", "dtype", "mode", "carbonbench allocator", "metric", "carbonbench",
              "python default", "python tuned", "× vs python default", "× vs python tuned")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", nargs="+", help="files of records, python and carbonbench alike")
    args = parser.parse_args()
    rows = table_rows(read_records(args.jsonl))
    if not rows:
        raise SystemExit("no carbonbench records in " + ", ".join(args.jsonl) +
                         ": nothing to compare the Python figures with")
    print(markdown(rows))
    print()
    print(LEGEND)


if __name__ == "__main__":
    main()
