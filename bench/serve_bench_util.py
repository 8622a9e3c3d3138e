"""Shared pieces of the `carbonbench serve` benchmarks (serve_latency.py, serve_first_page.py).

Standard library only. Starts and stops a server, times plain HTTP requests the way curl
would (a fresh connection each, connect and first byte apart), computes percentiles, says
how busy the machine was before a measurement, and replicates a store's real runs into a
store of any size for the explorer's page-load benchmark.
"""

import hashlib
import http.client
import json
import os
import platform
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.parse

SERVING = re.compile(r"serving .* on http://([0-9.]+|\[[0-9a-f:]+\]|localhost):(\d+)/")


def percentile(values, q):
    """The q-th percentile (0-100) of VALUES, interpolated between the two nearest ranks
    (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values):
    return percentile(values, 50)


def fmt_ms(value, digits=2):
    return "—" if value is None else "%.*f" % (digits, value)


def cpu_times():
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields), idle


def busy_share(seconds=1.0):
    """The share of all CPUs busy over SECONDS (0-1): taken before a measurement, it says
    whether something else (a build, another benchmark) shares the machine."""
    total0, idle0 = cpu_times()
    time.sleep(seconds)
    total1, idle1 = cpu_times()
    if total1 == total0:
        return 0.0
    return 1.0 - (idle1 - idle0) / float(total1 - total0)


def machine():
    """What the figures were measured on."""
    model = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "os": "%s %s" % (platform.system(), platform.release()),
            "python": platform.python_version()}


def quiet_check(seconds=2.0):
    """Busy share of the CPUs just before a measurement, with a warning line when
    something else is running (over 15% of the machine)."""
    share = busy_share(seconds)
    note = None
    if share > 0.15:
        note = ("warning: %.0f%% of the CPUs were busy before this measurement (another program "
                "is running): the figures are inflated; rerun on a quiet machine" % (100 * share))
    return share, note


class Server:
    """`carbonbench serve` on a free port of 127.0.0.1, started and stopped by us."""

    def __init__(self, binary, store, args=(), log_path=None, reports_dir=None, timeout=120):
        command = [binary, "serve", "--store", store, "--port", "0"] + list(args)
        if reports_dir:
            command += ["--reports-dir", reports_dir]
        self.command = command
        self.log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        started = time.monotonic()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log,
                                        stdin=subprocess.DEVNULL)
        self.port = None
        buffer = b""
        deadline = started + timeout
        while self.port is None:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("`%s` printed no `serving ... on http://HOST:PORT/` line%s" % (
                    " ".join(command), " (it exited %s)" % self.process.returncode
                    if self.process.returncode is not None else " in %d s" % timeout))
            if select.select([self.process.stdout], [], [], min(left, 0.5))[0]:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    continue
                buffer += chunk
                found = SERVING.search(buffer.decode("utf-8", "replace"))
                if found:
                    self.port = int(found.group(2))
        self.bound_s = time.monotonic() - started
        # Drain stdout so the server never blocks on a full pipe.
        self.drainer = threading.Thread(target=self._drain, daemon=True)
        self.drainer.start()
        self.url = "http://127.0.0.1:%d" % self.port

    def _drain(self):
        try:
            while os.read(self.process.stdout.fileno(), 4096):
                pass
        except (OSError, ValueError):
            pass

    def wait_ready(self, path="/api/suites", timeout=60):
        """Polls PATH until it answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, _, _ = get(self.port, path, timeout=10)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("%s%s did not answer 200 in %d s" % (self.url, path, timeout))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()
            self.log = subprocess.DEVNULL


def get(port, path, timeout=60):
    """One GET on a fresh connection: (status, body bytes, headers)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def get_json(port, path, timeout=120):
    status, body, _ = get(port, path, timeout)
    if status != 200:
        raise RuntimeError("GET %s: HTTP %d: %s" % (path, status, body[:300].decode("utf-8", "replace")))
    return json.loads(body)


def timed_get(port, path, timeout=120, accept_encoding="identity"):
    """One GET the way `curl -w` times it, on a fresh connection: connect, first byte and
    total in ms, with the status, the body's size as sent and its Content-Encoding.
    ACCEPT_ENCODING: identity (curl without --compressed) or what a browser sends."""
    t0 = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.connect()
    t_connect = time.perf_counter()
    connection.request("GET", path, headers={"Accept-Encoding": accept_encoding})
    response = connection.getresponse()  # status line and headers read: the first byte came
    t_first = time.perf_counter()
    body = response.read()
    t_total = time.perf_counter()
    connection.close()
    return {"path": path, "status": response.status, "bytes": len(body),
            "content_encoding": response.getheader("Content-Encoding") or "identity",
            "connect_ms": 1000 * (t_connect - t0), "first_byte_ms": 1000 * (t_first - t0),
            "total_ms": 1000 * (t_total - t0)}


def quote(name):
    return urllib.parse.quote(name, safe="")


def run_suite(binary, suite_path, store, reports_dir, models_dir, log_path):
    """`carbonbench run SUITE` into STORE; raises with the log's tail when it fails."""
    command = [binary, "--store", store, "--reports-dir", reports_dir, "run", suite_path,
               "--models-dir", models_dir]
    started = time.monotonic()
    with open(log_path, "ab") as log:
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if code != 0:
        with open(log_path, "rb") as log:
            tail = log.read()[-3000:].decode("utf-8", "replace")
        raise RuntimeError("`%s` exited %d:\n%s" % (" ".join(command), code, tail))
    return time.monotonic() - started


# ---------------------------------------------------------------------------------------------
# Replicating real runs


def _columns(db, table):
    return [row[1] for row in db.execute("PRAGMA table_info(%s)" % table)]


def _unit(*parts):
    """A deterministic number in [-1, 1) from PARTS."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / float(1 << 63) - 1.0


def replicate_store(source, target, layout, jitter=0.03):
    """Copies the store SOURCE to TARGET (schema and meta table as they are, so `serve` opens
    it) and replaces its runs with replicas of SOURCE's finished runs.

    LAYOUT is a list of (suite name, cells, repetitions): cell c of a suite is a replica of
    real cell c mod R (R real cells, in id order), with its own config hash and, past the
    first R, a name ending in /vK; each repetition is a copy of that real cell's first run with
    a fresh repetition number, seed and id, with its epochs and inference rows. With JITTER
    above 0 each replica's times, energy and CO2 are scaled by a deterministic factor in
    [1 - JITTER, 1 + JITTER] and its accuracy moved by up to JITTER points x 0.1, so the
    report's statistics see a run-to-run spread, as real repetitions have; 0 keeps exact copies.
    Returns the number of runs written."""
    if os.path.exists(target):
        os.remove(target)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    src = sqlite3.connect("file:%s?mode=ro" % source, uri=True)
    dst = sqlite3.connect(target)
    src.backup(dst)  # schema, meta (schema_version) and all, consistent even under WAL
    src.close()

    run_cols = _columns(dst, "runs")
    epoch_cols = _columns(dst, "epochs")
    inference_cols = _columns(dst, "inference")
    dst.row_factory = sqlite3.Row
    real = [dict(row) for row in dst.execute(
        "SELECT * FROM runs WHERE status = 'finished' AND superseded_at = '' ORDER BY id")]
    cells, seen = [], set()
    for run in real:  # each real cell's first run, in id order
        key = (run["cell_name"], run["config_hash"])
        if key not in seen:
            seen.add(key)
            cells.append(run)
    if not cells:
        raise RuntimeError("%s holds no finished run to replicate" % source)
    epochs = {run["id"]: [dict(r) for r in dst.execute(
        "SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch", (run["id"],))] for run in cells}
    inference = {run["id"]: [dict(r) for r in dst.execute(
        "SELECT * FROM inference WHERE run_id = ? ORDER BY batch_size", (run["id"],))] for run in cells}

    dst.execute("DELETE FROM inference")
    dst.execute("DELETE FROM epochs")
    dst.execute("DELETE FROM runs")
    for table in ("search_trials", "search_studies"):
        dst.execute("DELETE FROM %s" % table)
    scaled_run = ("duration_s", "energy_wh", "co2_g", "energy_band_wh", "idle_energy_wh", "cold_start_s")
    scaled_epoch = ("train_s", "eval_s", "data_s", "energy_wh", "co2_g", "energy_band_wh")
    scaled_inference = ("mean_ms", "p50_ms", "p90_ms", "p99_ms", "energy_wh", "co2_g",
                        "energy_wh_per_1000", "energy_band_wh")
    insert_run = "INSERT INTO runs (%s) VALUES (%s)" % (
        ", ".join(run_cols), ", ".join("?" for _ in run_cols))
    insert_epoch = "INSERT INTO epochs (%s) VALUES (%s)" % (
        ", ".join(epoch_cols), ", ".join("?" for _ in epoch_cols))
    insert_inference = "INSERT INTO inference (%s) VALUES (%s)" % (
        ", ".join(inference_cols), ", ".join("?" for _ in inference_cols))
    next_id = 1
    written = 0
    for suite, cell_count, repetitions in layout:
        for c in range(cell_count):
            base = cells[c % len(cells)]
            variant = c // len(cells)
            name = base["cell_name"] + ("/v%d" % variant if variant else "")
            config_hash = (base["config_hash"] if variant == 0 else
                           hashlib.sha256(("%s/v%d" % (base["config_hash"], variant)).encode())
                           .hexdigest()[:len(base["config_hash"])])
            for rep in range(repetitions):
                run = dict(base)
                factor = 1.0 + jitter * _unit(suite, c, rep, "time")
                accuracy_shift = 0.1 * jitter * _unit(suite, c, rep, "accuracy")
                run.update(id=next_id, suite=suite, cell_name=name, config_hash=config_hash,
                           repetition=rep, seed=base["seed"] + rep)
                for key in scaled_run:
                    if key in run and run[key] is not None:
                        run[key] = run[key] * factor
                for key in ("final_accuracy", "best_accuracy"):
                    if run.get(key):
                        run[key] = min(1.0, max(0.0, run[key] + accuracy_shift))
                dst.execute(insert_run, [run[k] for k in run_cols])
                for epoch in epochs[base["id"]]:
                    row = dict(epoch, run_id=next_id)
                    for key in scaled_epoch:
                        if key in row and row[key] is not None:
                            row[key] = row[key] * factor
                    if row.get("test_accuracy"):
                        row["test_accuracy"] = min(1.0, max(0.0, row["test_accuracy"] + accuracy_shift))
                    dst.execute(insert_epoch, [row[k] for k in epoch_cols])
                for figure in inference[base["id"]]:
                    row = dict(figure, run_id=next_id)
                    for key in scaled_inference:
                        if key in row and row[key] is not None:
                            row[key] = row[key] * factor
                    if row.get("throughput_per_s"):
                        row["throughput_per_s"] = row["throughput_per_s"] / factor
                    dst.execute(insert_inference, [row[k] for k in inference_cols])
                next_id += 1
                written += 1
    dst.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'runs'", (next_id - 1,))
    dst.commit()
    dst.execute("VACUUM")
    dst.close()
    return written, len(cells)


def which_chromium():
    return next((shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None)
