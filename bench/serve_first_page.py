#!/usr/bin/python3
"""How long the explorer of `carbonbench serve` takes to show its first page on a store of
1,000 runs.

  /usr/bin/python3 bench/serve_first_page.py --binary build/release/bin/carbonbench \
      [--work DIR] [--json PATH] [--repeats 5] [--no-browser] [--browser-accept-encoding "gzip, deflate"]

1. Runs a small real suite once (cnn on Fashion-MNIST, 1,000 training and 200 test images,
   one epoch, one thread: lr 0.001 and 0.002 x fp32 and bf16 mixed precision, 4 cells x 1
   repetition), into --work/real.db (reused when it holds them).
2. Replicates its real rows with SQL (serve_bench_util.replicate_store) into two stores of
   1,000 runs each, schema and meta table as they are: `suites.db`, 10 suites of 4 cells x 25
   repetitions (the suites list), and `big.db`, one suite of 25 cells x 40 repetitions (one
   big suite page). Every run, with its epochs and inference rows, is a copy of one of the 4
   real runs under a new id, repetition and seed; times, energy and CO2 are scaled by a
   deterministic factor within +-3% (--jitter) so repetitions have a spread.
3. For each store, starts `carbonbench serve --no-models --port 0` and times, the way
   `curl -w` does (a fresh connection each; connect, first byte, total), GET /,
   /static/app.js, /static/chart.min.js, /api/suites and /api/suites/NAME: cold (the first
   request after the server started) and warm (p50 of --warm-requests more). Twice, each on
   a fresh server: asking for no compression (curl's default) and with Chromium's
   Accept-Encoding, since the server compresses each response it is asked to (brotli first),
   on every request. Also GET /api/suites/NAME as the very first request of a fresh server.
4. In headless Chromium (DevTools over a pipe, the client of
   tests/serve/check_explorer_in_browser.py), against a freshly started server and a fresh
   browser: opens /#/ and /#/suite/NAME and times from the navigation's start until
   document.body.dataset.ready is "suites" / "suite" (the pages set it once rendered), by
   the page's own clock (a MutationObserver installed before the page's scripts runs records
   performance.now()); cold is the first load, warm the p50 of --repeats full reloads. The
   page's Resource Timing entries say where the cold load's time went: the document, the two
   scripts, the API call, and the rendering after it. Also timed: opening the suite from the
   suites list in the page (a change of the URL's hash, no reload).
5. Prints Markdown tables (target: every page ready in under 1 s); --json PATH writes the
   figures.

The stores' rows are replicas of real runs, made for this benchmark; their figures mean
nothing beyond their count and shape.
"""

import argparse
import datetime
import importlib.util
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import serve_bench_util as util  # noqa: E402

# What Chromium 156 sends; the server compresses what it is asked to (br first).
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
REAL_SUITE = "first_page_real"
REAL = """# Written by bench/serve_first_page.py: the real runs the benchmark's stores replicate.
suite: %s
dataset: {name: fashion_mnist, train_size: 1000, test_size: 200}
defaults:
  model: cnn
  epochs: 1
  batch_size: 64
  seed: 42
  threads: 1
matrix:
  lr: [0.001, 0.002]
  optimizations: [[], [mixed_precision]]
repetitions: 1
inference: {batch_sizes: [1], min_time_s: 0.1}
""" % REAL_SUITE

STORES = [
    # (key, file, layout, the suite whose page is opened, what it is)
    ("suites", "suites.db", [("replica_%02d" % i, 4, 25) for i in range(10)], "replica_00",
     "10 suites x (4 cells x 25 repetitions)"),
    ("big", "big.db", [("replica_big", 25, 40)], "replica_big", "1 suite x (25 cells x 40 repetitions)"),
]

# Installed before any script of each document: records when the page marks itself ready.
READY_OBSERVER = """
(() => {
  window.__cbReady = {};
  const mark = () => {
    const ready = document.body && document.body.dataset.ready;
    if (ready && !(ready in window.__cbReady)) window.__cbReady[ready] = performance.now();
  };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true,
                                                attributeFilter: ['data-ready']});
})();
"""

TIMINGS = """(() => {
  const n = performance.getEntriesByType('navigation')[0] || {};
  const path = (u) => { const x = new URL(u); return x.pathname + x.search; };
  return {document_start: n.requestStart, document_end: n.responseEnd,
          dom_content_loaded: n.domContentLoadedEventEnd, load: n.loadEventEnd,
          ready: window.__cbReady || {},
          resources: performance.getEntriesByType('resource').map((r) => ({
            path: path(r.name), start: r.startTime, first_byte: r.responseStart, end: r.responseEnd,
            transfer_bytes: r.transferSize, body_bytes: r.decodedBodySize}))};
})()"""


def load_browser_client():
    """The DevTools client of tests/serve/check_explorer_in_browser.py."""
    path = os.path.join(HERE, "..", "tests", "serve", "check_explorer_in_browser.py")
    spec = importlib.util.spec_from_file_location("check_explorer_in_browser", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def real_store(binary, work, log_path):
    store = os.path.join(work, "real.db")
    if os.path.exists(store):
        db = sqlite3.connect("file:%s?mode=ro" % store, uri=True)
        finished = db.execute("SELECT count(*) FROM runs WHERE suite = ? AND status = 'finished'",
                              (REAL_SUITE,)).fetchone()[0]
        db.close()
        if finished >= 4:
            print("real runs: %s (reused, %d finished runs)" % (store, finished))
            return store
    suite = os.path.join(work, REAL_SUITE + ".yaml")
    with open(suite, "w") as f:
        f.write(REAL)
    seconds = util.run_suite(binary, suite, store, os.path.join(work, "reports"),
                             os.path.join(work, "models"), log_path)
    print("real runs: %s (suite %s, 4 cells x 1 repetition, run in %.1f s)" % (store, REAL_SUITE, seconds))
    return store


def http_timings(server, suite, warm_requests, accept_encoding):
    """Cold (each URL's first request since the server started, in the order a browser asks
    for them) and warm timings of the first page's URLs."""
    paths = ["/", "/static/app.js", "/static/chart.min.js", "/api/suites",
             "/api/suites/%s" % util.quote(suite)]
    rows = []
    for path in paths:
        cold = util.timed_get(server.port, path, accept_encoding=accept_encoding)
        if cold["status"] != 200:
            raise RuntimeError("GET %s: HTTP %d" % (path, cold["status"]))
        rows.append({"path": path, "bytes": cold["bytes"], "encoding": cold["content_encoding"], "cold": cold})
    for row in rows:
        warm = [util.timed_get(server.port, row["path"], accept_encoding=accept_encoding)
                for _ in range(warm_requests)]
        row["warm_total_p50_ms"] = util.median([w["total_ms"] for w in warm])
        row["warm_first_byte_p50_ms"] = util.median([w["first_byte_ms"] for w in warm])
        row["warm_total_max_ms"] = max(w["total_ms"] for w in warm)
    return rows


class Page:
    """A fresh headless Chromium with one page, timing the explorer's routes."""

    def __init__(self, cdp, chromium, work, accept_encoding=None):
        self.work = tempfile.mkdtemp(prefix="chromium_", dir=work)
        self.browser = cdp.Browser(chromium, self.work)
        self.Failure = cdp.Failure
        self.browser.open_page()
        self.browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": READY_OBSERVER})
        if accept_encoding:
            # An experiment: what the pages cost when the browser asks for another encoding.
            self.browser.send("Network.enable")
            self.browser.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": accept_encoding}})

    def full_load(self, url, ready, timeout=60):
        """Opens URL from about:blank (a full load); returns the page's timings, with
        `ready_ms` (navigation start to the ready mark, page clock) and `wall_ms` (from the
        DevTools command to the mark seen, polled every 5 ms)."""
        self.browser.send("Page.navigate", {"url": "about:blank"})
        self.wait("location.href === 'about:blank' && document.readyState === 'complete'", timeout)
        t0 = time.perf_counter()
        result = self.browser.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise self.Failure("opening %s: %s" % (url, result["errorText"]))
        self.wait("window.__cbReady && window.__cbReady[%s] !== undefined" % json.dumps(ready), timeout)
        wall = 1000 * (time.perf_counter() - t0)
        timings = self.browser.evaluate(TIMINGS)
        timings["ready_ms"] = timings["ready"][ready]
        timings["wall_ms"] = wall
        return timings

    def in_app(self, hash_route, ready, timeout=60):
        """Changes the hash (what a click on a link does) and waits for READY: ms by the page's clock."""
        script = """new Promise((resolve, reject) => {
          delete document.body.dataset.ready;
          const t0 = performance.now();
          const seen = () => {
            if (document.body.dataset.error) { observer.disconnect(); reject(new Error('the page shows an error')); }
            if (document.body.dataset.ready === %s) { observer.disconnect(); resolve(performance.now() - t0); }
          };
          const observer = new MutationObserver(seen);
          observer.observe(document.body, {attributes: true, attributeFilter: ['data-ready', 'data-error']});
          setTimeout(() => { observer.disconnect(); reject(new Error('timeout')); }, %d);
          location.hash = %s;
        })""" % (json.dumps(ready), int(timeout * 1000), json.dumps(hash_route))
        result = self.browser.send("Runtime.evaluate", {"expression": script, "awaitPromise": True,
                                                        "returnByValue": True}, timeout=timeout + 5)
        if "exceptionDetails" in result:
            raise self.Failure("in-app navigation to %s: %s" % (hash_route, result["exceptionDetails"].get(
                "exception", {}).get("description", result["exceptionDetails"].get("text"))))
        return result["result"]["value"]

    def wait(self, condition, timeout):
        deadline = time.monotonic() + timeout
        probe = ("(() => { if (document.body && document.body.dataset.error) return 'error';"
                 " try { return (%s) ? 'yes' : 'no'; } catch (e) { return 'no'; } })()" % condition)
        while time.monotonic() < deadline:
            state = self.browser.evaluate(probe)
            if state == "yes":
                return
            if state == "error":
                text = self.browser.evaluate("(document.getElementById('error') || {}).textContent || ''")
                raise self.Failure("the page shows an error: %s" % text)
            time.sleep(0.005)
        raise self.Failure("waited %d s for %s" % (timeout, condition))

    def problems(self):
        return list(self.browser.problems)

    def close(self):
        self.browser.close()
        shutil.rmtree(self.work, ignore_errors=True)


def breakdown(timings):
    """Where a cold full load's time went, from its Resource Timing entries (page clock, ms)."""
    out = {"document_ms": timings.get("document_end"), "dom_content_loaded_ms": timings.get("dom_content_loaded"),
           "ready_ms": timings["ready_ms"]}
    api_end = None
    for r in timings["resources"]:
        if r["path"] == "/static/app.js":
            out["app_js_ms"] = [r["start"], r["end"]]
            out["app_js_first_byte_ms"] = r["first_byte"]
        elif r["path"] == "/static/chart.min.js":
            out["chart_js_ms"] = [r["start"], r["end"]]
            out["chart_js_first_byte_ms"] = r["first_byte"]
        elif r["path"].startswith("/api/"):
            out.setdefault("api", []).append({"path": r["path"], "start_ms": r["start"], "end_ms": r["end"],
                                              "first_byte_ms": r["first_byte"], "bytes": r["body_bytes"]})
            api_end = max(api_end or 0, r["end"])
    if api_end is not None:
        out["render_after_api_ms"] = timings["ready_ms"] - api_end
    return out


def browser_timings(cdp, chromium, binary, store, suite, work, log_path, repeats, accept_encoding=None):
    quoted = util.quote(suite)
    results = {}
    for key, route, ready in (("suites", "/#/", "suites"), ("suite", "/#/suite/%s" % quoted, "suite")):
        server = util.Server(binary, store, ["--no-models"], log_path=log_path,
                             reports_dir=os.path.join(work, "reports"))
        page = None
        try:
            server.wait_ready("/static/app.js")  # listening; nothing of the store asked yet
            page = Page(cdp, chromium, work, accept_encoding)
            cold = page.full_load(server.url + route, ready)
            warm = [page.full_load(server.url + route, ready) for _ in range(repeats)]
            entry = {"route": route, "cold": {"ready_ms": cold["ready_ms"], "wall_ms": cold["wall_ms"],
                                              "breakdown": breakdown(cold)},
                     "warm_ready_p50_ms": util.median([w["ready_ms"] for w in warm]),
                     "warm_ready_max_ms": max(w["ready_ms"] for w in warm),
                     "warm_wall_p50_ms": util.median([w["wall_ms"] for w in warm]),
                     "warm_breakdown": breakdown(sorted(warm, key=lambda w: w["ready_ms"])[len(warm) // 2])}
            if key == "suite":
                # From the suites list to the suite, in the page: the click a reader makes.
                clicks = []
                for _ in range(repeats):
                    page.full_load(server.url + "/#/", "suites")
                    clicks.append(page.in_app("#/suite/%s" % quoted, "suite"))
                entry["in_app_from_list_p50_ms"] = util.median(clicks)
                entry["in_app_from_list_max_ms"] = max(clicks)
            entry["page_problems"] = page.problems()
            results[key] = entry
        finally:
            if page:
                page.close()
            server.stop()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True, help="the carbonbench binary")
    parser.add_argument("--work", help="folder for the stores, logs and browser profiles (kept; its real runs reused)")
    parser.add_argument("--json", help="also write the figures here as JSON")
    parser.add_argument("--repeats", type=int, default=5, help="warm page loads per page")
    parser.add_argument("--warm-requests", type=int, default=10, help="warm requests per URL")
    parser.add_argument("--jitter", type=float, default=0.03, help="spread of the replicas' times and energy (0: exact copies)")
    parser.add_argument("--no-browser", action="store_true", help="time the HTTP requests only")
    parser.add_argument("--browser-accept-encoding",
                        help="an experiment: the Accept-Encoding Chromium sends instead of its own "
                             "(e.g. 'gzip, deflate' to see the pages without brotli)")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if args.work:
        work = os.path.abspath(args.work)
        os.makedirs(work, exist_ok=True)
    else:
        results = os.path.join(HERE, "results")
        os.makedirs(results, exist_ok=True)
        work = tempfile.mkdtemp(prefix="serve_first_page_", dir=results)
    log_path = os.path.join(work, "log.txt")
    started_at = datetime.datetime.now().astimezone()
    out = {"benchmark": "serve_first_page", "date": started_at.isoformat(timespec="seconds"),
           "machine": util.machine(), "binary": binary, "work": work, "stores": [], "notes": [],
           "browser_accept_encoding": args.browser_accept_encoding or BROWSER_ACCEPT_ENCODING + " (Chromium's own)"}
    print("# carbonbench serve: the explorer's first page on 1,000 runs (%s, %s, %d cores)" % (
        started_at.strftime("%Y-%m-%d %H:%M"), out["machine"]["cpu"], out["machine"]["cores"]))

    real = real_store(binary, work, log_path)
    for key, name, layout, suite, what in STORES:
        path = os.path.join(work, name)
        t0 = time.perf_counter()
        runs, cells = util.replicate_store(real, path, layout, jitter=args.jitter)
        print("store %s: %d runs, %s, replicas of the %d real runs of %s (jitter +-%g%%), made in %.1f s, %.1f MB" % (
            path, runs, what, cells, REAL_SUITE, 100 * args.jitter, time.perf_counter() - t0,
            os.path.getsize(path) / 1e6))
        out["stores"].append({"key": key, "path": path, "runs": runs, "layout": what, "suite": suite,
                              "bytes": os.path.getsize(path)})
    note = ("The stores' rows are replicas of %d real runs (suite %s), copied with SQL under new ids, "
            "repetitions and seeds; times and energy scaled within +-%g%%." % (
                cells, REAL_SUITE, 100 * args.jitter))
    out["notes"].append(note)

    chromium = None if args.no_browser else util.which_chromium()
    if not args.no_browser and not chromium:
        print("chromium not found: the browser part is skipped (Debian: apt-get install chromium)")
    cdp = load_browser_client() if chromium else None

    busy, warning = util.quiet_check()
    out["busy_before"] = busy
    if warning:
        print(warning)
        out["notes"].append(warning)

    for entry in out["stores"]:
        # Each encoding on a freshly started server, so both have a cold first request.
        for key, encoding in (("http", "identity"), ("http_browser", BROWSER_ACCEPT_ENCODING)):
            server = util.Server(binary, entry["path"], ["--no-models"], log_path=log_path,
                                 reports_dir=os.path.join(work, "reports"))
            try:
                entry.setdefault("server_bound_s", server.bound_s)
                entry[key] = http_timings(server, entry["suite"], args.warm_requests, encoding)
            finally:
                server.stop()
        # The suite's API as the very first request of a fresh server: nothing cached.
        server = util.Server(binary, entry["path"], ["--no-models"], log_path=log_path,
                             reports_dir=os.path.join(work, "reports"))
        try:
            path = "/api/suites/%s" % util.quote(entry["suite"])
            entry["suite_api_first_request"] = util.timed_get(server.port, path)
        finally:
            server.stop()
        if chromium:
            entry["browser"] = browser_timings(cdp, chromium, binary, entry["path"], entry["suite"], work,
                                               log_path, args.repeats, args.browser_accept_encoding)

    # Tables.
    print()
    print("## HTTP, curl-like (a fresh connection per request; total ms, request to last byte)")
    print()
    print("Plain: no compression asked, as curl without --compressed. As Chromium: with Chromium's "
          "`Accept-Encoding: %s`. Cold: each URL's first request after the server started, in the "
          "order the page asks for them; warm: p50 of %d more." % (BROWSER_ACCEPT_ENCODING, args.warm_requests))
    print()
    print("| store | request | plain: bytes | plain: cold | plain: warm p50 | as Chromium: encoding, bytes "
          "| as Chromium: cold | as Chromium: warm p50 |")
    print("|---|---|---:|---:|---:|---|---:|---:|")
    for entry in out["stores"]:
        for row, compressed in zip(entry["http"], entry["http_browser"]):
            print("| %s | GET %s | %d | %s | %s | %s %d | %s | %s |" % (
                entry["key"], row["path"], row["bytes"], util.fmt_ms(row["cold"]["total_ms"], 1),
                util.fmt_ms(row["warm_total_p50_ms"], 1), compressed["encoding"], compressed["bytes"],
                util.fmt_ms(compressed["cold"]["total_ms"], 1), util.fmt_ms(compressed["warm_total_p50_ms"], 1)))
        first = entry["suite_api_first_request"]
        print("| %s | GET %s, first request of a fresh server | %d | %s | | | | |" % (
            entry["key"], first["path"], first["bytes"], util.fmt_ms(first["total_ms"], 1)))
    worst = 0.0
    if chromium:
        print()
        print("## Page ready in headless Chromium (navigation start to document.body.dataset.ready; ms)")
        if args.browser_accept_encoding:
            print()
            print("Chromium sent `Accept-Encoding: %s` instead of its own (--browser-accept-encoding)."
                  % args.browser_accept_encoding)
        print()
        print("| store | page | cold (fresh server and browser) | warm reload p50 | warm max | "
              "from the suites list, in the page, p50 |")
        print("|---|---|---:|---:|---:|---:|")
        for entry in out["stores"]:
            for key in ("suites", "suite"):
                b = entry["browser"][key]
                worst = max(worst, b["cold"]["ready_ms"], b["warm_ready_max_ms"],
                            b.get("in_app_from_list_max_ms", 0))
                print("| %s | `%s` | %s | %s | %s | %s |" % (
                    entry["key"], b["route"], util.fmt_ms(b["cold"]["ready_ms"], 0),
                    util.fmt_ms(b["warm_ready_p50_ms"], 0), util.fmt_ms(b["warm_ready_max_ms"], 0),
                    util.fmt_ms(b.get("in_app_from_list_p50_ms"), 0) if key == "suite" else ""))
        print()
        print("Where a cold load's time went (page clock, ms from navigation start; request start – "
              "first byte – last byte):")
        print()
        print("| store | page | document | app.js | chart.min.js | API requests (start – end) | API bytes | render after API | ready |")
        print("|---|---|---:|---|---|---|---:|---:|---:|")
        for entry in out["stores"]:
            for key in ("suites", "suite"):
                d = entry["browser"][key]["cold"]["breakdown"]
                api = d.get("api", [])

                def span(pair, first_byte):
                    if not pair:
                        return "—"
                    return "%.0f – %.0f – %.0f" % (pair[0], first_byte if first_byte is not None else pair[1], pair[1])
                print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    entry["key"], key, util.fmt_ms(d.get("document_ms"), 0),
                    span(d.get("app_js_ms"), d.get("app_js_first_byte_ms")),
                    span(d.get("chart_js_ms"), d.get("chart_js_first_byte_ms")),
                    "; ".join("%s %.0f–%.0f" % (a["path"].split("?")[0], a["start_ms"], a["end_ms"]) for a in api) or "—",
                    "; ".join(str(a["bytes"]) for a in api) or "—",
                    util.fmt_ms(d.get("render_after_api_ms"), 0), util.fmt_ms(d["ready_ms"], 0)))
        problems = [p for e in out["stores"] for b in e["browser"].values() for p in b["page_problems"]]
        if problems:
            print()
            print("The pages logged: %s" % "; ".join(problems[:5]))
        out["slowest_ready_ms"] = worst
        out["target_ms"] = 1000
        out["target_met"] = worst < 1000
        print()
        print("Target: every page ready in under 1 s: %s (slowest %.0f ms)." % (
            "met" if worst < 1000 else "MISSED", worst))
    print()
    print(note)
    print("Machine: %s, %d cores; server, browser and this script share them." % (
        out["machine"]["cpu"], out["machine"]["cores"]))
    if warning:
        print(warning)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
        print("figures written to %s" % args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
