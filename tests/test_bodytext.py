"""Letter page bodies as plain-text passages: the same text a reader sees in the built page, question by question."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bench import corpus
from foilog.bodytext import Passage, passages, plain
from foilog.markdown import render
from foilog.pages import split_page

from .helpers import REPO

HAND_WRITTEN = r"""Some *emphasis*, **strong**, a [link](https://example.org "title"), <https://auto.example/a_b>,
snake_case_word, `code`, &amp; &copy; \*literal\* and 5 \< 6.

- item one
- item two with _under_
* star item

1. first
2) second

| a | b |
| --- | --- |
| c | d \| e |

> quoted text
> more

Line with a hard break\
next line

{.note}
A paragraph with attributes

---

```
code block
```

# A heading #
"""


class _Text(HTMLParser):
    """The text of rendered HTML outside <details>, one string per block."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "pre", "blockquote", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.folded = 0
        self.buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.folded += tag == "details"
        if tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        self.folded -= tag == "details"
        if tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.folded:
            self.buffer.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        if text and text.lower() not in ("request", "response"):
            self.blocks.append(text)
        self.buffer = []


def rendered_text(body: str) -> str:
    reader = _Text()
    reader.feed(render(body))
    reader.flush()
    return " ".join(reader.blocks)


def passage_text(body: str) -> str:
    return " ".join(part for p in passages(body) for part in ([p.heading] if p.heading else []) + p.paragraphs)


def bodies() -> list[tuple[str, str]]:
    pages = sorted((REPO / "content").rglob("*.md")) + sorted((REPO / "tests" / "golden" / "expected").rglob("*.md"))
    found = [(str(p.relative_to(REPO)), split_page(p.read_text(encoding="utf-8"), p)[1]) for p in pages]
    found += [(f"generated letter {i}", letter.body) for i, letter in enumerate(corpus.letters(60, seed=2))]
    return found + [("hand-written markdown", HAND_WRITTEN)]


@pytest.mark.parametrize(("name", "body"), bodies(), ids=lambda value: value if len(value) < 60 else "")
def test_passages_hold_the_text_the_page_shows(name: str, body: str) -> None:
    assert passage_text(body) == rendered_text(body), name


def test_the_fixture_letters_pages_too(example_site: object, tmp_path: Path) -> None:
    from .helpers import LETTER_FIXTURES, build_project, make_project

    root = make_project(tmp_path / "project")
    for old in (root / "site_src" / "letters").iterdir():
        old.unlink()
    for fixture in LETTER_FIXTURES.glob("*.txt"):
        (root / "site_src" / "letters" / fixture.name).write_bytes(fixture.read_bytes())
    build_project(root)
    pages = sorted((root / "content").rglob("*.md"))
    assert len(pages) >= 10
    for page in pages:
        body = split_page(page.read_text(encoding="utf-8"), page)[1]
        assert passage_text(body) == rendered_text(body), page.name


def test_questions_are_passages_with_their_anchors() -> None:
    page = REPO / "content" / "letters" / "2020" / "6251688.md"
    found = passages(split_page(page.read_text(encoding="utf-8"), page)[1])
    questions = [p for p in found if p.anchor]
    assert [p.anchor for p in questions] == ["q1", "q2", "q3"]
    assert questions[0].heading.startswith("1. What video conference solution")
    assert questions[0].paragraphs == ["We are currently using Skype for Business and some staff have begun using "
                                       "Microsoft Teams with a wider rollout being planned for all staff to begin "
                                       "within the next month."]
    assert all(p.part == "response" for p in questions)
    assert found[0].part == "request" and "video conferencing software" in " ".join(found[0].paragraphs)


def test_folded_sections_are_left_out() -> None:
    body = "## Response\n\nKept.\n\n::: boilerplate Your rights\n\nFolded away.\n\n:::\n\nAlso kept.\n"
    assert passage_text(body) == "Kept. Also kept."


def test_a_question_ends_at_a_heading_of_its_level_or_above() -> None:
    body = ("## Response\n\n### Housing\n\n{#q1 .question}\n#### 1\\. How many?\n\nTwelve.\n\n"
            "### Planning\n\nIntro to planning.\n\n{#q2 .question}\n#### 2\\. Which?\n\nThese.\n\n##### Notes\n\n"
            "Still q2.\n\n#### After the questions\n\nNot q2.\n")
    found = passages(body)
    q1 = next(p for p in found if p.anchor == "q1")
    q2 = next(p for p in found if p.anchor == "q2")
    assert q1.paragraphs == ["Twelve."]
    assert q2.paragraphs == ["These.", "Notes", "Still q2."]
    assert any(p.paragraphs == ["Planning", "Intro to planning."] and not p.anchor for p in found)
    assert found[-1].paragraphs == ["After the questions", "Not q2."] and not found[-1].anchor


def test_attributes_on_a_paragraph_do_not_make_the_next_heading_a_question() -> None:
    found = passages("{#q9 .question}\nA paragraph.\n\n### A heading\n\nText.\n")
    assert not any(p.anchor for p in found)


@pytest.mark.parametrize(("markdown", "text"), [
    (r"1\. What \*exactly\* is \<this\>?", "1. What *exactly* is <this>?"),
    ("**1.** Bold label", "1. Bold label"),
    ("[Open data](https://example.org) and [more](more/ \"More\").", "Open data and more."),
    ("AT&amp;T &#163;5 &bogus;", "AT&T £5 &bogus;"),
    ("snake_case stays, _emphasis_ goes", "snake_case stays, emphasis goes"),
])
def test_plain(markdown: str, text: str) -> None:
    assert plain(markdown) == text
    assert re.sub(r"\s+", " ", rendered_text(markdown)) == text


def test_an_images_description_is_text() -> None:
    assert plain("See ![a chart of spending](chart.png) below") == "See a chart of spending below"


def test_the_passages_kept_in_the_build_cache_keep_every_field() -> None:
    from foilog.build import _passages_record
    records = _passages_record("## Request\n\nHow many?\n\n## Response\n\nTen.\n")
    assert records and all(set(r) == {f.name for f in dataclasses.fields(Passage)} for r in records)
    assert [Passage(**r) for r in records] == passages("## Request\n\nHow many?\n\n## Response\n\nTen.\n")
