# Sourced by the bench scripts: find_library SONAME prints where the dynamic
# loader finds that library (the first match of `ldconfig -p`), or nothing.
# awk reads the whole listing rather than exit at the match: an early exit
# would kill ldconfig with SIGPIPE, and under `set -o pipefail` the script.
find_library() {
  /sbin/ldconfig -p | awk -v soname="$1" '$1 == soname && !found { print $NF; found = 1 }'
}
