"""An Optuna study served over standard input and output for carbonbench.

carbonbench's search (harness/src/search/study_client.cpp) starts this script
with Python and speaks to it in line-delimited JSON: one request object per
line on standard input, exactly one reply object per line on standard output.
Optuna samples the parameters, prunes and keeps the study in a journal file;
carbonbench runs the trials. Logs go to standard error only.

Every reply is {"ok": true, ...} or {"ok": false, "error": "message"}; a
malformed line or an unknown op is answered with an error and the driver
keeps serving.

On start, when Optuna cannot be imported, the driver reads nothing, writes
    {"ok": false, "error": "optuna_missing", "detail": "<ImportError text>"}
and exits with status 3.

Requests ("op"):
  open  {"journal": PATH, "study": NAME, "directions": ["minimize"|"maximize", ...],
         "sampler": {"name": "tpe"|"random"|"nsga2", "seed": int|null},
         "pruner": {"name": "median"|"hyperband"|"none", "startup_trials": int,
                    "warmup_epochs": int, "min_epochs": int,
                    "max_epochs": int|null, "reduction_factor": int},
         "distributions": {KEY: {"float": [lo, hi], "log": bool}
                              | {"int": [lo, hi], "step": n, "log": bool}
                              | {"choice": [label, ...]}}}
        Creates the study or loads it (a journal left by an earlier search);
        PATH.flock beside the journal is its write lock.
        -> {"optuna": VERSION, "trials": [{"number": n, "state": "COMPLETE"|"PRUNED"|
            "FAIL"|"RUNNING"|"WAITING", "params": {KEY: value or label},
            "values": [...]|null}]}
        A RUNNING trial (its search was killed) can still be reported to and told.
  ask   -> {"number": n, "params": {KEY: value or label}}
  report {"number": n, "step": epoch, "value": v}   (single objective)
        -> {"prune": bool}: whether the pruner stops the trial
  tell  {"number": n, "state": "complete"|"pruned"|"fail", "values": [...]}
        -> {"state": STATE}: the trial's state after it (Optuna fails a
           complete trial whose values are not finite numbers)
  importances
        -> {"importances": {KEY: share}}, or an error saying why not (the
           first objective's for two objectives)
  close -> {} and the driver exits 0 (as it does at the end of its input)

Values that are not finite numbers are written as null and read from null.
"""

import fcntl
import importlib.util
import json
import math
import os
import sys
import warnings

try:
    import optuna
except ImportError as error:
    print(json.dumps({"ok": False, "error": "optuna_missing", "detail": str(error)}), flush=True)
    sys.exit(3)

from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.storages import JournalFileStorage, JournalStorage
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.WARNING)  # its handler writes to stderr
warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # JournalStorage's


class RequestError(Exception):
    pass


class FlockLock:
    """The journal's write lock as an flock on PATH, which the kernel releases
    when its holder dies: Optuna 3.1's own locks (a symlink or a file), left
    by a search killed while writing, would block every later open."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def acquire(self):
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return True

    def release(self):
        fcntl.flock(self.fd, fcntl.LOCK_UN)


def drop_partial_last_line(journal, lock):
    """A write cut short by a killed search leaves a last line without its
    end, to which Optuna would join the next log, making both unreadable."""
    if not os.path.exists(journal):
        return
    lock.acquire()
    try:
        with open(journal, "rb+") as f:
            data = f.read()
            if data and not data.endswith(b"\n"):
                f.truncate(data.rfind(b"\n") + 1)
    finally:
        lock.release()


def finite_or_none(value):
    return value if value is None or math.isfinite(value) else None


def number_or_nan(value):
    return float("nan") if value is None else float(value)


def make_distribution(spec):
    log = bool(spec.get("log", False))
    if "float" in spec:
        low, high = spec["float"]
        return FloatDistribution(float(low), float(high), log=log)
    if "int" in spec:
        low, high = spec["int"]
        return IntDistribution(int(low), int(high), log=log, step=int(spec.get("step", 1)))
    if "choice" in spec:
        return CategoricalDistribution(list(spec["choice"]))
    raise RequestError(f"a distribution needs float, int or choice: {json.dumps(spec)}")


def make_sampler(spec):
    name, seed = spec.get("name", "tpe"), spec.get("seed")
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    raise RequestError(f"unknown sampler {name!r} (tpe, random or nsga2)")


def make_pruner(spec):
    name = spec.get("name", "none")
    if name == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=int(spec.get("startup_trials", 5)),
            n_warmup_steps=int(spec.get("warmup_epochs", 0)),
        )
    if name == "hyperband":
        max_epochs = spec.get("max_epochs")
        return optuna.pruners.HyperbandPruner(
            min_resource=int(spec.get("min_epochs", 1)),
            max_resource="auto" if max_epochs is None else int(max_epochs),
            reduction_factor=int(spec.get("reduction_factor", 3)),
        )
    if name == "none":
        return optuna.pruners.NopPruner()
    raise RequestError(f"unknown pruner {name!r} (median, hyperband or none)")


def describe_trial(frozen):
    return {
        "number": frozen.number,
        "state": frozen.state.name,
        "params": frozen.params,
        "values": None if frozen.values is None else [finite_or_none(v) for v in frozen.values],
    }


class Driver:
    def __init__(self):
        self.study = None
        self.distributions = {}
        self.trials = {}  # number -> optuna.trial.Trial, for unfinished trials

    def open(self, request):
        journal = request["journal"]
        lock = FlockLock(journal + ".flock")
        drop_partial_last_line(journal, lock)
        storage = JournalStorage(JournalFileStorage(journal, lock_obj=lock))
        self.distributions = {
            key: make_distribution(spec) for key, spec in request["distributions"].items()
        }
        self.study = optuna.create_study(
            storage=storage,
            study_name=request["study"],
            load_if_exists=True,
            directions=request["directions"],
            sampler=make_sampler(request.get("sampler", {})),
            pruner=make_pruner(request.get("pruner", {})),
        )
        frozen_trials = self.study.get_trials(deepcopy=False)
        for frozen in frozen_trials:
            if not frozen.state.is_finished():
                self.trials[frozen.number] = optuna.trial.Trial(self.study, frozen._trial_id)
        return {"optuna": optuna.__version__, "trials": [describe_trial(t) for t in frozen_trials]}

    def ask(self, request):
        trial = self.study.ask(self.distributions)
        self.trials[trial.number] = trial
        return {"number": trial.number, "params": trial.params}

    def trial(self, request):
        number = int(request["number"])
        if number not in self.trials:
            raise RequestError(f"trial {number} is not running in this study")
        return self.trials[number]

    def report(self, request):
        trial = self.trial(request)
        trial.report(number_or_nan(request["value"]), int(request["step"]))
        return {"prune": bool(trial.should_prune())}

    def tell(self, request):
        trial = self.trial(request)
        state = request["state"]
        if state == "complete":
            values = [number_or_nan(v) for v in request["values"]]
            frozen = self.study.tell(trial, values, skip_if_finished=False)
        elif state == "pruned":
            frozen = self.study.tell(trial, state=TrialState.PRUNED)
        elif state == "fail":
            frozen = self.study.tell(trial, state=TrialState.FAIL)
        else:
            raise RequestError(f"unknown trial state {state!r} (complete, pruned or fail)")
        del self.trials[trial.number]
        return {"state": frozen.state.name}

    def importances(self, request):
        if importlib.util.find_spec("sklearn") is None:  # Optuna's evaluators use it
            raise RequestError(
                "parameter importances need scikit-learn, which this Python cannot import: "
                "install it with `apt-get install python3-sklearn`"
            )
        complete = self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if len(complete) < 2:
            raise RequestError(
                f"parameter importances need at least two complete trials ({len(complete)} so far)"
            )
        target = None
        if len(self.study.directions) > 1:
            target = lambda t: t.values[0]  # noqa: E731  (the first objective's importances)
        found = optuna.importance.get_param_importances(self.study, target=target)
        return {"importances": {key: float(share) for key, share in found.items()}}


def handle(driver, line):
    """The reply to one request line, and whether it was the last."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as error:
        return {"ok": False, "error": f"not a JSON line: {error}"}, False
    op = request.get("op") if isinstance(request, dict) else None
    try:
        if op == "close":
            return {"ok": True}, True
        if op not in ("open", "ask", "report", "tell", "importances"):
            raise RequestError(f"unknown op {op!r}")
        if op != "open" and driver.study is None:
            raise RequestError(f"{op} before open")
        return {"ok": True, **getattr(driver, op)(request)}, False
    except KeyError as error:
        return {"ok": False, "error": f"the request lacks {error}"}, False
    except Exception as error:  # RequestError, or Optuna's own refusals
        return {"ok": False, "error": str(error) or type(error).__name__}, False


def serve():
    driver = Driver()
    for line in sys.stdin:
        if not line.strip():
            continue
        reply, done = handle(driver, line)
        sys.stdout.write(json.dumps(reply, allow_nan=False) + "\n")
        sys.stdout.flush()
        if done:
            return


if __name__ == "__main__":
    serve()
    sys.exit(0)
