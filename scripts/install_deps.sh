#!/usr/bin/env bash
# Installs the Debian 12 packages carbonbench builds and runs with, only those
# missing (quick when everything is there). Run as root.
#
#   install_deps.sh          what building and running need
#   install_deps.sh --test   that, and what only the tests need (a Markdown
#                            renderer and a headless browser, to check the
#                            report as a reader sees it)
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-openmp libtcmalloc-minimal4
  libyaml-cpp-dev libfmt-dev libbenchmark-dev libboost-dev libboost-filesystem-dev
  libcli11-dev nlohmann-json3-dev libsqlite3-dev libsqlitecpp-dev libgtest-dev zlib1g-dev
  libutf8proc-dev
  gnuplot-nox
  clang-format
  iso-codes dataset-fashion-mnist fortunes python3-statsmodels
)
test_packages=(cmark-gfm chromium)
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
