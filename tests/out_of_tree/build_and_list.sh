#!/usr/bin/env bash
# The SDK as a model author uses it: installs carbonbench from the build tree
# into a scratch prefix, builds the example out-of-tree model plugin
# (examples/out_of_tree_plugin, tiny_mlp) against it with
# find_package(carbonbench), then checks through the installed host that it
# is listed with its parameters, described with the right parameter count,
# refused for non-image data, and trains for one epoch on a generated
# Fashion-MNIST-format dataset. Everything is written under $work, never into
# the source tree.
set -euo pipefail
build_dir=$1 source_dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
# The host refuses plugin folders writable by group or others.
chmod 755 "$work"

# check WHAT PATTERN TEXT: fails with the text when no line matches.
check() {
  if ! grep -qE -- "$2" <<<"$3"; then
    printf 'FAIL: %s: no line matches /%s/ in:\n%s\n' "$1" "$2" "$3" >&2
    exit 1
  fi
}

# 1234567 -> 1,234,567, as `carbonbench describe` prints counts.
grouped() { sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta' <<<"$1"; }

# A 32-bit big-endian integer, as IDX headers store them.
be32() {
  printf '%b' "$(printf '\\0%03o\\0%03o\\0%03o\\0%03o' $(($1 >> 24 & 255)) \
    $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)))"
}

# write_idx_split DIR PREFIX COUNT: COUNT 12x12 images in Fashion-MNIST's file
# layout, 10 classes, each image one grey level per class (so it is learnable).
write_idx_split() {
  local dir=$1 prefix=$2 count=$3 i label
  {
    be32 2051; be32 "$count"; be32 12; be32 12
    for ((i = 0; i < count; i++)); do
      label=$((i % 10))
      printf '%144s' '' | tr ' ' "\\$(printf %03o $((20 + 25 * label)))"
    done
  } >"$dir/$prefix-images-idx3-ubyte"
  {
    be32 2049; be32 "$count"
    for ((i = 0; i < count; i++)); do printf '%b' "\\0$(printf %03o $((i % 10)))"; done
  } >"$dir/$prefix-labels-idx1-ubyte"
}

# --- Build the plugin against the installed SDK only.
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$source_dir/examples/out_of_tree_plugin" -B "$work/plugin" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
cmake --build "$work/plugin" >/dev/null

# Relative default paths (results/, reports/) land in $work, not in the tree.
cd "$work"
carbonbench=("$work/prefix/bin/carbonbench" --plugin-dir "$work/plugin")

# --- Listed, with every declared parameter.
listing=$("${carbonbench[@]}" list -v)
echo "$listing"
check "list" "^  tiny_mlp +0\.2\.0 +an out-of-tree multilayer perceptron" "$listing"
check "list -v: width" "tiny_mlp\.width +int in \[1, 4096\] +default 64 " "$listing"
check "list -v: depth" "tiny_mlp\.depth +int in \[1, 16\] +default 2 " "$listing"
check "list -v: dropout" "tiny_mlp\.dropout +float in \[0(\.0)?, 0\.9\] +default 0\.1 " "$listing"
check "list: installed built-ins" "^  cnn " "$listing"

# --- Described for fashion_mnist (1x28x28 inputs, 10 classes), counted by
# hand: each Linear(in, out) has in*out weights and out biases.
linear() { echo $(($1 * $2 + $2)); }
inputs=$((1 * 28 * 28)) classes=10
expected=$(($(linear $inputs 64) + $(linear 64 64) + $(linear 64 $classes)))  # width 64, depth 2
description=$("${carbonbench[@]}" describe tiny_mlp)
echo "$description"
check "describe: total parameters" "^Total parameters: $(grouped $expected)\$" "$description"
# Parameters reach Build(): width 8, one hidden layer.
expected=$(($(linear $inputs 8) + $(linear 8 $classes)))
description=$("${carbonbench[@]}" describe tiny_mlp --set width=8 --set depth=1)
check "describe --set: total parameters" "^Total parameters: $(grouped $expected)\$" "$description"

# --- Refused, with its own message, for a dataset that is not images.
status=0
refusal=$("${carbonbench[@]}" describe tiny_mlp --dataset co2 2>&1) || status=$?
echo "$refusal"
if ((status == 0)); then echo "FAIL: describe tiny_mlp --dataset co2 succeeded" >&2; exit 1; fi
check "refusal" "tiny_mlp needs image inputs .*dataset 'co2' has series inputs" "$refusal"

# --- Trained end to end for one epoch on generated data.
mkdir -p "$work/data"
write_idx_split "$work/data" train 128
write_idx_split "$work/data" t10k 40
"${carbonbench[@]}" --store "$work/results.db" --reports-dir "$work/reports" \
  train --model tiny_mlp --dataset fashion_mnist --dataset_path "$work/data" --train_size 96 \
  --epochs 1 --batch_size 16 --threads 1 --region FR --set tiny_mlp.width=16 \
  --suite out_of_tree
report=$work/reports/out_of_tree.md
if [[ ! -f $report ]]; then echo "FAIL: train wrote no report at $report" >&2; exit 1; fi
check "report" "tiny_mlp" "$(cat "$report")"

cd /
rm -rf "$work"
