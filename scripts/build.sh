#!/usr/bin/env bash
# Configures (once) and builds the release preset: the host, the plugins, the
# tests and the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/release/build.ninja ]; then
  cmake --preset release
fi
cmake --build --preset release
