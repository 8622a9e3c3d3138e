#!/usr/bin/python3
"""Checks tools/export_torchscript.py: what it writes loads back in libtorch's
format and computes what the Python model computes, the built-in twins have
exactly the parameters of carbonbench's own models (as `carbonbench describe`
counts them), and a model it cannot export is refused with the reason.

  check_export.py --binary CARBONBENCH --work DIR

Exits 77 (CTest's skip code) where Debian's python3-torch is missing: install
the test packages with `scripts/install_deps.sh --test`.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
EXPORTER = os.path.join(HERE, "..", "..", "tools", "export_torchscript.py")

USER_MODELS = '''
import torch
from torch import nn


class Small(nn.Module):
    def __init__(self, hidden=16, classes=3):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.head(self.body(x))


class OneScore(nn.Module):
    """Returns one number per sample, not one per class."""
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 8 * 8, 1)

    def forward(self, x):
        return self.fc(x.flatten(1))
'''


class Failure(Exception):
    pass


def export(*arguments):
    done = subprocess.run([sys.executable, EXPORTER, *arguments], capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def expect_export(*arguments):
    code, output = export(*arguments)
    if code != 0:
        raise Failure("export_torchscript.py %s failed (%d): %s" % (" ".join(arguments), code, output))
    return output


def expect_refusal(text, *arguments):
    code, output = export(*arguments)
    if code == 0 or text not in output:
        raise Failure("export_torchscript.py %s: expected a refusal saying %r, got (%d) %s"
                      % (" ".join(arguments), text, code, output))
    print("refused as expected: %s" % output.strip().splitlines()[-1])


def described_parameters(binary, model, shape, classes):
    done = subprocess.run([binary, "describe", model, "--input", *map(str, shape), "--classes", str(classes)],
                          capture_output=True, text=True)
    match = re.search(r"Total parameters: ([\d,]+)", done.stdout + done.stderr)
    if done.returncode != 0 or not match:
        raise Failure("carbonbench describe %s failed: %s%s" % (model, done.stdout, done.stderr))
    return int(match.group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("SKIP: python3-torch is not installed: `sudo scripts/install_deps.sh --test`")
        return SKIP
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    try:
        # The twins have the built-in models' parameters, exactly.
        for model, dataset, shape in (("cnn", "fashion_mnist", (1, 28, 28)),
                                      ("resnet18", "cifar10", (3, 32, 32))):
            out = os.path.join(args.work, model + ".pt")
            line = expect_export("--builtin", model, "--dataset", dataset, "--out", out)
            exported = int(re.search(r"(\d+) parameters", line).group(1))
            loaded = torch.jit.load(out)
            in_file = sum(p.numel() for p in loaded.parameters())
            native = described_parameters(args.binary, model, shape, 10)
            if not exported == in_file == native:
                raise Failure("%s: %d parameters exported, %d in the file, %d in carbonbench's model"
                              % (model, exported, in_file, native))
            print("%s: %d parameters, as carbonbench's own %s" % (model, in_file, model))

        # A model from the user's file, scripted and traced, computes as in Python.
        source = os.path.join(args.work, "user_models.py")
        with open(source, "w") as out:
            out.write(USER_MODELS)
        for mode in ([], ["--trace"]):
            out = os.path.join(args.work, "small%s.pt" % ("_traced" if mode else ""))
            expect_export("--python", source, "--class", "Small", "--args", '{"hidden": 8}',
                          "--input-shape", "3", "8", "8", "--classes", "3", "--out", out, *mode)
            loaded = torch.jit.load(out)
            batch = torch.randn(4, 3, 8, 8)
            if tuple(loaded(batch).shape) != (4, 3):
                raise Failure("%s: output of shape %s" % (out, tuple(loaded(batch).shape)))
            print("Small (%s): loads and gives (4, 3)" % ("traced" if mode else "scripted"))

        # What cannot be exported is refused, saying why.
        common = ["--input-shape", "3", "8", "8", "--classes", "3",
                  "--out", os.path.join(args.work, "refused.pt")]
        expect_refusal("needs one score per class: (2, 3)", "--python", source, "--class", "OneScore",
                       *common)
        expect_refusal("defines no class 'Missing' (its nn.Module classes: OneScore, Small)",
                       "--python", source, "--class", "Missing", *common)
        expect_refusal("no such Python file", "--python", os.path.join(args.work, "none.py"),
                       "--class", "Small", *common)
        expect_refusal("unexpected keyword argument 'depth'", "--python", source, "--class", "Small",
                       "--args", '{"depth": 3}', *common)
        expect_refusal("takes 1x28x28 images", "--builtin", "cnn", "--dataset", "cifar10",
                       "--out", os.path.join(args.work, "refused.pt"))
        if os.path.exists(os.path.join(args.work, "refused.pt")):
            raise Failure("a refused export left a file behind")
    except Failure as failure:
        print("FAILED: %s" % failure)
        return 1
    print("export: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
