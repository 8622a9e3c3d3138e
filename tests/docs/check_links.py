#!/usr/bin/python3
"""Checks that every relative link in the project's Markdown resolves.

  /usr/bin/python3 tests/docs/check_links.py SOURCE_DIR
  /usr/bin/python3 tests/docs/check_links.py --self-test

Reads every *.md under SOURCE_DIR except generated reports (reports/), golden
files (any folder named golden), test fixtures (any folder named fixtures: reports
as an earlier release wrote them, kept byte for byte without their plots), build
and result folders and hidden folders.
Each inline link or image ([text](target), ![alt](target)) and reference
definition ([name]: target) outside code must name an existing file or folder,
relative to the Markdown file (or to SOURCE_DIR when it starts with /), and a
#fragment must name a heading of the target Markdown file (the file itself
when the link is only #fragment), slugged as GitHub does: lowercase, markup and
punctuation dropped, each space a hyphen, -1, -2, ... added to repeated
headings. Links with a scheme (https:, mailto:) are not checked.

Prints one line per broken link, file:line, the link, what is wrong and how to
fix it, and exits 1 when there is any.
"""
import difflib
import functools
import os
import re
import sys
import tempfile
import urllib.parse

SKIPPED_TOP_FOLDERS = {"reports"}  # generated; build* folders are skipped too
SKIPPED_FOLDERS = {"golden", "fixtures", "results"}

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)[\s\S]*?(?<!`)\1(?!`)")
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"", re.IGNORECASE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
LINE_ANCHOR = re.compile(r"^L\d+(-L\d+)?$")  # GitHub's anchors into a source file's lines
PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n)")


def markdown_files(root):
    for folder, subfolders, files in os.walk(root):
        relative = os.path.relpath(folder, root)
        subfolders[:] = sorted(
            name for name in subfolders
            if not name.startswith(".") and name not in SKIPPED_FOLDERS
            and not (relative == "." and (name in SKIPPED_TOP_FOLDERS or name.startswith("build"))))
        for name in sorted(files):
            if name.endswith(".md"):
                yield os.path.join(folder, name)


def blank_out(text):
    """Replaces code (fenced blocks, code spans) with spaces, keeping offsets and newlines."""
    lines = text.split("\n")
    fence = None
    for i, line in enumerate(lines):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            lines[i] = ""
        elif fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            lines[i] = " " * len(line)
    # A code span never crosses a blank line, so an unpaired backtick spoils one paragraph only.
    paragraphs = PARAGRAPH_BREAK.split("\n".join(lines))
    return "".join(CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), paragraph)
                   for paragraph in paragraphs)


def slug(heading):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@functools.lru_cache(maxsize=None)
def anchors(path):
    """The #fragments a Markdown file defines: its headings' slugs and HTML anchors."""
    with open(path, encoding="utf-8") as f:
        raw = f.read().split("\n")
    prose = blank_out("\n".join(raw)).split("\n")
    seen, found = {}, []
    for i, line in enumerate(prose):
        heading = None
        if ATX_HEADING.match(line):
            # Matched with code blanked out; the slug keeps the words inside code spans.
            heading = ATX_HEADING.match(raw[i]).group(1)
        elif (i > 0 and SETEXT_UNDERLINE.match(line) and prose[i - 1].strip()
              and not prose[i - 1].lstrip().startswith(("|", "-", "*", ">"))):
            heading = raw[i - 1].strip()
        if heading is not None:
            base = slug(heading)
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.append(base if count == 0 else f"{base}-{count}")
        found.extend(HTML_ANCHOR.findall(raw[i]))
    return tuple(found)


def links(path):
    with open(path, encoding="utf-8") as f:
        prose = blank_out(f.read())
    for pattern in (INLINE_LINK, REFERENCE_DEFINITION):
        for match in pattern.finditer(prose):
            yield prose.count("\n", 0, match.start(1)) + 1, match.group(1)


def problem(root, path, target):
    """What is wrong with one link and how to fix it, or None when it resolves."""
    if not target or SCHEME.match(target):
        return None
    file_part, _, fragment = (urllib.parse.unquote(part) for part in target.partition("#"))
    if file_part.startswith("/"):
        resolved = os.path.join(root, file_part.lstrip("/"))
    else:
        resolved = os.path.join(os.path.dirname(path), file_part) if file_part else path
    resolved = os.path.normpath(resolved)
    shown = os.path.relpath(resolved, root)
    if not os.path.exists(resolved):
        here = os.path.dirname(resolved)
        near = difflib.get_close_matches(os.path.basename(resolved),
                                         os.listdir(here) if os.path.isdir(here) else [], n=1)
        hint = "fix the path (it is relative to the linking file's folder)"
        if near:
            suggestion = os.path.relpath(os.path.join(here, near[0]), os.path.dirname(path))
            hint = f"did you mean {suggestion}?"
        return f"{shown} does not exist: {hint}"
    if not fragment:
        return None
    if not resolved.endswith(".md") or os.path.isdir(resolved):
        if LINE_ANCHOR.match(fragment) and os.path.isfile(resolved):
            return None
        return (f"{shown} is not a Markdown file, so #{fragment} names no heading in it: "
                f"drop the #{fragment}, or use #L<line> for a line of a file")
    known = anchors(resolved)
    if fragment in known:
        return None
    near = difflib.get_close_matches(fragment, known, n=1)
    hint = (f"did you mean #{near[0]}?" if near
            else f"its headings are {', '.join('#' + a for a in known) or 'none'}")
    return (f"{shown} has no heading #{fragment}: link to an existing heading or rename the "
            f"heading ({hint})")


def check(root):
    """Prints each broken link and returns their places, (file, line) pairs."""
    root = os.path.abspath(root)
    broken = []
    for path in markdown_files(root):
        for line, target in links(path):
            why = problem(root, path, target)
            if why:
                broken.append((os.path.relpath(path, root), line))
                print(f"{broken[-1][0]}:{line}: link '{target}': {why}")
    return broken


SELF_TEST_TREE = {
    "README.md": "# Top\n"
                 "\n"
                 "[ok](docs/a.md#the-train-command-1) [ok](#top) [ok](docs/a%20b.md)\n"
                 "[gone](docs/b.md)\n"
                 "`code spanning [no](code.md)\n"
                 "lines` [ok](tool.py#L2)\n"
                 "\n"
                 "```\n"
                 "[no](fenced.md)\n"
                 "```\n"
                 "[bad](docs/a.md#trains) [bad](tool.py#main)\n",
    "tool.py": "print()\n",
    "docs/a.md": "# A\n\n## The `train` command\n\n## The `train` command\n\n[up](../README.md)\n",
    "docs/a b.md": "# B\n",
    "reports/r.md": "[generated](nowhere.md)\n",
    "tests/unit/golden/g.md": "[generated](nowhere.md)\n",
    "tests/fixtures/old/f.md": "[generated](f.plots/nowhere.svg)\n",
}


def self_test():
    """The checker must report exactly the broken links of a small tree."""
    with tempfile.TemporaryDirectory() as root:
        for name, text in SELF_TEST_TREE.items():
            os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write(text)
        broken = check(root)
    expected = [("README.md", 4), ("README.md", 11), ("README.md", 11)]
    if broken != expected:
        print(f"self-test: expected broken links at {expected}, found them at {broken}")
        return 1
    print(f"self-test: the checker reported the {len(expected)} broken links it was given")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    broken = check(argv[1])
    if broken:
        print(f"{len(broken)} broken link(s) in the Markdown above")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
