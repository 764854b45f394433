"""The repository describes itself: no file points to a path outside it (a fresh clone has
nothing beside it), and every Markdown link inside it leads to a file that exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .support import REPO

# A path leaving the repository: a relative climb into a sibling folder such as the design
# brief beside the checkout, or an absolute path of the machine it was written on.
OUTSIDE = re.compile(r"\.\./+shared\b|\bshared/design\b|/work/(?:shared|wt|main)\b")
# A document cited by name (README.md, docs/api.md): it must be one of the
# repository's own. Files a run writes (bench-results/bench.md) are not cited this way.
DOCUMENT = re.compile(r"(?<![\w/.-])((?:docs/)?[\w-]+\.md)\b")
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def _files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"not a git checkout, cannot list the repository's files: {error}")
    paths = [REPO / name for name in listed.decode().split("\0") if name]
    return [path for path in paths if path.is_file() and not _binary(path)]


def _cited(name: str) -> bool:
    """A document's own name: upper case at the top (README.md), or one of docs/."""
    return name.startswith("docs/") or name.removesuffix(".md").isupper()


def _binary(path: Path) -> bool:
    return b"\0" in path.read_bytes()[:4096]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def test_no_file_of_the_repository_points_outside_it() -> None:
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _files()
        for number, line in enumerate(_text(path).splitlines(), start=1)
        if OUTSIDE.search(line)
    ]

    assert found == []


def test_every_markdown_document_named_in_the_repository_is_in_it() -> None:
    files = _files()
    documents = {path.relative_to(REPO).as_posix() for path in files if path.suffix == ".md"}
    documents |= {Path(document).name for document in documents}
    missing = sorted(
        f"{path.relative_to(REPO)}: {name}"
        for path in files
        for name in set(DOCUMENT.findall(_text(path)))
        if _cited(name) and name not in documents
    )

    assert missing == []


def test_every_relative_link_of_the_documentation_leads_to_a_file_of_the_repository() -> None:
    broken = []
    for path in _files():
        if path.suffix != ".md":
            continue
        for target in LINK.findall(_text(path)):
            if re.match(r"[a-z]+:", target) or target.startswith("/"):
                continue  # a URL, or a path of the running server (/api/docs/)
            resolved = (path.parent / target).resolve()
            if not resolved.is_relative_to(REPO) or not resolved.exists():
                broken.append(f"{path.relative_to(REPO)}: {target}")

    assert broken == []
