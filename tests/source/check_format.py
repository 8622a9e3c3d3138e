#!/usr/bin/python3
"""Fails when a C++ file of the project is not as clang-format writes it.

  /usr/bin/python3 tests/source/check_format.py SOURCE_DIR [CLANG_FORMAT]

Checks every *.cpp and *.h that git tracks under SOURCE_DIR (every one found
under harness/, plugins/, tests/, bench/ and examples/ when SOURCE_DIR is
not a git checkout) against the project's .clang-format, with
`clang-format --dry-run -Werror`. Prints each file that differs, the
formatter's first complaint about it, and the command that fixes it; exits
1 when there is any.
"""
import os
import shutil
import subprocess
import sys

CHECKED_FOLDERS = ("harness", "plugins", "tests", "bench", "examples")
SUFFIXES = (".cpp", ".h")


def source_files(source_dir):
    try:
        listed = subprocess.run(["git", "-C", source_dir, "ls-files", "*.cpp", "*.h"],
                                check=True, capture_output=True, text=True).stdout.split()
        return sorted(listed)
    except (OSError, subprocess.CalledProcessError):
        found = []
        for folder in CHECKED_FOLDERS:
            for root, dirs, files in os.walk(os.path.join(source_dir, folder)):
                dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
                for name in files:
                    if name.endswith(SUFFIXES):
                        found.append(os.path.relpath(os.path.join(root, name), source_dir))
        return sorted(found)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    source_dir = sys.argv[1]
    clang_format = sys.argv[2] if len(sys.argv) == 3 else "clang-format"
    if shutil.which(clang_format) is None:
        sys.exit(f"{clang_format} not found: install it (Debian: apt-get install clang-format, "
                 "or run scripts/install_deps.sh)")
    files = source_files(source_dir)
    if not files:
        sys.exit(f"no C++ files found under {source_dir}: pass the project's root folder")
    unformatted = []
    for path in files:
        result = subprocess.run([clang_format, "--dry-run", "-Werror", path],
                                cwd=source_dir, capture_output=True, text=True)
        if result.returncode != 0:
            first = next((line for line in result.stderr.splitlines() if line), "")
            unformatted.append((path, first))
    for path, first in unformatted:
        print(f"{path}: not formatted as .clang-format says ({first}); "
              f"fix with: clang-format -i {path}")
    if unformatted:
        print(f"{len(unformatted)} of {len(files)} files differ from clang-format's output")
        return 1
    print(f"{len(files)} files formatted as .clang-format says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
