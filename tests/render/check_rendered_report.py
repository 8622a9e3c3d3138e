#!/usr/bin/env python3
"""Renders reports as a reader sees them and checks that they fit the page.

Each report is turned into HTML by cmark-gfm (GitHub's own Markdown library,
with its table extension), styled like a GitHub page (a content column of
--column-px pixels, 16px sans-serif, collapsed borders, cells padded 6px 13px)
and laid out by headless Chromium. A script in the page measures every table
and image after layout and writes the figures into the page, which Chromium
dumps. The check fails when a table is wider than the column (its right
columns would scroll out of sight) or an image does not load.

  check_rendered_report.py [--binary CARBONBENCH --work DIR] [REPORT.md ...]

With --binary it first runs a small suite (written here, over generated data
in Fashion-MNIST's file layout) and checks the report it writes, plots
included. --self-test checks that a too wide table and a missing image are
caught. Exits 77 (CTest's skip code) when cmark-gfm or chromium is missing:
install them with `scripts/install_deps.sh --test`.
"""

import argparse
import html
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

SKIP = 77

STYLE = """
body { max-width: %dpx; margin: 0 auto; padding: 0;
       font: 16px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
table { border-collapse: collapse; }
th, td { padding: 6px 13px; border: 1px solid #d0d7de; }
img { max-width: 100%%; }
"""

# Runs after layout and every image (loaded or failed): writes what it found
# into the page as JSON, for --dump-dom to carry out.
MEASURE = """
<script>
window.addEventListener('load', () => {
  const column = document.body.getBoundingClientRect();
  const result = {column: column.width, tables: [], images: []};
  document.querySelectorAll('table').forEach((table, index) => {
    let heading = table.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
    const box = table.getBoundingClientRect();
    result.tables.push({index: index + 1, width: Math.max(box.width, table.scrollWidth),
                        right: box.right - column.left,
                        header: table.rows.length ? table.rows[0].innerText : '',
                        heading: heading ? heading.innerText : ''});
  });
  document.querySelectorAll('img').forEach(img => {
    result.images.push({src: img.getAttribute('src'), complete: img.complete,
                        naturalWidth: img.naturalWidth});
  });
  const out = document.createElement('pre');
  out.id = 'carbonbench-measure';
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>
"""


def find_tools():
    cmark = shutil.which("cmark-gfm")
    browser = next((shutil.which(name) for name in ("chromium", "chromium-browser")
                    if shutil.which(name)), None)
    missing = [name for name, path in (("cmark-gfm", cmark), ("chromium", browser)) if not path]
    return cmark, browser, missing


def render_html(cmark, markdown_path, column_px, out_dir):
    """Writes the page into OUT_DIR; its base is the report's folder, so
    relative image paths resolve as they do beside the report."""
    body = subprocess.run(
        [cmark, "--unsafe", "-e", "table", "-e", "autolink", "-e", "strikethrough", markdown_path],
        check=True, capture_output=True, text=True).stdout
    page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>"
            "<base href=\"%s\"><style>%s</style></head><body>\n%s\n%s</body></html>\n" %
            (html.escape(os.path.basename(markdown_path)),
             html.escape("file://" + os.path.dirname(os.path.abspath(markdown_path)) + "/"),
             STYLE % column_px, body, MEASURE))
    html_path = os.path.join(out_dir, "report.html")
    with open(html_path, "w", encoding="utf-8") as out:
        out.write(page)
    return html_path


def measure(browser, html_path, column_px):
    profile = tempfile.mkdtemp(prefix="carbonbench_chromium_")
    try:
        dom = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--allow-file-access-from-files", "--user-data-dir=" + profile,
             "--window-size=%d,1000" % (column_px + 280), "--virtual-time-budget=5000",
             "--dump-dom", "file://" + os.path.abspath(html_path)],
            check=False, capture_output=True, text=True, timeout=120).stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    found = re.search(r'<pre id="carbonbench-measure">(.*?)</pre>', dom, re.S)
    if not found:
        raise RuntimeError("chromium wrote no measurements for %s (is the page's script "
                           "blocked?); dumped %d characters" % (html_path, len(dom)))
    return json.loads(html.unescape(found.group(1)))


def check(cmark, browser, markdown_path, column_px):
    """Returns the problems of one report, each a line."""
    out_dir = tempfile.mkdtemp(prefix="carbonbench_rendered_html_")
    try:
        figures = measure(browser, render_html(cmark, markdown_path, column_px, out_dir),
                          column_px)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    problems = []
    if figures["column"] > column_px + 0.5:
        problems.append("the page's column is %.0f px, not %d" % (figures["column"], column_px))
    for table in figures["tables"]:
        if table["width"] > column_px + 0.5 or table["right"] > column_px + 0.5:
            problems.append("table %d under \"%s\" is %.0f px wide, wider than the %d px column "
                            "(columns: %s)" % (table["index"], table["heading"], table["width"],
                                               column_px, " | ".join(table["header"].split("\t"))))
    for image in figures["images"]:
        if not image["complete"] or image["naturalWidth"] <= 0:
            problems.append("image %s does not load" % image["src"])
    print("%s: %d tables (widest %.0f px of %d), %d images" %
          (markdown_path, len(figures["tables"]),
           max([t["width"] for t in figures["tables"]] or [0]), column_px, len(figures["images"])))
    return problems


def write_idx(directory, prefix, count, seed):
    """A learnable 4-class task (the bright quadrant) of 12x12 images."""
    generator = random.Random(seed)
    images = bytearray(struct.pack(">IIII", 0x803, count, 12, 12))
    labels = bytearray(struct.pack(">II", 0x801, count))
    for _ in range(count):
        label = generator.randrange(4)
        labels.append(label)
        for row in range(12):
            for col in range(12):
                bright = (row // 6) * 2 + (col // 6) == label
                images.append((150 if bright else 0) + generator.randrange(100))
    with open(os.path.join(directory, prefix + "-images-idx3-ubyte"), "wb") as out:
        out.write(images)
    with open(os.path.join(directory, prefix + "-labels-idx1-ubyte"), "wb") as out:
        out.write(labels)


SUITE = """suite: rendered
dataset: {name: fashion_mnist, path: %s}
defaults:
  model: cnn
  epochs: 2
  batch_size: 32
  lr: 0.01
  threads: 1
  cnn: {channels: 4, hidden: 16}
matrix:
  optimizations: [[], [mixed_precision], [early_stop]]
inference: {batch_sizes: [1, 64], min_time_s: 0.2}
carbon: {region: FR}
"""


def run_suite(binary, work):
    """Runs a small suite into WORK and returns the report's path."""
    shutil.rmtree(work, ignore_errors=True)
    data = os.path.join(work, "data")
    os.makedirs(data)
    write_idx(data, "train", 384, 1)
    write_idx(data, "t10k", 128, 2)
    suite = os.path.join(work, "rendered.yaml")
    with open(suite, "w") as out:
        out.write(SUITE % data)
    command = [binary, "--store", os.path.join(work, "results.db"), "--reports-dir",
               os.path.join(work, "reports"), "run", suite, "--models-dir",
               os.path.join(work, "models")]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(command), done.returncode,
                                                      done.stdout, done.stderr))
    return os.path.join(work, "reports", "rendered.md")


def self_test(cmark, browser, column_px):
    """A report with a table too wide and an image that is not there fails."""
    work = tempfile.mkdtemp(prefix="carbonbench_render_self_test_")
    try:
        report = os.path.join(work, "wide.md")
        columns = ["a rather long column heading %d" % i for i in range(12)]
        with open(report, "w") as out:
            out.write("# wide\n\n| %s |\n| %s |\n| %s |\n\n![missing](<missing.svg>)\n" %
                      (" | ".join(columns), " | ".join("---" for _ in columns),
                       " | ".join("0.000123456789" for _ in columns)))
        problems = check(cmark, browser, report, column_px)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    caught = (any("wider than" in p for p in problems), any("does not load" in p for p in problems))
    if all(caught):
        print("self-test: a wide table and a missing image are caught")
        return 0
    print("self-test FAILED: wide table caught %s, missing image caught %s; problems: %s" %
          (caught[0], caught[1], problems))
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="*", help="Markdown reports to check")
    parser.add_argument("--binary", help="carbonbench: run a small suite and check its report")
    parser.add_argument("--work", help="folder for --binary's suite, store and report")
    parser.add_argument("--column-px", type=int, default=1000,
                        help="the content column's width (GitHub's is about 1012 px)")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()

    cmark, browser, missing = find_tools()
    if missing:
        print("SKIP: %s not installed; install the test packages with "
              "`sudo scripts/install_deps.sh --test` (Debian: apt-get install cmark-gfm chromium)"
              % " and ".join(missing))
        return SKIP
    if args.self_test:
        return self_test(cmark, browser, args.column_px)

    reports = list(args.reports)
    if args.binary:
        reports.insert(0, run_suite(args.binary, args.work or tempfile.mkdtemp(
            prefix="carbonbench_rendered_")))
    if not reports:
        parser.error("give reports to check, --binary, or --self-test")
    failures = 0
    for report in reports:
        for problem in check(cmark, browser, report, args.column_px):
            print("  " + problem)
            failures += 1
    if failures:
        print("%d problem(s): split a wide table or drop its redundant columns "
              "(harness/src/report/render/)" % failures)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
