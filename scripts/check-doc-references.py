#!/usr/bin/env python3
"""Checks that every documentation reference resolves inside the repository.

1. No file of the repository (every file under the root except .git and build directories,
   whose names start with `.build`) may name the specification files of the project's
   original brief or their directory: the project's own specification is Docs/model.md,
   Docs/formats.md and Docs/cli.md (landing page Docs/specification.md), and a clone of the
   repository holds nothing else.
2. Every relative Markdown link and image in README.md and Docs/ (and the other READMEs)
   must point at an existing file; an anchor is checked to exist when it points into
   another Markdown page of the repository.

Run by `make test`. Exit status 0 when everything resolves, 1 otherwise (every problem
listed, one per line, as path:line: message).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Built by concatenation so that this file does not match itself.
FORBIDDEN = ["MODEL" + ".md", "CLI" + ".md", "shared" + "/spec", "GUIDE" + ".md"]
PAGES = ["README.md", "Benchmarks/README.md", "Fuzz/README.md"]
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")


def repository_files():
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(part == ".git" or part.startswith(".build") for part in parts):
            continue
        if path.is_file() and not path.is_symlink():
            yield path


def github_anchor(heading: str) -> str:
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: pathlib.Path) -> set:
    found = set()
    in_code = False
    for line in page.read_text().split("\n"):
        if line.lstrip().startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(github_anchor(line.lstrip("#")))
    return found


def main() -> int:
    problems = []
    for path in repository_files():
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(f"{path.relative_to(ROOT)}: unreadable: {error}")
            continue
        for word in FORBIDDEN:
            start = 0
            while (found := data.find(word.encode(), start)) >= 0:
                line = data.count(b"\n", 0, found) + 1
                problems.append(
                    f"{path.relative_to(ROOT)}:{line}: names '{word}', which is not in the repository; "
                    "cite Docs/model.md, Docs/formats.md or Docs/cli.md instead"
                )
                start = found + 1

    pages = [ROOT / p for p in PAGES] + sorted((ROOT / "Docs").rglob("*.md"))
    for page in pages:
        if not page.is_file():
            continue
        in_code = False
        for number, line in enumerate(page.read_text().split("\n"), start=1):
            if line.lstrip().startswith("```"):
                in_code = not in_code
                continue
            if in_code:
                continue
            for match in LINK.finditer(re.sub(r"`[^`]*`", "", line)):
                target = match.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue  # https:, mailto:, doc: …
                path_part, _, anchor = target.partition("#")
                where = f"{page.relative_to(ROOT)}:{number}"
                resolved = (page.parent / path_part).resolve() if path_part else page
                if not resolved.exists():
                    problems.append(f"{where}: link target {target} does not exist")
                    continue
                try:
                    resolved.relative_to(ROOT)
                except ValueError:
                    problems.append(f"{where}: link target {target} is outside the repository")
                    continue
                if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                    problems.append(f"{where}: no heading for anchor #{anchor} in {resolved.relative_to(ROOT)}")

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} documentation reference problem(s)", file=sys.stderr)
        return 1
    print("documentation references resolve inside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
