"""foilog.quickyaml reads front matter exactly as PyYAML's safe loader does (with LibYAML, where PyYAML has it, as
foilog reads pages): the same values of the same types, the same shared objects where an alias is used, the same
errors; on every kind of YAML named here, on every page in the repository, and on documents hypothesis makes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foilog.pages import _FRONT
from foilog.quickyaml import _BASE, QuickLoader, unreadable_value

from .helpers import REPO

PAGES = sorted(p for p in [*(REPO / "content").rglob("*.md"), *(REPO / "tests" / "golden").rglob("*.md")]
               if p.read_text(encoding="utf-8-sig").startswith("---"))

DOCUMENTS = {
    "empty": "",
    "a comment only": "# nothing here\n",
    "a scalar": "just text\n",
    "a list": "- a\n- 1\n- [x, {y: z}]\n",
    "scalars of every kind": (
        "s: text\nquoted: '007'\nint: 42\nhex: 0x1F\noctal: 017\nunderscored: 1_000\nsexagesimal: 1:30\n"
        "float: 1.5\nexp: 1e3\ninf: .inf\nnan: .nan\nbool: yes\nfalse: off\nnull: ~\nempty:\n"
        "date: 2024-03-12\ntime: 2024-03-12T10:30:00Z\nzoned: 2024-03-12 10:30:00 +01:00\n"
        "binary: !!binary aGVsbG8=\nexplicit: !!str 123\nforced: !!int '5'\nmultiline: |\n  a\n  b\n"
        "folded: >\n  a\n  b\n"),
    "keys that are not text": "1: one\n2024-01-01: date\ntrue: yes\n~: nothing\n1.5: float\n",
    "duplicate keys": "title: first\ntitle: second\n",
    "nesting": "questions:\n- id: q1\n  label: '1'\n  text: How many?\n  nested: {a: [1, 2, {b: c}]}\n",
    "an alias": "base: &shared [1, 2]\ncopy: *shared\nagain: *shared\n",
    "an alias of a scalar": "a: &x text\nb: *x\n",
    "a merge key": "base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n",
    "a set": "tags: !!set {a: null, b: null}\n",
    "an ordered map": "pairs: !!omap [a: 1, b: 2]\n",
    "pairs": "pairs: !!pairs [a: 1, a: 2]\n",
    "a key that is a list": "? [a, b]\n: c\n",
    "a key that is a mapping": "? {a: b}\n: c\n",
    "an unknown tag": "x: !custom thing\n",
    "a python tag": "x: !!python/object:os.system echo\n",
    "a date that is not one": "received: 2019-13-45\n",
    "a date that is not one, then a key that is a list": "title:\n- 2019-13-45\n? [k]\n: text\n",
    "a bad int": "x: !!int nope\n",
    "not YAML": "title: [unclosed\n",
    "a tab": "a:\n\t- b\n",
    "an explicit map and seq": "m: !!map {a: 1}\ns: !!seq [1]\n",
    "a document marker": "--- \na: 1\n...\n",
    "two documents": "a: 1\n---\nb: 2\n",
}


def _load(text: str, loader: type) -> tuple[str, Any]:
    try:
        return "value", yaml.load(text, Loader=loader)
    except Exception as exc:  # noqa: BLE001 - the same exception, whatever it is, is what is compared
        return "error", (type(exc), str(exc))


def _shape(value: Any, ids: dict[int, int]) -> Any:
    """The value as comparable data: each object's type, its value (NaN by its repr) and, for lists and dicts,
    which of them are the same object."""
    if isinstance(value, (dict, list)):
        first = ids.setdefault(id(value), len(ids))
        if isinstance(value, dict):
            return ("dict", first, [(_shape(k, ids), _shape(v, ids)) for k, v in value.items()])
        return ("list", first, [_shape(v, ids) for v in value])
    if isinstance(value, (set, tuple)):
        return (type(value).__name__, sorted(repr(_shape(v, ids)) for v in value))
    if isinstance(value, (dt.date, dt.datetime)):
        return (type(value).__name__, value.isoformat(), str(getattr(value, "tzinfo", None)))
    return (type(value).__name__, repr(value))


def _same(text: str) -> None:
    (kind, value), (safe_kind, safe_value) = _load(text, QuickLoader), _load(text, _BASE)
    assert kind == safe_kind, (value, safe_value)
    if kind == "error":
        assert value[0].__name__ == safe_value[0].__name__ and value[1] == safe_value[1]
    else:
        assert _shape(value, {}) == _shape(safe_value, {}) == _shape(yaml.load(text, Loader=yaml.SafeLoader), {})


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_every_kind_of_yaml_reads_as_safe_load_reads_it(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(REPO).as_posix() for p in PAGES])
def test_every_page_in_the_repository_reads_as_safe_load_reads_it(page: Path) -> None:
    match = _FRONT.match(page.read_text(encoding="utf-8-sig"))
    assert match, page
    _same(match.group(1) or "")


def test_an_alias_is_the_same_object_where_it_is_used() -> None:
    loaded = yaml.load("base: &shared [1, 2]\ncopy: *shared\n", Loader=QuickLoader)
    assert loaded["base"] is loaded["copy"]
    merged = yaml.load("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n", Loader=QuickLoader)
    assert merged["child"] == {"x": 1, "y": 3}


def test_a_date_that_cannot_exist_is_found_with_its_line() -> None:
    assert unreadable_value("title: T\nreceived: 2024-03-12\nothers:\n- x: 2024-02-30\n") == (3, "2024-02-30")
    assert unreadable_value("title: T\nreceived: 2024-03-12\n") is None
    assert unreadable_value("") is None


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(6))
UNWALKABLE = {
    "a list that holds itself": ("title: T\ntopics: &a [x, *a]\n", 2, "holds itself"),
    "a mapping that holds itself": ("title: T\nderived: &d\n  again: *d\n", 2, "holds itself"),
    "a list nested 65 deep": ("title: T\ntopics: " + "[" * 64 + "]" * 64 + "\n", 2, "nested more than 64"),
    "a list nested 65 deep, with an alias": (
        "title: &t T\ntopics: " + "[" * 64 + "*t" + "]" * 64 + "\n", 2, "nested more than 64"),
    "a billion laughs": (LAUGHS, 5, "more than 100,000 values"),  # e: 10 of d, which is 10 of c, ... of a
}


@pytest.mark.parametrize(("text", "line", "problem"), UNWALKABLE.values(), ids=UNWALKABLE.keys())
def test_front_matter_no_stage_could_walk_is_refused_with_its_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(yaml.YAMLError) as raised:
        yaml.load(text, Loader=QuickLoader)
    assert problem in str(raised.value)
    assert raised.value.problem_mark.line + 1 == line  # type: ignore[attr-defined]


def test_front_matter_64_deep_and_with_shared_aliases_is_read() -> None:
    _same("title: T\ntopics: " + "[" * 63 + "]" * 63 + "\n")  # the mapping and 63 lists
    _same("a: &a [x, x]\nb: [*a, *a, *a]\nc: [*a, *a]\n")


KEYS = ["title", "a", "b", "1", "true", "~", "<<", "2024-01-01", "'quoted'", "? [k]\n", "&k key", "*k"]
VALUES = ["text", "'007'", "42", "0x1F", "017", "1_000", "1:30", "-1.5", "1e3", ".inf", ".nan", "yes", "off", "~",
          "", "2024-03-12", "2024-03-12T10:30:00Z", "2019-13-45", "!!str 123", "!!int '5'", "!!int nope",
          "!!binary aGVsbG8=", "!!set {a: null}", "!!omap [a: 1]", "!custom t", "[a, 1, {b: c}]", "{a: [b]}",
          "&x v", "*x", "&y [1, 2]", "[*y, *y]", "*y", "'it''s'", '"caf\\u00e9"', "|\n  a\n  b", "[unclosed", "\t- b"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES), st.integers(0, 2)), max_size=8))
def test_documents_made_of_every_kind_of_key_and_value_read_as_safe_load_reads_them(
        entries: list[tuple[str, str, int]]) -> None:
    lines = []
    for key, value, nesting in entries:
        item = f"{key}: {value}" if nesting != 1 else f"{key}:\n- {value}"
        lines.append(item if nesting != 2 else f"{key}:\n  inner: {value}")
    _same("\n".join(lines) + "\n")
