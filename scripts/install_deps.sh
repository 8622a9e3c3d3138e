#!/usr/bin/env bash
# Installs the Debian 12 packages carbonbench builds and runs with, only those
# missing (quick when everything is there). Run as root.
#
#   install_deps.sh          what building and running the quickstart need
#   install_deps.sh --test   that, and what the tests need: the formatter, the
#                            data of the other ready-to-run suites (fortunes,
#                            Mauna Loa CO2 in python3-statsmodels), Optuna
#                            and scikit-learn (its parameter importances) for
#                            suites with a search, a Markdown
#                            renderer and a headless browser to check the
#                            report as a reader sees it, clang with
#                            libFuzzer and the sanitizers' runtimes (fuzz/),
#                            Slurm with munge for a one-node cluster, and
#                            PyTorch for exporting Python models to TorchScript
# The quickstart's list is kept short because unpacking is most of a fresh
# machine's install time: python3-statsmodels alone brings SciPy and pandas.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-openmp libtcmalloc-minimal4
  libyaml-cpp-dev libfmt-dev libbenchmark-dev libboost-dev libboost-filesystem-dev
  libcli11-dev nlohmann-json3-dev libsqlite3-dev libsqlitecpp-dev libgtest-dev zlib1g-dev
  libutf8proc-dev
  libcpp-httplib-dev libjs-chart.js libcmark-gfm-dev libcmark-gfm-extensions-dev libpng-dev
  gnuplot-nox
  iso-codes dataset-fashion-mnist
)
test_packages=(clang-format fortunes python3-statsmodels python3-optuna python3-sklearn cmark-gfm chromium
  clang libfuzzer-14-dev libclang-rt-14-dev slurm-wlm munge python3-torch)
case "${1:-}" in
  --test) packages+=("${test_packages[@]}") ;;
  "") ;;
  *)
    echo "unknown option '$1': run install_deps.sh, or install_deps.sh --test to add what the tests need" >&2
    exit 2
    ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]}" >&2
  echo "run this script as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
