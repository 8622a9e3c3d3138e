#!/usr/bin/env bash
# Runs suites/runtimes.yaml: exports the Python twins of cnn and resnet18 to
# TorchScript (build/torchscript/, unless already there) with Debian's
# python3-torch, builds carbonbench with every plugin, and runs the suite,
# writing reports/runtimes.md. Arguments go to `carbonbench run`.
set -euo pipefail
# carbonbench refuses code that group or others could overwrite: write it 0755/0644.
umask 022
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "runtimes.sh: the export needs Debian's python3-torch: scripts/install_deps.sh --test" >&2
  exit 2
fi
mkdir -p build/torchscript
for model in cnn resnet18; do
  if [[ ! -f build/torchscript/$model.pt ]]; then
    /usr/bin/python3 tools/export_torchscript.py --builtin "$model" --dataset fashion_mnist \
      --out "build/torchscript/$model.pt"
  fi
done
scripts/build.sh app
build/release/bin/carbonbench run suites/runtimes.yaml "$@"
