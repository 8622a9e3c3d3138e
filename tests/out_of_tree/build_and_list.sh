#!/usr/bin/env bash
# Installs carbonbench from the build tree into a scratch prefix, builds the
# example out-of-tree plugin against it with find_package(carbonbench), and
# checks the installed host loads it.
set -euo pipefail
build_dir=$1 source_dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
chmod 755 "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$source_dir/examples/out_of_tree_plugin" -B "$work/plugin" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
cmake --build "$work/plugin" >/dev/null
listing=$("$work/prefix/bin/carbonbench" --plugin-dir "$work/plugin" list -v)
echo "$listing"
grep -q "tiny_mlp .*0.1.0 .*an out-of-tree two-layer perceptron" <<<"$listing"
grep -q "tiny_mlp.width" <<<"$listing"
grep -q "^  cnn " <<<"$listing"   # the installed built-in plugins are found too
rm -rf "$work"
