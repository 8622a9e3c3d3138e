#!/usr/bin/python3
"""Prediction latency of `carbonbench serve` under 1, 4 and 16 concurrent clients, against
`carbonbench infer` on the same saved model.

  /usr/bin/python3 bench/serve_latency.py --binary build/release/bin/carbonbench \
      [--work DIR] [--json PATH] [--seconds 15] [--clients 1,4,16]

--work defaults to a new folder under bench/results (ignored by git).

1. Makes a small store in --work by running a one-cell suite: cnn on Fashion-MNIST
   (Debian's dataset-fashion-mnist), 2,000 training and 500 test images, one epoch, one
   thread, with its inference phase at batch size 1. A store already holding the
   run (--work reused) is used as it is.
2. Starts `carbonbench serve --store STORE --port 0 --threads 1`, waits for /api/suites,
   finds the model in GET /api/models and warms it up (--warmup requests).
3. For each client count: every client is a thread with its own persistent
   http.client.HTTPConnection (keep-alive) doing N POSTs of {"samples": [i]} to
   /api/models/ID/predict, i cycling over the test split; N is set from a short pilot so the
   level takes about --seconds. Each request's client-side time (request sent to body read;
   JSON decoded after) and the server's latency_ms and queue_ms are recorded.
   The server (cpp-httplib) closes a keep-alive connection after CPPHTTPLIB_KEEPALIVE_MAX_COUNT
   requests (5 by default): the client then reconnects before its next request. The connect is
   timed apart and not counted in a request's latency nor as a failure; the output says how
   many requests each connection carried and what the reconnects cost.
4. Stops the server and runs `carbonbench infer --model-file MODEL --batch-sizes 1
   --min-time-s 5 --threads 1` on the run's model file (GET /api/runs/ID's model_path) for its
   batch-1 p50.
5. Prints a Markdown table and the overhead of HTTP at one client: the client's p50 minus
   infer's p50 (target: under 0.5 ms); --json PATH also writes every figure as JSON.
6. Profiles one client: the p50 by the request's place on its keep-alive connection, and the
   same loop on requests that stop at successive steps of the handler (a 404 after routing,
   a 400 after the run's lookup, a full prediction).

The server runs one forward pass per model at a time (docs/serving.md): with several
clients, a request's latency includes its wait for the model, which queue_ms shows. Client and
server share this machine's cores, so the client's own Python time is in its figures too.
"""

import argparse
import datetime
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_bench_util as util  # noqa: E402

SUITE_NAME = "serve_latency"
SUITE = """# Written by bench/serve_latency.py: one small cnn cell whose saved model the benchmark serves.
suite: %s
dataset: {name: fashion_mnist, train_size: 2000, test_size: 500}
defaults:
  model: cnn
  epochs: 1
  batch_size: 64
  lr: 0.002
  seed: 42
  threads: 1
repetitions: 1
inference: {batch_sizes: [1], min_time_s: 1, warmup_iterations: 10, min_iterations: 100}
""" % SUITE_NAME


class Client:
    """One client: a persistent HTTPConnection, reconnecting when the server closes it."""

    def __init__(self, port, path):
        self.port = port
        self.path = path
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connects_ms = []       # every connect, the first included
        self.requests_on_connection = []  # requests each closed connection carried
        self.on_this = 0
        self.server_closes = 0      # responses with Connection: close
        self.stale = 0              # a reused connection found closed: request sent again
        self.failures = []

    def _connect(self):
        if self.on_this:
            self.requests_on_connection.append(self.on_this)
        self.on_this = 0
        t0 = time.perf_counter()
        self.connection.connect()
        self.connects_ms.append(1000 * (time.perf_counter() - t0))

    def post(self, body, method="POST", path=None, expect=200):
        """One request: (client ms, response JSON, its place on the connection: 0 for the
        first) or (None, None, None) on a failure."""
        for attempt in (0, 1):
            if self.connection.sock is None:
                self._connect()
            position = self.on_this
            t0 = time.perf_counter()
            try:
                self.connection.request(method, path or self.path, body=body,
                                        headers={"Content-Type": "application/json"} if body else {})
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                # The server closed a kept-alive connection between two requests (its idle
                # timeout): send the request again on a new one, once.
                self.connection.close()
                if attempt == 0 and self.on_this > 0:
                    self.stale += 1
                    self.on_this = 0
                    continue
                self.failures.append(repr(error))
                return None, None, None
            elapsed = 1000 * (time.perf_counter() - t0)
            self.on_this += 1
            if response.will_close:
                self.server_closes += 1  # http.client has closed the socket: next request reconnects
            if response.status != expect:
                self.failures.append("HTTP %d: %s" % (response.status, data[:200]))
                return None, None, None
            return elapsed, json.loads(data), position
        return None, None, None

    def close(self):
        if self.on_this:
            self.requests_on_connection.append(self.on_this)
            self.on_this = 0
        self.connection.close()


def run_level(port, run_id, test_size, clients, per_client, offset=0):
    """CLIENTS threads, each doing PER_CLIENT predictions; returns the level's records."""
    path = "/api/models/%d/predict" % run_id
    made = [Client(port, path) for _ in range(clients)]
    records = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def work(k):
        client = made[k]
        client._connect()  # connected before the start: the first connect is not in the timing
        barrier.wait()
        for j in range(per_client):
            index = (offset + k * per_client + j) % test_size
            elapsed, answer, position = client.post(b'{"samples":[%d]}' % index)
            if elapsed is not None:
                records[k].append((elapsed, answer["latency_ms"], answer["queue_ms"], position))
        client.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    flat = [r for rs in records for r in rs]
    return {
        "clients": clients, "requests_per_client": per_client, "requests": len(flat), "wall_s": wall,
        "throughput_per_s": len(flat) / wall if wall > 0 else None,
        "client_ms": [r[0] for r in flat], "server_latency_ms": [r[1] for r in flat],
        "queue_ms": [r[2] for r in flat], "position": [r[3] for r in flat],
        "failures": sum(len(c.failures) for c in made),
        "failure_examples": [f for c in made for f in c.failures][:5],
        "reconnects": sum(len(c.connects_ms) - 1 for c in made),
        "reconnect_ms": [ms for c in made for ms in c.connects_ms[1:]],
        "server_closes": sum(c.server_closes for c in made),
        "stale_retries": sum(c.stale for c in made),
        "requests_per_connection": [n for c in made for n in c.requests_on_connection],
    }


def by_position(times, positions):
    """p50 of TIMES per place on the connection (0: first request on it)."""
    groups = {}
    for elapsed, position in zip(times, positions):
        groups.setdefault(position, []).append(elapsed)
    return {position: {"requests": len(v), "p50_ms": util.median(v)} for position, v in sorted(groups.items())}


def summarize(level):
    p = util.percentile
    return {
        "client_p50_ms_by_position": by_position(level["client_ms"], level["position"]),
        "clients": level["clients"], "requests": level["requests"], "wall_s": level["wall_s"],
        "throughput_per_s": level["throughput_per_s"],
        "client_p50_ms": p(level["client_ms"], 50), "client_p99_ms": p(level["client_ms"], 99),
        "server_latency_p50_ms": p(level["server_latency_ms"], 50),
        "server_latency_p99_ms": p(level["server_latency_ms"], 99),
        "queue_p50_ms": p(level["queue_ms"], 50), "queue_p99_ms": p(level["queue_ms"], 99),
        "failures": level["failures"], "failure_examples": level["failure_examples"],
        "reconnects": level["reconnects"], "reconnect_p50_ms": p(level["reconnect_ms"], 50),
        "reconnect_max_ms": max(level["reconnect_ms"]) if level["reconnect_ms"] else None,
        "server_closes": level["server_closes"], "stale_retries": level["stale_retries"],
        "max_requests_per_connection": max(level["requests_per_connection"] or [0]),
    }


def profile_steps(port, run_id, test_size, requests):
    """Where a prediction's time goes, from outside: the same client loop on three requests that
    stop at successive steps of the server's handler. Each step's p50 is given for the first
    request on a connection and for the later ones (kept alive)."""
    predict = "/api/models/%d/predict" % run_id
    steps = [
        ("floor", "HTTP only: GET of an unknown route (404 JSON error)", "GET", "/api/no-such-route",
         lambda i: None, 404),
        ("lookup", "+ the run's row read from the store and its model file checked: POST predict "
         "with a malformed body (400)", "POST", predict, lambda i: b'{"samples":[', 400),
        ("predict", "+ parse, meters read before and after, forward pass, response: POST predict "
         "{\"samples\":[i]} (200)", "POST", predict, lambda i: b'{"samples":[%d]}' % (i % test_size), 200),
    ]
    out = []
    for key, what, method, path, body, expect in steps:
        client = Client(port, path)
        first, later, server = [], [], []
        for i in range(requests):
            elapsed, answer, position = client.post(body(i), method=method, path=path, expect=expect)
            if elapsed is None:
                continue
            (first if position == 0 else later).append(elapsed)
            if expect == 200:
                server.append(answer["latency_ms"])
        client.close()
        out.append({"step": key, "what": what, "requests": len(first) + len(later),
                    "failures": len(client.failures), "first_on_connection_p50_ms": util.median(first),
                    "later_on_connection_p50_ms": util.median(later),
                    "server_latency_p50_ms": util.median(server)})
    return out


def find_model(port):
    models = util.get_json(port, "/api/models")["models"]
    mine = [m for m in models if m.get("suite") == SUITE_NAME] or models
    if not mine:
        raise RuntimeError("GET /api/models lists no saved model")
    return mine[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True, help="the carbonbench binary")
    parser.add_argument("--work", help="folder for the store, models, logs (kept; reused when it holds the run)")
    parser.add_argument("--json", help="also write the figures here as JSON")
    parser.add_argument("--seconds", type=float, default=15, help="about how long each client count runs")
    parser.add_argument("--clients", default="1,4,16", help="client counts, comma-separated")
    parser.add_argument("--warmup", type=int, default=50, help="untimed predictions first")
    parser.add_argument("--infer-seconds", type=float, default=5, help="infer's --min-time-s")
    parser.add_argument("--profile-requests", type=int, default=300,
                        help="requests per step of the one-client profile")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    levels = [int(x) for x in args.clients.split(",") if x.strip()]
    if args.work:
        work = os.path.abspath(args.work)
        os.makedirs(work, exist_ok=True)
    else:
        results = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
        os.makedirs(results, exist_ok=True)
        work = tempfile.mkdtemp(prefix="serve_latency_", dir=results)
    store = os.path.join(work, "serve_latency.db")
    log_path = os.path.join(work, "log.txt")
    started_at = datetime.datetime.now().astimezone()
    out = {"benchmark": "serve_latency", "date": started_at.isoformat(timespec="seconds"),
           "machine": util.machine(), "binary": binary, "work": work, "notes": []}
    print("# carbonbench serve: prediction latency (%s, %s, %d cores)" % (
        started_at.strftime("%Y-%m-%d %H:%M"), out["machine"]["cpu"], out["machine"]["cores"]))

    # 1. The store.
    have_run = False
    if os.path.exists(store):
        import sqlite3
        db = sqlite3.connect("file:%s?mode=ro" % store, uri=True)
        have_run = db.execute("SELECT count(*) FROM runs WHERE suite = ? AND status = 'finished' "
                              "AND model_path != ''", (SUITE_NAME,)).fetchone()[0] > 0
        db.close()
    if have_run:
        print("store: %s (reused)" % store)
    else:
        suite_path = os.path.join(work, SUITE_NAME + ".yaml")
        with open(suite_path, "w") as f:
            f.write(SUITE)
        seconds = util.run_suite(binary, suite_path, store, os.path.join(work, "reports"),
                                 os.path.join(work, "models"), log_path)
        print("store: %s (suite %s run in %.1f s)" % (store, SUITE_NAME, seconds))

    busy, warning = util.quiet_check()
    out["busy_before"] = busy
    if warning:
        print(warning)
        out["notes"].append(warning)

    # 2. The server.
    server = util.Server(binary, store, ["--threads", "1"], log_path=log_path,
                         reports_dir=os.path.join(work, "reports"))
    try:
        server.wait_ready("/api/suites")
        model = find_model(server.port)
        run_id = model["run_id"]
        run = util.get_json(server.port, "/api/runs/%d" % run_id)
        model_path = run["model_path"]
        t0 = time.perf_counter()
        sample = util.get_json(server.port, "/api/models/%d/samples/0" % run_id)  # loads model and data
        load_s = time.perf_counter() - t0
        test_size = int(sample["test_size"])
        print("serving on port %d: run %d (%s, %s), model %s, test split %d; first request "
              "(loads the model and its data) %.2f s" % (server.port, run_id, model.get("cell"),
                                                         model.get("dataset"), model_path, test_size, load_s))
        out.update(run_id=run_id, model_path=model_path, test_size=test_size, model_load_s=load_s)
        warm = run_level(server.port, run_id, test_size, 1, args.warmup)
        if warm["failures"]:
            raise RuntimeError("warm-up predictions failed: %s" % warm["failure_examples"])

        results = []
        for clients in levels:
            # A short pilot sets N so the level takes about --seconds.
            pilot_n = max(5, int(1.0 * warm["throughput_per_s"] / clients))
            pilot = run_level(server.port, run_id, test_size, clients, pilot_n)
            per_client = max(20, int(args.seconds * pilot["throughput_per_s"] / clients))
            level = run_level(server.port, run_id, test_size, clients, per_client, offset=7919 * clients)
            summary = summarize(level)
            results.append(summary)
            print("  %2d clients: %d requests in %.1f s, %.0f/s, client p50 %.3f ms, p99 %.3f ms, "
                  "server latency_ms p50 %.3f, queue_ms p50 %.3f, %d failures, %d reconnects" % (
                      clients, summary["requests"], summary["wall_s"], summary["throughput_per_s"],
                      summary["client_p50_ms"], summary["client_p99_ms"], summary["server_latency_p50_ms"],
                      summary["queue_p50_ms"], summary["failures"], summary["reconnects"]))
        out["levels"] = results
        out["profile"] = profile_steps(server.port, run_id, test_size, args.profile_requests)
    finally:
        server.stop()

    # 4. infer on the same file, with the server stopped.
    infer_json = os.path.join(work, "infer.json")
    command = [binary, "--store", store, "--reports-dir", os.path.join(work, "reports"), "infer",
               "--model-file", model_path, "--batch-sizes", "1", "--min-time-s", str(args.infer_seconds),
               "--threads", "1", "--json", infer_json]
    with open(log_path, "ab") as log:
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if code != 0:
        raise RuntimeError("`%s` exited %d; see %s" % (" ".join(command), code, log_path))
    with open(infer_json) as f:
        infer = json.load(f)
    batch1 = next(row for row in infer["inference"] if row["batch_size"] == 1)
    out["infer"] = {"p50_ms": batch1["p50_ms"], "p99_ms": batch1.get("p99_ms"),
                    "iterations": batch1.get("iterations"), "command": " ".join(command)}

    # 5. The table.
    one = next((r for r in results if r["clients"] == 1), None)
    print()
    print("| clients | requests | throughput (req/s) | client p50 (ms) | client p99 (ms) | "
          "server latency_ms p50 | server latency_ms p99 | queue_ms p50 | queue_ms p99 | failures |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print("| %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %d |" % (
            r["clients"], r["requests"], r["throughput_per_s"], util.fmt_ms(r["client_p50_ms"], 3),
            util.fmt_ms(r["client_p99_ms"], 3), util.fmt_ms(r["server_latency_p50_ms"], 3),
            util.fmt_ms(r["server_latency_p99_ms"], 3), util.fmt_ms(r["queue_p50_ms"], 3),
            util.fmt_ms(r["queue_p99_ms"], 3), r["failures"]))
    print("| infer, batch 1 | %s | | %s | %s | | | | | |" % (
        batch1.get("iterations", ""), util.fmt_ms(batch1["p50_ms"], 3), util.fmt_ms(batch1.get("p99_ms"), 3)))
    print()
    if one:
        overhead = one["client_p50_ms"] - batch1["p50_ms"]
        out["overhead_1_client_ms"] = overhead
        out["overhead_target_ms"] = 0.5
        out["overhead_met"] = overhead < 0.5
        in_server = one["server_latency_p50_ms"] - batch1["p50_ms"]
        outside = one["client_p50_ms"] - one["server_latency_p50_ms"]
        out["overhead_split_ms"] = {"forward_in_server_minus_infer": in_server,
                                    "client_minus_server_latency": outside}
        print("Overhead at 1 client: HTTP p50 %.3f ms - infer p50 %.3f ms = %.3f ms (target under 0.5 ms: %s)." % (
            one["client_p50_ms"], batch1["p50_ms"], overhead, "met" if overhead < 0.5 else "MISSED"))
        print("  of which the server's latency_ms p50 over infer's p50: %+.3f ms (latency_ms also holds the "
              "sample's input preparation, which infer does before its clock); the rest, client p50 - "
              "server latency_ms p50 = %.3f ms, is outside the forward pass: HTTP, the run's lookup, "
              "the meter reads around the pass, the response's JSON, the Python client (steps below)."
              % (in_server, outside))
    if one:
        positions = one["client_p50_ms_by_position"]
        print()
        print("At 1 client, client p50 by the request's place on its keep-alive connection:")
        print()
        print("| request on the connection | " + " | ".join("%d%s" % (k + 1, " (first)" if k == 0 else "")
                                                       for k in positions) + " |")
        print("|---|" + "---:|" * len(positions))
        print("| client p50 (ms) | " + " | ".join(util.fmt_ms(v["p50_ms"], 3) for v in positions.values()) + " |")
        print("| requests | " + " | ".join(str(v["requests"]) for v in positions.values()) + " |")
    print()
    print("Where the time goes at 1 client (each step adds to the one before; %d requests each):"
          % args.profile_requests)
    print()
    print("| step | first on a connection, p50 (ms) | later on a kept-alive connection, p50 (ms) | server latency_ms p50 |")
    print("|---|---:|---:|---:|")
    for step in out["profile"]:
        print("| %s | %s | %s | %s |" % (step["what"], util.fmt_ms(step["first_on_connection_p50_ms"], 3),
                                         util.fmt_ms(step["later_on_connection_p50_ms"], 3),
                                         util.fmt_ms(step["server_latency_p50_ms"], 3)))
    print()
    closes = sum(r["server_closes"] for r in results)
    reconnects = sum(r["reconnects"] for r in results)
    stale = sum(r["stale_retries"] for r in results)
    per_conn = max((r["max_requests_per_connection"] for r in results), default=0)
    recon_ms = [r["reconnect_p50_ms"] for r in results if r["reconnect_p50_ms"] is not None]
    if reconnects:
        note = ("Keep-alive: the server closed each connection after at most %d requests "
                "(cpp-httplib's CPPHTTPLIB_KEEPALIVE_MAX_COUNT, 5 by default; %d responses said "
                "Connection: close, %d idle connections were found closed and the request resent); "
                "the clients reconnected %d times (connect p50 %.3f ms at 1 client), not counted "
                "in the latencies nor as failures." % (per_conn, closes, stale, reconnects,
                                                        recon_ms[0] if recon_ms else float("nan")))
    else:
        note = "Keep-alive: no connection was closed by the server (%d requests on the longest)." % per_conn
    print(note)
    out["notes"].append(note)
    print("Machine: %s, %d cores; client and server share them (Python client threads, %s)." % (
        out["machine"]["cpu"], out["machine"]["cores"], out["machine"]["python"]))
    if warning:
        print(warning)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
        print("figures written to %s" % args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
