#!/usr/bin/env python3
"""Replace a generated section of a Markdown file: the text on stdin, which must start with
`<!-- NAME:begin` and end with `<!-- NAME:end -->`, takes the place of the file's block between those
markers. Without one yet, it goes before the line starting with --before, after the line equal to
--after, or at the end. One writer for every generated table (bench-prove, bench-wasm, durations).
  python3 scripts/write-section.py FILE NAME [--before TEXT | --after TEXT] < section
"""
import argparse, re, sys

ap = argparse.ArgumentParser()
ap.add_argument("file")
ap.add_argument("name")
ap.add_argument("--before")
ap.add_argument("--after")
a = ap.parse_args()
section = sys.stdin.read().rstrip("\n") + "\n"
begin, end = f"<!-- {a.name}:begin", f"<!-- {a.name}:end -->"
if not (section.startswith(begin) and section.rstrip("\n").endswith(end)):
    sys.exit(f"write-section: stdin must start with '{begin}' and end with '{end}'")
text = open(a.file).read()
blocks = list(re.finditer(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", text, re.S))
if len(blocks) > 1:
    sys.exit(f"write-section: {a.file} has {len(blocks)} '{a.name}' blocks; expected at most one")
if blocks:
    m = blocks[0]
    text = text[: m.start()] + section + text[m.end():]
elif a.before and (i := text.find("\n" + a.before)) >= 0:
    text = text[: i + 1] + section + "\n" + text[i + 1:]
elif a.after and (i := text.find(a.after + "\n")) >= 0:
    j = i + len(a.after) + 1
    text = text[:j] + "\n" + section + text[j:]
else:
    text = text.rstrip("\n") + "\n\n" + section
open(a.file, "w").write(text)
