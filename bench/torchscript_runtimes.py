"""One architecture on two runtimes: cnn and resnet18 as carbonbench's C++ modules against
the same models exported from Python to TorchScript, fp32 and bf16.

Each round trains every (architecture, precision) pair once on each runtime, the two runtimes
back to back, through `carbonbench train` with the same seed and data; three rounds by default.
Training throughput is images per second of the epochs' training time (evaluation apart),
inference throughput the inference phase's at batch 64 (at least 0.5 s and 10 batches), both read from each
run's store; accuracy is the final test accuracy. The table gives the medians over the rounds,
and the TorchScript/C++ ratio of the medians.

    /usr/bin/python3 bench/torchscript_runtimes.py              # 3 rounds
    /usr/bin/python3 bench/torchscript_runtimes.py --rounds 1 --models cnn

Exports the twins into build/torchscript/ when missing (tools/export_torchscript.py).
Standard library only, besides the export's python3-torch.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TWINS = os.path.join(ROOT, "build", "torchscript")
RUNTIMES = ("C++ modules", "TorchScript")


def export_twin(model):
    path = os.path.join(TWINS, model + ".pt")
    if not os.path.exists(path):
        os.makedirs(TWINS, mode=0o755, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "export_torchscript.py"),
                        "--builtin", model, "--dataset", "fashion_mnist", "--out", path],
                       check=True)
    return path


def train(binary, work, model, runtime, bf16, args, index):
    """One `carbonbench train` run in its own store; returns its figures."""
    store = os.path.join(work, "run%d.db" % index)
    command = [binary, "--store", store, "--reports-dir", os.path.join(work, "reports"),
               "train", "--suite", "runtimes_bench",
               "--dataset", "fashion_mnist", "--train_size", str(args.train_size[model]),
               "--test_size", str(args.test_size), "--epochs", str(args.epochs),
               "--batch_size", "64", "--optimizer", "adam", "--lr", "0.002", "--seed", "42",
               "--threads", str(args.threads), "--models-dir", os.path.join(work, "models")]
    if runtime == "TorchScript":
        command += ["--model", "torchscript", "--set", "torchscript.path=" + export_twin(model)]
    else:
        command += ["--model", model]
    if bf16:
        command.append("--fp16")
    started = time.time()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.exit("run failed (%s):\n%s" % (" ".join(command), done.stdout[-3000:]))
    with sqlite3.connect(store) as db:
        run_id, accuracy, recorded_runtime = db.execute(
            "SELECT id, final_accuracy, runtime FROM runs WHERE status = 'finished'").fetchone()
        train_s = db.execute("SELECT SUM(train_s) FROM epochs WHERE run_id = ? AND phase = 'train'",
                             (run_id,)).fetchone()[0]
        infer = db.execute("SELECT throughput_per_s FROM inference WHERE run_id = ? AND "
                           "batch_size = 64", (run_id,)).fetchone()
    if recorded_runtime != runtime:
        sys.exit("the run recorded runtime %r, not %r" % (recorded_runtime, runtime))
    return {"train_per_s": args.train_size[model] * args.epochs / train_s,
            "infer_per_s": infer[0] if infer else None,
            "accuracy": 100.0 * accuracy, "wall_s": time.time() - started}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/release/bin/carbonbench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=["cnn", "resnet18"])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--cnn-train-size", type=int, default=4000)
    parser.add_argument("--resnet18-train-size", type=int, default=1000)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    args = parser.parse_args()
    args.train_size = {"cnn": args.cnn_train_size, "resnet18": args.resnet18_train_size}
    os.umask(0o022)  # carbonbench loads no code that group or others could change
    work = os.path.join(ROOT, "build", "torchscript_bench")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work, mode=0o755)
    results = {}
    index = 0
    for round_number in range(args.rounds):
        for model in args.models:
            for bf16 in (False, True):
                for runtime in RUNTIMES:
                    index += 1
                    figures = train(args.binary, work, model, runtime, bf16, args, index)
                    results.setdefault((model, bf16, runtime), []).append(figures)
                    print("round %d %-8s %-4s %-11s train %7.1f/s  infer64 %8.1f/s  acc %.2f%%"
                          % (round_number + 1, model, "bf16" if bf16 else "fp32", runtime,
                             figures["train_per_s"], figures["infer_per_s"] or 0,
                             figures["accuracy"]), file=sys.stderr, flush=True)
    print("| model | precision | runtime | train images/s | inference images/s (batch 64) "
          "| final accuracy % (each round) |")
    print("|---|---|---|---:|---:|---|")
    for model in args.models:
        for bf16 in (False, True):
            medians = {}
            for runtime in RUNTIMES:
                runs = results[(model, bf16, runtime)]
                medians[runtime] = (median([r["train_per_s"] for r in runs]),
                                    median([r["infer_per_s"] for r in runs]))
                print("| %s | %s | %s | %.1f | %.1f | %s |" % (
                    model, "bf16" if bf16 else "fp32", runtime, medians[runtime][0],
                    medians[runtime][1] or 0, ", ".join("%.2f" % r["accuracy"] for r in runs)))
            cpp, script = medians["C++ modules"], medians["TorchScript"]
            print("| %s | %s | TorchScript / C++ | %.2f× | %.2f× | |" % (
                model, "bf16" if bf16 else "fp32", script[0] / cpp[0],
                (script[1] or 0) / cpp[1] if cpp[1] else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
