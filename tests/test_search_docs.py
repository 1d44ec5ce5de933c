"""The search docs keep up with the code: the ids, slots and messages search.js uses, the fields and thresholds."""

from __future__ import annotations

import re

from foilog import index

from .helpers import REPO
from .test_docs import table_rows

SCRIPT = (REPO / "foilog" / "static" / "search.js").read_text(encoding="utf-8")
THEMING = REPO / "docs" / "theming-search.md"
SEARCH_DOC = REPO / "docs" / "search.md"
THEMES = {name: (REPO / "themes" / name / "templates" / "search.html").read_text(encoding="utf-8")
          for name in ("govuk", "plain")}


def ids_used() -> set[str]:
    return set(re.findall(r"querySelector\('#([\w-]+)'\)", SCRIPT)) | set(
        re.findall(r"getElementById\('([\w-]+)'\)", SCRIPT))


def test_every_element_the_script_needs_is_documented_and_in_every_theme() -> None:
    documented = THEMING.read_text(encoding="utf-8")
    used = ids_used()
    assert {"search", "search-input", "search-results", "search-result-template"} <= used
    for name in sorted(used):
        assert f"#{name}`" in documented or f'id="{name}"' in documented, f"docs/theming-search.md lacks #{name}"
        for theme, template in THEMES.items():
            assert f'id="{name}"' in template, f"the {theme} theme's search.html lacks #{name}"


def test_every_slot_is_documented() -> None:
    documented = THEMING.read_text(encoding="utf-8")
    slots = set(re.findall(r"slot\((?:node|item), '(\w+)'\)", SCRIPT))
    assert {"link", "title", "snippet", "legend", "input"} <= slots
    for name in sorted(slots):
        assert f'`{name}`' in documented or f'data-slot="{name}"' in documented, f"slot {name} is not documented"


def test_every_message_is_documented_with_its_default() -> None:
    block = SCRIPT[SCRIPT.index("var MESSAGES = {"):SCRIPT.index("}", SCRIPT.index("var MESSAGES = {"))]
    messages = dict(re.findall(r"(\w+): '((?:[^'\\]|\\.)*)'", block))
    rows = table_rows(THEMING)
    documented = {name: cells for names, cells in rows.items() for name in names.split(" / ")}
    text = THEMING.read_text(encoding="utf-8")
    for key, default in messages.items():
        assert f"`{key}`" in text, f"message {key} is not documented"
        assert default in text.replace("\\'", "'"), f"message {key}'s default {default!r} is not documented"
    assert documented


def test_the_fields_and_boosts_are_documented() -> None:
    rows = table_rows(SEARCH_DOC)
    for name, boost in index.FIELDS:
        assert name in rows, f"docs/search.md lacks the field {name}"
        assert rows[name][1] == str(boost), f"{name}: the docs say boost {rows[name][1]}, the code {boost}"


def test_the_thresholds_are_documented() -> None:
    text = " ".join(SEARCH_DOC.read_text(encoding="utf-8").split())
    assert f"more than {index.COMMON_SHARE:.0%} of the letters (and in at least {index.COMMON_MIN})" in text
    assert f"at least {index.SHARED_PARAGRAPH_SHARE:.0%} of the letters (and at least {index.SHARED_PARAGRAPH_MIN})" \
        in text
    assert f"about {index.SHARD_BYTES // 1000} kB of JSON" in text
