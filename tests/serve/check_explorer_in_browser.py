#!/usr/bin/env python3
"""Drives the explorer of a running `carbonbench serve` in headless Chromium.

Opens the suite page (#/suite/NAME) and waits until the page says it rendered
(document.body.dataset.ready == "suite"), then checks that the leaderboard
table has a row naming one of the suite's cells (rows carry
data-config-hash), that the Pareto chart exists as a Chart.js instance
(window.carbonbench.charts.pareto) with at least one point, and that its
canvas has a size. Then it opens the playground (#/playground/RUN_ID), loads
a test sample through #sample-index and #sample-load, waits for its preview,
presses #predict-button and checks that the prediction shows a class (or a
regressor's value), an energy in Wh and its provenance (estimated or
measured).

  check_explorer_in_browser.py --url http://127.0.0.1:PORT --suite NAME [--run-id N]
  check_explorer_in_browser.py --binary CARBONBENCH [--work DIR]

With --binary it runs a small suite first (over generated data in
Fashion-MNIST's file layout), serves its store on a free port, checks it,
and stops the server with SIGTERM, which must end it cleanly.

Without --run-id the newest model of GET /api/models is used. Chromium is
driven through the DevTools protocol over --remote-debugging-pipe (fds 3 and
4, NUL-terminated JSON), so nothing beyond the standard library is needed.
Exits 0 when every check passes, 1 with what failed (the page's #error text
and its console errors included), 77 (CTest's skip code) when chromium is
missing: install it with `scripts/install_deps.sh --test`.
"""

import argparse
import base64
import fcntl
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

SKIP = 77


class Failure(Exception):
    """A check that did not hold; its message is what the reader sees."""


def get_json(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise Failure("GET %s: %d %s" % (url, error.code, error.read().decode("utf-8", "replace")))
    except (urllib.error.URLError, OSError) as error:
        raise Failure("GET %s: %s (is `carbonbench serve` running there?)" % (url, error))


class Browser:
    """Headless Chromium and one page of it, spoken to over the DevTools pipe."""

    def __init__(self, binary, work):
        # Chromium reads commands from fd 3 and writes answers to fd 4.
        self.commands_read, self.commands_write = os.pipe()
        self.answers_read, self.answers_write = os.pipe()
        child_read, child_write = self.commands_read, self.answers_write

        def place_pipe_fds():
            # Out of the way first, so placing one cannot overwrite the other; dup2 onto a
            # different number also makes the copy survive exec.
            high_read = fcntl.fcntl(child_read, fcntl.F_DUPFD, 10)
            high_write = fcntl.fcntl(child_write, fcntl.F_DUPFD, 10)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self.log_path = os.path.join(work, "chromium.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" +
             os.path.join(work, "profile"), "--window-size=1280,1000", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, close_fds=False,
            preexec_fn=place_pipe_fds, start_new_session=True)  # its own group: see close()
        os.close(child_read)
        os.close(child_write)
        self.buffer = b""
        self.next_id = 0
        self.session = None
        self.problems = []  # uncaught exceptions and console errors of the page

    def send(self, method, params=None, session=True, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        try:
            os.write(self.commands_write, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise Failure("chromium quit before %s; its log:\n%s" % (method, self.log_tail()))
        deadline = time.monotonic() + timeout
        while True:
            answer = self.receive(deadline, method)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise Failure("%s failed: %s" % (method, answer["error"]))
                return answer.get("result", {})
            self.note_event(answer)

    def receive(self, deadline, waiting_for):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.answers_read], [], [], left)[0]:
                raise Failure("chromium did not answer %s in time" % waiting_for)
            chunk = os.read(self.answers_read, 1 << 20)
            if not chunk:
                raise Failure("chromium quit during %s; its log:\n%s" % (waiting_for, self.log_tail()))
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def note_event(self, event):
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.problems.append("exception: %s" % (details.get("exception", {}).get("description")
                                                    or details.get("text")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.problems.append("console.%s: %s" % (params["type"], " ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            if entry.get("url", "").endswith("/favicon.ico"):
                return  # the browser asks for one on its own; the pages have none
            self.problems.append("%s: %s %s" % (entry.get("source"), entry.get("text"), entry.get("url", "")))

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                             session=False)
        self.session = attached["sessionId"]
        for domain in ("Runtime", "Page", "Log"):
            self.send(domain + ".enable")

    def navigate(self, url):
        """Opens URL. The route's ready mark is cleared first: a change of only the hash keeps
        the page, and its last mark, until the page's hashchange handler runs."""
        self.evaluate("document.body && delete document.body.dataset.ready")
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise Failure("opening %s: %s" % (url, result["errorText"]))

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise Failure("evaluating %s threw: %s" % (expression[:80], result["exceptionDetails"].get(
                "exception", {}).get("description", result["exceptionDetails"].get("text"))))
        return result["result"].get("value")

    def wait_for(self, condition, what, timeout):
        """Polls CONDITION (a JS expression) until true; fails early when the page shows an error."""
        deadline = time.monotonic() + timeout
        probe = ("(() => { if (document.body && document.body.dataset.error) return 'error';"
                 " try { return (%s) ? 'yes' : 'no'; } catch (e) { return 'no'; } })()" % condition)
        while time.monotonic() < deadline:
            state = self.evaluate(probe)
            if state == "yes":
                return
            if state == "error":
                raise Failure("the page shows an error while waiting for %s" % what)
            time.sleep(0.2)
        raise Failure("waited %d s for %s" % (timeout, what))

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as out:
            out.write(base64.b64decode(data["data"]))

    def log_tail(self):
        self.log.flush()
        with open(self.log_path, "rb") as log:
            return log.read()[-3000:].decode("utf-8", "replace")

    def close(self):
        try:
            if self.process.poll() is None:
                try:
                    self.send("Browser.close", session=False, timeout=5)
                except Failure:
                    pass
        finally:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            # Chromium's helpers (zygote, renderer, GPU) share its process group: none outlives the test.
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            for fd in (self.commands_write, self.answers_read):
                os.close(fd)
            self.log.close()


def check_suite(browser, args, cell_names):
    browser.navigate("%s/#/suite/%s" % (args.url, urllib.parse.quote(args.suite, safe="")))
    browser.wait_for("document.body.dataset.ready === 'suite'", "the suite page to render", args.timeout)
    found = browser.evaluate("""(() => {
      const rows = [...document.querySelectorAll('#leaderboard table.leaderboard tbody tr')];
      const chart = window.carbonbench && window.carbonbench.charts.pareto;
      const canvas = document.getElementById('pareto-chart');
      const box = canvas ? canvas.getBoundingClientRect() : {width: 0, height: 0};
      return {rows: rows.map(r => ({text: r.innerText, hash: r.dataset.configHash || ''})),
              chart: !!chart,
              points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
              canvas: canvas ? [canvas.width, canvas.height, box.width, box.height] : null};
    })()""")
    naming = [row for row in found["rows"] if any(name in row["text"] for name in cell_names)]
    if not naming:
        raise Failure("no leaderboard row names one of the cells %s (rows: %s)" %
                      (cell_names, [row["text"] for row in found["rows"]]))
    if not all(row["hash"] for row in found["rows"]):
        raise Failure("a leaderboard row has no data-config-hash")
    print("suite page: %d leaderboard rows, e.g. %r" % (len(found["rows"]),
                                                         " ".join(naming[0]["text"].split())[:100]))
    if not found["chart"] or found["points"] < 1:
        raise Failure("window.carbonbench.charts.pareto is %s with %d points" %
                      ("there" if found["chart"] else "missing", found["points"]))
    if not found["canvas"] or min(found["canvas"]) <= 0:
        raise Failure("the Pareto canvas #pareto-chart has no size: %s" % found["canvas"])
    print("suite page: Pareto chart with %d points on a %dx%d canvas" %
          (found["points"], found["canvas"][2], found["canvas"][3]))


def check_playground(browser, args, model):
    run_id = model["run_id"]
    browser.navigate("%s/#/playground/%d" % (args.url, run_id))
    browser.wait_for("document.body.dataset.ready === 'playground'", "the playground to render", args.timeout)
    chosen = browser.evaluate("document.getElementById('model-select').value")
    if chosen != str(run_id):
        raise Failure("#model-select shows run %s, not %d" % (chosen, run_id))
    index = args.sample_index
    browser.evaluate("document.getElementById('sample-index').value = '%d';"
                     "document.getElementById('sample-load').click()" % index)
    # Loading the first sample loads the model and its dataset: allow more time.
    browser.wait_for("document.body.dataset.sample === '%d'" % index, "test sample %d to load" % index,
                     args.timeout * 2)
    preview = {
        "image": """(() => { const c = document.getElementById('image-preview');
                     const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                     return d.some((v, i) => i % 4 !== 3 && v > 0); })()""",
        "series": "document.getElementById('values-input').value.trim().length > 0",
    }.get(model.get("input"), "document.getElementById('text-input').value.trim().length > 0")
    browser.wait_for(preview, "the preview of sample %d" % index, args.timeout)
    print("playground: run %d (%s, %s input), test sample %d previewed" %
          (run_id, model.get("cell"), model.get("input"), index))
    browser.evaluate("document.getElementById('predict-button').click()")
    browser.wait_for("document.body.dataset.predicted === '1'", "the prediction", args.timeout * 2)
    shown = browser.evaluate("""(() => {
      const answer = document.querySelector('#prediction .predicted-class, #prediction .predicted-value');
      return {answer: answer ? answer.textContent.trim() : '',
              text: document.getElementById('prediction').innerText};
    })()""")
    if not shown["answer"]:
        raise Failure("#prediction has no .predicted-class (or .predicted-value) text:\n%s" % shown["text"])
    energy = re.search(r"(\d[\d.]*(?:e[-+]?\d+)?)\s*Wh\b", shown["text"])
    if not energy:
        raise Failure("#prediction shows no energy in Wh:\n%s" % shown["text"])
    provenance = re.search(r"\b(estimated|measured)\b", shown["text"])
    if not provenance:
        raise Failure("#prediction does not say whether its energy is estimated or measured:\n%s" %
                      shown["text"])
    print("playground: predicted %r, energy %s Wh %s" % (shown["answer"], energy.group(1),
                                                           provenance.group(1)))


SUITE = """suite: explored
dataset: {name: fashion_mnist, path: %s}
defaults:
  model: cnn
  epochs: 2
  batch_size: 32
  lr: 0.01
  threads: 1
  cnn: {channels: 4, hidden: 16}
matrix:
  optimizations: [[], [early_stop]]
inference: {batch_sizes: [1], min_time_s: 0.05, min_iterations: 5, warmup_iterations: 1}
carbon: {region: FR}
"""


def serve_small_suite(binary, work):
    """Runs a small suite into WORK over generated data in Fashion-MNIST's
    file layout (the rendered-report check's generator), then starts
    `carbonbench serve` on a free port; returns the server and its URL."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "render"))
    from check_rendered_report import write_idx
    shutil.rmtree(work, ignore_errors=True)
    data = os.path.join(work, "data")
    os.makedirs(data)
    write_idx(data, "train", 384, 1)
    write_idx(data, "t10k", 128, 2)
    suite = os.path.join(work, "explored.yaml")
    with open(suite, "w") as out:
        out.write(SUITE % data)
    store = os.path.join(work, "results", "store.db")
    command = [binary, "--store", store, "--reports-dir", os.path.join(work, "reports"), "run", suite]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure("%s failed (%d):\n%s%s" % (" ".join(command), done.returncode,
                                                  done.stdout, done.stderr))
    server = subprocess.Popen([binary, "--store", store, "serve", "--port", "0", "--threads", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        server.kill()
        raise Failure("carbonbench serve did not say where it listens: %r%s" % (line, server.stdout.read()))
    return server, "http://127.0.0.1:%s" % match.group(1)


def stop_server(server):
    """SIGTERM ends the server cleanly: exit 0, after saying so."""
    server.send_signal(signal.SIGTERM)
    try:
        rest, _ = server.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        raise Failure("carbonbench serve did not stop within 20 s of SIGTERM")
    if server.returncode != 0 or "stopped" not in rest:
        raise Failure("carbonbench serve ended with %d on SIGTERM: %s" % (server.returncode, rest))
    print("server: stopped cleanly on SIGTERM")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="where carbonbench serve listens, http://127.0.0.1:PORT")
    parser.add_argument("--suite", help="a suite in the served store")
    parser.add_argument("--binary", help="carbonbench: run a small suite, serve it and check that")
    parser.add_argument("--work", help="folder for --binary's suite and store")
    parser.add_argument("--run-id", type=int, help="the model to try (default: the newest of GET /api/models)")
    parser.add_argument("--sample-index", type=int, default=1, help="the test sample to load and predict")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each page step")
    parser.add_argument("--screenshots", help="a folder to save suite.png and playground.png into")
    args = parser.parse_args()

    binary = next((shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None)
    if not binary:
        print("SKIP: chromium not installed; install the test packages with "
              "`sudo scripts/install_deps.sh --test` (Debian: apt-get install chromium)")
        return SKIP

    if not args.binary and not (args.url and args.suite):
        parser.error("give --url and --suite of a running server, or --binary to start one")
    work = tempfile.mkdtemp(prefix="carbonbench_explorer_")
    browser = None
    server = None
    try:
        if args.binary:
            server, args.url = serve_small_suite(args.binary, args.work or os.path.join(work, "suite"))
            args.suite = "explored"
        args.url = args.url.rstrip("/")
        suite = get_json("%s/api/suites/%s" % (args.url, urllib.parse.quote(args.suite, safe="")))
        cell_names = [cell["name"] for cell in suite.get("cells", [])]
        models = get_json(args.url + "/api/models").get("models", [])
        if args.run_id is None and not models:
            raise Failure("GET /api/models lists no saved model to try in the playground")
        model = next((m for m in models if args.run_id in (None, m["run_id"])), None)
        if model is None:
            raise Failure("run %d is not among the saved models of GET /api/models" % args.run_id)

        browser = Browser(binary, work)
        browser.open_page()
        check_suite(browser, args, cell_names)
        if args.screenshots:
            browser.screenshot(os.path.join(args.screenshots, "suite.png"))
        check_playground(browser, args, model)
        if args.screenshots:
            browser.screenshot(os.path.join(args.screenshots, "playground.png"))
        if browser.problems:
            raise Failure("the page logged errors")
        if server:
            browser.close()
            browser = None
            stop_server(server)
            server = None
        print("explorer: every check passed")
        return 0
    except Failure as failure:
        print("FAILED: %s" % failure)
        if browser:
            try:
                error = browser.evaluate("(document.getElementById('error') || {}).textContent || ''")
                if error:
                    print("  the page's #error: %s" % error)
            except Failure:
                pass
            for problem in browser.problems:
                print("  page: %s" % problem)
        return 1
    finally:
        if browser:
            browser.close()
        if server:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
