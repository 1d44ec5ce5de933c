"""The benchmark's generated letters are ones foilog reads fully, and the same every time."""

from __future__ import annotations

from pathlib import Path

from bench.letters import write_letters

from .helpers import THEMES, build_project, read_front_matter, tree_bytes


def test_generated_letters_are_read_without_a_warning(tmp_path: Path) -> None:
    write_letters(tmp_path / "site_src" / "letters", 40)
    (tmp_path / "themes").symlink_to(THEMES)
    result = build_project(tmp_path)
    assert not result.report.problems, "\n".join(map(str, result.report.problems))
    pages = sorted((tmp_path / "content" / "letters").rglob("*.md"))
    assert len(pages) == 40
    metas = [read_front_matter(p) for p in pages]
    assert all(m["reference"] and m["received"] and m["responded"] and m["questions"] for m in metas)
    assert {m["outcome"] for m in metas} >= {"successful", "partially-successful"}
    assert len({m["title"] for m in metas}) > 10, "the letters are varied"


def test_the_same_letters_every_time(tmp_path: Path) -> None:
    write_letters(tmp_path / "a", 25)
    write_letters(tmp_path / "b", 25)
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")
