#!/usr/bin/env bash
# Configures (once) and builds the release preset: everything, or the
# targets given (e.g. `app`: the program and its plugins).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/release/build.ninja ]; then
  cmake --preset release
fi
if [ $# -gt 0 ]; then
  cmake --build --preset release --target "$@"
else
  cmake --build --preset release
fi
