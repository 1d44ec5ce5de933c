"""The docs keep up with the code: every front-matter key, site.toml option, command-line option and exit code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from foilog.cli import COMMANDS, EPILOG, parsers
from foilog.config import BRAND_OPTIONS, OPTIONS, PRIVACY_OPTIONS, Brand, SiteConfig
from foilog.opendata import COLUMNS
from foilog.pages import FRONT_MATTER_KEYS, KEPT_KEYS

from .helpers import REPO

DOCS = REPO / "docs"


def table_rows(path: Path) -> dict[str, list[str]]:
    """Each table row of a markdown file, keyed by every `code` name in its first cell."""
    rows: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or re.fullmatch(r"[|\s:-]+", line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for name in re.findall(r"`([^`]+)`", cells[0]):
            rows[name] = cells
    return rows


def long_options() -> list[str]:
    """Every long option of every command."""
    return sorted({s for p in parsers().values() for action in p._actions for s in action.option_strings
                   if s.startswith("--")})


def test_the_docs_exist() -> None:
    for name in ("front-matter.md", "configuration.md", "command-line.md", "theming.md"):
        assert (DOCS / name).is_file(), name


@pytest.mark.parametrize("key", FRONT_MATTER_KEYS)
def test_front_matter_key_is_documented(key: str) -> None:
    rows = table_rows(DOCS / "front-matter.md")
    assert key in rows, f"docs/front-matter.md has no table row for `{key}`"
    cells = rows[key]
    assert len(cells) >= 5 and all(cells[1:5]), f"`{key}` needs its type, meaning, example and hand-editability"
    kept = cells[-1].lower()
    assert kept.startswith("yes" if key in KEPT_KEYS else "no"), \
        f"`{key}`: the docs say {cells[-1]!r}, but the code {'keeps' if key in KEPT_KEYS else 'does not keep'} it"


def test_front_matter_docs_list_no_stale_keys() -> None:
    rows = table_rows(DOCS / "front-matter.md")
    stale = [k for k, cells in rows.items() if len(cells) >= 5 and k == cells[0].strip("`")
             and re.fullmatch(r"[a-z_0-9]+", k) and k not in FRONT_MATTER_KEYS]
    assert not stale, f"docs/front-matter.md documents keys the code no longer writes: {stale}"


def test_front_matter_docs_explain_regeneration() -> None:
    text = (DOCS / "front-matter.md").read_text(encoding="utf-8")
    for words in ("derived", "fingerprint", "reader_version", "source_sha256", "--clean"):
        assert words in text


@pytest.mark.parametrize("key", [o.key for o in OPTIONS])
def test_site_toml_option_is_documented(key: str) -> None:
    rows = table_rows(DOCS / "configuration.md")
    assert key in rows, f"docs/configuration.md has no table row for `{key}`"
    cells = rows[key]
    default = getattr(SiteConfig(), key)
    if isinstance(default, (str, int)):
        shown = f'"{default}"' if isinstance(default, str) else str(default)
        assert f"`{shown}`" in cells[2], f"`{key}`: the documented default {cells[2]!r} is not `{shown}`"


@pytest.mark.parametrize("key", [o.key for o in BRAND_OPTIONS])
def test_brand_option_is_documented(key: str) -> None:
    rows = table_rows(DOCS / "configuration.md")
    assert f"brand.{key}" in rows, f"docs/configuration.md has no table row for `brand.{key}`"
    default = getattr(Brand(), key)
    if isinstance(default, str):
        assert f'`"{default}"`' in rows[f"brand.{key}"][2]


def test_theming_docs_exist_and_are_linked() -> None:
    assert (DOCS / "theming.md").is_file()
    assert "docs/theming.md" in (REPO / "README.md").read_text(encoding="utf-8")


def test_configuration_docs_have_a_topics_example() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert re.search(r"```toml\n(?:.*\n)*?\[topics\]\n\"[^\"]+\" = \[", text), "no [topics] example"


@pytest.mark.parametrize("option", long_options())
def test_command_line_option_is_documented(option: str) -> None:
    rows = table_rows(DOCS / "command-line.md")
    documented = {name.split()[0] for name in rows}
    assert option in documented, f"docs/command-line.md has no table row for `{option}`"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_command_is_documented(command: str) -> None:
    rows = table_rows(DOCS / "command-line.md")
    assert command in rows, f"docs/command-line.md has no table row for the command `{command}`"


@pytest.mark.parametrize("key", [o.key for o in PRIVACY_OPTIONS])
def test_privacy_option_is_documented(key: str) -> None:
    rows = table_rows(DOCS / "configuration.md")
    assert f"privacy.{key}" in rows, f"docs/configuration.md has no table row for `privacy.{key}`"


@pytest.mark.parametrize("code", re.findall(r"^\s+(\d+)\s", EPILOG, re.M))
def test_exit_code_is_documented(code: str) -> None:
    rows = table_rows(DOCS / "command-line.md")
    assert code in rows, f"docs/command-line.md has no table row for exit code `{code}`"


def test_every_exit_code_in_the_epilog() -> None:
    assert re.findall(r"^\s+(\d+)\s", EPILOG, re.M) == ["0", "1", "2", "3", "130"]


def test_docs_links_resolve() -> None:
    for doc in sorted(DOCS.glob("*.md")) + [REPO / "README.md"]:
        if not doc.is_file():
            continue
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if target.startswith(("http:", "https:", "mailto:", "#")):
                continue
            path = (doc.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{doc.relative_to(REPO)} links to {target}, which does not exist"


# ---------------------------------------------------------------- open data columns: docs/data.md

@pytest.mark.parametrize("column", [c.name for c in COLUMNS])
def test_open_data_column_is_documented(column: str) -> None:
    rows = table_rows(DOCS / "data.md")
    assert column in rows, f"docs/data.md has no table row for the open data column `{column}`"
    kind = next(c.type for c in COLUMNS if c.name == column)
    assert rows[column][1] == kind, f"`{column}`: docs/data.md says {rows[column][1]!r}, the data package {kind!r}"
    assert rows[column][2], f"`{column}` needs a description"


def test_open_data_docs_list_the_columns_in_order_and_no_others() -> None:
    text = (DOCS / "data.md").read_text(encoding="utf-8")
    table = text[text.index("| column | type |"):].split("\n\n")[0]
    documented = [re.findall(r"`([^`]+)`", line.split("|")[1])[0] for line in table.splitlines()[2:]]
    assert documented == [c.name for c in COLUMNS]
