"""Each letter fixture read and understood, checked fact by fact against its expected JSON.

Two sets of fixtures:
- the five example letters in site_src/letters/, with their facts in tests/fixtures/seeds_expected.json
  (a copy of shared/seeds/expected.json, so the suite needs nothing outside the repository);
- every tests/fixtures/letters/NAME.txt with its NAME.json (see the README there for what each key means).

One test per (fixture, key), so a failure names exactly which fact a letter got wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from foilog.config import SiteConfig
from foilog.errors import Report
from foilog.model import Letter
from foilog.pages import letter_body
from foilog.read import read_letter
from foilog.understand import understand

from .helpers import EXAMPLE_LETTERS, LETTER_FIXTURES, REPO, SEEDS_EXPECTED, seeds_expected

IGNORED_KEYS = {"encoding", "line_endings", "_about"}
CHECKED_KEYS = {
    "authority", "authority_address", "reference", "received", "responded", "regime", "working_days", "late",
    "exemptions", "outcome", "numbered_questions", "subject_words", "contains",
}


def _cases() -> list[tuple[str, Path, dict[str, Any]]]:
    cases = [(f"seed/{Path(name).stem}", EXAMPLE_LETTERS / name, facts) for name, facts in seeds_expected().items()]
    for expected in sorted(LETTER_FIXTURES.glob("*.json")):
        cases.append((f"letters/{expected.stem}", expected.with_suffix(".txt"),
                      json.loads(expected.read_text(encoding="utf-8"))))
    return cases


CASES = _cases()
PARAMS = [pytest.param(path, key, facts[key], id=f"{name}:{key}")
          for name, path, facts in CASES for key in sorted(facts) if key not in IGNORED_KEYS]


@cache
def understood(path: Path) -> Letter:
    letter = read_letter(path, path.parent)
    return understand(letter, SiteConfig(), Report())


def _unescape(markdown: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


@pytest.mark.parametrize(("path", "key", "expected"), PARAMS)
def test_fact(path: Path, key: str, expected: Any) -> None:
    letter = understood(path)
    if key in ("received", "responded"):
        want = dt.date.fromisoformat(expected) if expected is not None else None
        assert getattr(letter, key) == want
    elif key == "exemptions":
        assert sorted(letter.exemptions) == sorted(expected)
    elif key == "subject_words":
        described = f"{letter.title} {letter.summary}"
        missing = [word for word in expected if word.lower() not in described.lower()]
        assert not missing, f"title/summary {described!r} lacks {missing}"
    elif key == "contains":
        body = letter_body(letter)
        text = "\n".join([body, _unescape(body), letter.title, letter.summary])
        missing = [s for s in expected if s not in text]
        assert not missing, f"decoded and parsed text lacks {missing}"
    else:
        assert getattr(letter, key) == expected


def test_every_fixture_has_its_letter_and_checked_keys() -> None:
    """The fixture data itself: a .txt for each .json (and back), and no key this file would not check."""
    texts = {p.stem for p in LETTER_FIXTURES.glob("*.txt")}
    jsons = {p.stem for p in LETTER_FIXTURES.glob("*.json")}
    assert texts == jsons
    assert len(CASES) >= 5 + len(jsons)
    for name, path, facts in CASES:
        assert path.is_file(), name
        unknown = set(facts) - CHECKED_KEYS - IGNORED_KEYS
        assert not unknown, f"{name} has keys this test does not check: {unknown}"


def test_seed_expectations_match_the_shared_copy() -> None:
    """tests/fixtures/seeds_expected.json and site_src/letters/ are copies of shared/seeds/; keep them in step."""
    shared = REPO.parent / "shared" / "seeds"
    if not (shared / "expected.json").is_file():
        pytest.skip("no shared/seeds/ beside this checkout; the repository's own copies are used")
    assert json.loads((shared / "expected.json").read_text(encoding="utf-8")) == \
        json.loads(SEEDS_EXPECTED.read_text(encoding="utf-8"))
    for name in seeds_expected():
        assert (shared / name).read_bytes() == (EXAMPLE_LETTERS / name).read_bytes(), name


@pytest.mark.parametrize("path", [path for _, path, _ in CASES], ids=[name for name, _, _ in CASES])
def test_title_and_summary_are_derived_from_the_request(path: Path) -> None:
    """A readable title and a one-sentence summary, never the letter's opening courtesy."""
    letter = understood(path)
    for text in (letter.title, letter.summary):
        assert text.strip(), "empty title or summary"
        assert not re.match(r"(?i)(thank you|dear|re:|request for information$)", text), text
        assert "*" not in text and "\\" not in text, f"conversion debris in {text!r}"
    assert len(letter.title) <= 111, letter.title
    sentences = re.findall(r"[.?!…](?:\s|$)", letter.summary.rstrip("?.!… ") + " ")
    assert len(letter.summary) <= 221 and len(sentences) <= 2, letter.summary
    assert letter.summary[-1] in ".?!…", f"the summary is not a sentence: {letter.summary!r}"
