#!/usr/bin/python3
"""Fails when a host source file names a plugin.

The host reads what plugins declare (their parameters, an optimization's
target and budget parameters, a model's vocabulary source, a meter's rank);
it never knows a plugin by name. This checks every file under harness/src
for the names of the plugins in plugins/<kind>/<name>/ (the folder names
and the names their CARBONBENCH_REGISTER_* macros register):

  - a quoted "name" or "name.param", in code or in comments;
  - "name." as a prefix (early_stop.target_acc), in code or in comments;
  - name as a whole identifier or word, in code or in comments.

Names that are also common words (linear, constant, pruning, ...) count
only as quoted "name.param" literals: a bare "linear" or "constant" is as
often a torch operator or a learning-rate schedule as a plugin.

Usage: host_names_no_plugin.py SOURCE_DIR KIND...   (KIND: models,
optimizations, meters: the plugin folders whose names are checked)
"""
import os
import re
import sys

# Plugin names that are also ordinary words of the domain: the host may use
# the word, but not the plugin's name as a key.
COMMON_WORDS = {
    "constant", "external", "linear", "pruning", "checkpointing", "quantization",
}
SOURCE_SUFFIXES = (".cpp", ".h", ".hpp", ".cc", ".c")
REGISTERED = re.compile(r'CARBONBENCH_REGISTER_\w+\s*\(\s*[\w:]+\s*,\s*"([^"]+)"')


def plugin_names(source_dir, kinds):
    names = set()
    for kind in kinds:
        kind_dir = os.path.join(source_dir, "plugins", kind)
        if not os.path.isdir(kind_dir):
            sys.exit(f"no plugin folder {kind_dir}: pass one of the folders under plugins/")
        for name in sorted(os.listdir(kind_dir)):
            folder = os.path.join(kind_dir, name)
            if not os.path.isdir(folder):
                continue
            names.add(name)
            for root, _, files in os.walk(folder):
                for file in files:
                    if file.endswith(SOURCE_SUFFIXES):
                        with open(os.path.join(root, file), encoding="utf-8") as f:
                            names.update(REGISTERED.findall(f.read()))
    return names


def patterns_for(name):
    quoted = re.compile(r'"' + re.escape(name) + r'(?:"|\.)')
    if name in COMMON_WORDS:
        key = re.compile(r'"' + re.escape(name) + r"\.")
        return [(key, f'the quoted plugin parameter "{name}.<param>"')]
    edge = r"(?<![A-Za-z0-9_])"
    return [
        (quoted, f'the quoted plugin name "{name}"'),
        (re.compile(edge + re.escape(name) + r"\.(?=[A-Za-z_])"), f"the prefix '{name}.'"),
        (re.compile(edge + re.escape(name) + r"(?![A-Za-z0-9_])"), f"the plugin name '{name}'"),
    ]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    source_dir, kinds = sys.argv[1], sys.argv[2:]
    checks = [(name, patterns_for(name)) for name in sorted(plugin_names(source_dir, kinds))]
    host_dir = os.path.join(source_dir, "harness", "src")
    problems = []
    for root, _, files in sorted(os.walk(host_dir)):
        for file in sorted(files):
            if not file.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(root, file)
            shown = os.path.relpath(path, source_dir)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, start=1):
                    for name, patterns in checks:
                        for pattern, what in patterns:
                            if pattern.search(line):
                                problems.append(f"{shown}:{number}: names {what}: {line.strip()}")
                                break
    if problems:
        print("\n".join(problems))
        print(
            f"\n{len(problems)} place(s) in harness/src name a plugin ({', '.join(kinds)}). "
            "The host must not know plugins by name: read what the plugin declares instead "
            "(its parameters, OptimizationDeclaration, VocabularySource, ...), or say it "
            "without the name (\"a stopping rule\", \"the model\"). Examples in comments "
            "can use a made-up plugin.")
        return 1
    print(f"harness/src names no plugin of: {', '.join(kinds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
