#!/usr/bin/python3
"""Exports a PyTorch model to TorchScript, the format in which libtorch loads,
runs and trains a model written in Python.

A model defined in a Python file (a class and its constructor's arguments), or
the Python twin of a built-in model, is built, put in eval mode, scripted
(torch.jit.script; --trace records one forward pass instead, for modules that
do not script), saved, then loaded back and run on one batch of the dataset's
input shape: the output must be {batch, classes} and equal the Python model's.

  export_torchscript.py --builtin resnet18 --dataset cifar10 --out resnet18.pt
  export_torchscript.py --python my_model.py --class MyNet --args '{"width": 64}' \\
      --dataset fashion_mnist --out my_net.pt
  export_torchscript.py --python my_model.py --class MyNet --input-shape 3 64 64 \\
      --classes 5 --trace --out my_net.pt

Run it with Debian's interpreter, which sees python3-torch (1.13):
/usr/bin/python3 tools/export_torchscript.py ... The built-in twins are those of
the PyTorch reference the benchmarks compare against (bench/reference/).

A TorchScript file is code: libtorch runs what it holds. Load only files you
made or whose source you trust.
"""

import argparse
import importlib.util
import json
import os
import sys

try:
    import torch
except ImportError:
    torch = None

# The datasets carbonbench reads, as a model sees one sample: its input shape
# and the number of classes (harness/src/pipeline/dataset.cpp).
DATASETS = {
    "fashion_mnist": ((1, 28, 28), 10),
    "mnist": ((1, 28, 28), 10),
    "cifar10": ((3, 32, 32), 10),
    "cifar100": ((3, 32, 32), 100),
}

REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "reference")


class ExportError(Exception):
    """A problem the user can fix, said in one sentence."""


def builtin_model(name, input_shape, classes):
    """The Python twin of a built-in model, at its plugin's defaults."""
    sys.path.insert(0, REFERENCE)
    import torch_reference  # noqa: E402  (the twins, and cnn_fashion_mnist's Cnn)

    if name == "cnn":
        if tuple(input_shape) != (1, 28, 28):
            raise ExportError("the built-in cnn takes 1x28x28 images; this dataset has %s"
                              % "x".join(map(str, input_shape)))
        return torch_reference.Cnn(classes=classes)
    if name == "resnet18":
        return torch_reference.ResNet18(input_shape[0], classes)
    if name == "mobilenet_v2":
        return torch_reference.MobileNetV2(input_shape[0], classes)
    raise ExportError("no built-in twin named %r: choose cnn, resnet18 or mobilenet_v2" % name)


def python_model(path, class_name, arguments):
    """An instance of `class_name` from the Python file at `path`."""
    if not os.path.isfile(path):
        raise ExportError("%s: no such Python file" % path)
    spec = importlib.util.spec_from_file_location("exported_model", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's file: say which and why
        raise ExportError("%s: importing it failed: %s: %s" % (path, type(error).__name__, error))
    model_class = getattr(module, class_name, None)
    if model_class is None:
        defined = sorted(name for name, value in vars(module).items()
                         if isinstance(value, type) and issubclass(value, torch.nn.Module))
        raise ExportError("%s defines no class %r (its nn.Module classes: %s)"
                          % (path, class_name, ", ".join(defined) or "none"))
    try:
        return model_class(**arguments)
    except TypeError as error:
        raise ExportError("%s(%s): %s" % (class_name, json.dumps(arguments), error))


def example_batch(input_shape, batch=2):
    """A batch of the dataset's shape: standardised pixels, or token ids for one dimension."""
    torch.manual_seed(0)
    if len(input_shape) == 1:
        return torch.randint(1, 100, (batch, *input_shape), dtype=torch.long)
    return torch.randn(batch, *input_shape)


def export(model, input_shape, classes, out, architecture, trace=False):
    """Scripts or traces `model`, saves it to `out` with its architecture's name (reports set it
    beside the same architecture's C++ modules), and checks the saved file."""
    model.eval()
    inputs = example_batch(input_shape)
    with torch.no_grad():
        expected = model(inputs)
    if not isinstance(expected, torch.Tensor) or tuple(expected.shape) != (inputs.shape[0], classes):
        shape = tuple(expected.shape) if isinstance(expected, torch.Tensor) else type(expected).__name__
        raise ExportError("the model returns %s for a batch of %d inputs of shape %s; carbonbench "
                          "needs one score per class: (%d, %d)"
                          % (shape, inputs.shape[0], tuple(input_shape), inputs.shape[0], classes))
    try:
        scripted = torch.jit.trace(model, inputs) if trace else torch.jit.script(model)
    except Exception as error:
        raise ExportError("torch.jit.%s failed: %s (try %s)" % (
            "trace" if trace else "script", str(error).splitlines()[0],
            "--script" if trace else "--trace, which records one forward pass"))
    torch.jit.save(scripted, out, _extra_files={ARCHITECTURE_FILE: architecture})
    loaded = torch.jit.load(out)
    loaded.eval()
    with torch.no_grad():
        got = loaded(inputs)
    if not torch.allclose(got, expected, rtol=1e-4, atol=1e-5):
        raise ExportError("the saved module's output differs from the Python model's "
                          "(largest difference %.3g)" % (got - expected).abs().max().item())
    return sum(p.numel() for p in model.parameters())


# The extra file in the saved archive that names the architecture; the
# torchscript model plugin reads it.
ARCHITECTURE_FILE = "carbonbench_architecture.txt"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--builtin", help="a built-in model's Python twin: cnn, resnet18, mobilenet_v2")
    source.add_argument("--python", help="a Python file defining the model's class")
    parser.add_argument("--class", dest="class_name", help="the nn.Module class in --python")
    parser.add_argument("--args", default="{}", help="its constructor's keyword arguments, as JSON")
    parser.add_argument("--dataset", choices=sorted(DATASETS), help="the input shape and classes of a dataset")
    parser.add_argument("--input-shape", type=int, nargs="+", help="one sample's shape: C H W, or a token count")
    parser.add_argument("--classes", type=int, help="the number of classes")
    parser.add_argument("--architecture",
                        help="its name in reports (default: the --builtin name, else the class's)")
    parser.add_argument("--trace", action="store_true", help="trace one forward pass instead of scripting")
    parser.add_argument("--out", required=True, help="the TorchScript file to write (.pt)")
    args = parser.parse_args(argv)
    if args.python and not args.class_name:
        parser.error("--python needs --class, the model's class in that file")
    if args.dataset:
        shape, classes = DATASETS[args.dataset]
        args.input_shape = args.input_shape or list(shape)
        args.classes = args.classes or classes
    args.architecture = args.architecture or args.builtin or args.class_name
    if not args.input_shape or not args.classes:
        parser.error("give --dataset, or --input-shape and --classes")
    try:
        args.arguments = json.loads(args.args)
    except json.JSONDecodeError as error:
        parser.error("--args is not JSON: %s" % error)
    if not isinstance(args.arguments, dict):
        parser.error("--args must be a JSON object of keyword arguments")
    return args


def main(argv=None):
    args = parse_arguments(argv)
    if torch is None:
        print("export_torchscript.py: PyTorch is not importable here: run it with Debian's "
              "/usr/bin/python3 after `apt-get install python3-torch`", file=sys.stderr)
        return 2
    try:
        torch.manual_seed(0)
        model = (builtin_model(args.builtin, args.input_shape, args.classes) if args.builtin
                 else python_model(args.python, args.class_name, args.arguments))
        parameters = export(model, args.input_shape, args.classes, args.out, args.architecture,
                            args.trace)
    except ExportError as error:
        print("export_torchscript.py: %s" % error, file=sys.stderr)
        return 1
    print("%s: %s, %s, %d parameters, input %s, %d classes" % (
        args.out, args.builtin or "%s.%s" % (os.path.basename(args.python), args.class_name),
        "traced" if args.trace else "scripted", parameters,
        "x".join(map(str, args.input_shape)), args.classes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
