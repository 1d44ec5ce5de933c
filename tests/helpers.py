"""Helpers shared by the tests: the repository's paths, throwaway copies of the example project."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from foilog.build import Options, Paths, Result, build

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_LETTERS = REPO / "site_src" / "letters"
THEMES = REPO / "themes"
THEME_NAMES = ("govuk", "plain")  # every theme that ships; the first is the default
FIXTURES = REPO / "tests" / "fixtures"
LETTER_FIXTURES = FIXTURES / "letters"
SEEDS_EXPECTED = FIXTURES / "seeds_expected.json"


def seeds_expected() -> dict[str, dict[str, Any]]:
    """Facts of the five example letters in site_src/letters/, keyed by file name."""
    data = json.loads(SEEDS_EXPECTED.read_text(encoding="utf-8"))
    return {name: facts for name, facts in data.items() if not name.startswith("_")}


def make_project(root: Path, site_toml: str | None = None, *, whole_example: bool = False) -> Path:
    """A throwaway project: the example letters and the themes, no content/ or output/ yet.

    By default only site_src/letters/ is copied, not the example's site.toml or pages, so tests see the
    documented defaults unless they pass their own `site_toml`. `whole_example` copies all of site_src/.
    """
    if whole_example:
        shutil.copytree(REPO / "site_src", root / "site_src")
    else:
        (root / "site_src").mkdir(parents=True, exist_ok=True)
        shutil.copytree(EXAMPLE_LETTERS, root / "site_src" / "letters")
    shutil.copytree(THEMES, root / "themes")
    if site_toml is not None:
        (root / "site_src" / "site.toml").write_text(site_toml, encoding="utf-8")
    return root


def build_project(root: Path, **options: Any) -> Result:
    options.setdefault("progress", False)
    return build(Paths.under(root), Options(**options))


def read_front_matter(page: Path) -> dict[str, Any]:
    """A page's front matter, read with PyYAML directly (independently of foilog's reader)."""
    text = page.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{page} does not start with front matter"
    end = text.index("\n---\n", 4)
    meta = yaml.safe_load(text[4:end + 1])
    assert isinstance(meta, dict)
    return meta


def page_body(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index("\n---\n", 4) + 5:]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below `root`, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class BuiltSite:
    root: Path
    result: Result
    theme: str = THEME_NAMES[0]

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def content(self) -> Path:
        return self.root / "content"

    def html_files(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))

    def letter_pages(self) -> dict[str, Path]:
        """Each letter's built page, keyed by its reference (its folder name)."""
        return {p.parent.name: p for p in sorted((self.output / "letters").glob("*/*/index.html"))
                if p.parent.parent.name != "page"}
