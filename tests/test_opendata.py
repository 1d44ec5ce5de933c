"""Open data: data/letters.csv and data/letters.json agree with the letter pages' front matter, and
data/datapackage.json describes both well enough for the frictionless package to validate them."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from frictionless import validate

from foilog.opendata import COLUMNS

from .archive_pages import Facts, front_matter_facts
from .helpers import REPO, BuiltSite, build_project, make_project
from .synthetic import write_archive

BASE = "https://foi.example.org/archive/"


def _expected(f: Facts) -> dict[str, Any]:
    """A row as the front matter says it should be, written out independently of foilog."""
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "reference": str(f.reference or ""), "title": f.title, "summary": f.summary, "authority": f.authority,
        "regime": f.regime, "received": iso(f.received), "responded": iso(f.responded),
        "working_days": f.working_days, "late": f.late, "outcome": f.outcome,
        "exemptions": list(f.exemptions or []), "topics": list(f.topics or []),
        "questions": len(f.questions or []), "path": f.url, "url": BASE + f.url,
    }


def _csv_rows(site: BuiltSite) -> list[dict[str, str]]:
    data = (site.output / "data" / "letters.csv").read_bytes()
    assert b"\r\n" in data and data.decode("utf-8")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_the_data_package_validates_with_frictionless(synthetic_site: BuiltSite) -> None:
    report = validate(str(synthetic_site.output / "data" / "datapackage.json"))
    problems = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    assert report.valid, "\n".join(problems[:20])
    assert [task.name for task in report.tasks] == ["letters-csv", "letters-json"]
    assert all(task.stats["rows"] == 90 for task in report.tasks)


def test_the_data_package_describes_both_files(synthetic_site: BuiltSite) -> None:
    package = json.loads((synthetic_site.output / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package" and package["title"] == "Made-up archive"
    assert package["licenses"][0]["path"].startswith("https://www.nationalarchives.gov.uk/")
    assert package["homepage"] == BASE
    for resource in package["resources"]:
        assert [f["name"] for f in resource["schema"]["fields"]] == [c.name for c in COLUMNS]
        assert resource["schema"]["primaryKey"] == ["path"]
        assert all(f.get("description") for f in resource["schema"]["fields"])


def test_the_json_agrees_with_the_front_matter(synthetic_site: BuiltSite) -> None:
    rows = json.loads((synthetic_site.output / "data" / "letters.json").read_text(encoding="utf-8"))
    facts = front_matter_facts(synthetic_site)
    assert rows == [_expected(f) for f in sorted(facts, key=lambda f: f.url)]
    assert all(list(row) == [c.name for c in COLUMNS] for row in rows), "stable column order"


def test_the_csv_agrees_with_the_front_matter(synthetic_site: BuiltSite) -> None:
    rows = _csv_rows(synthetic_site)
    facts = sorted(front_matter_facts(synthetic_site), key=lambda f: f.url)
    assert len(rows) == len(facts) == 90
    for row, f in zip(rows, facts, strict=True):
        want = _expected(f)
        for name, value in want.items():
            if isinstance(value, list):
                assert row[name] == "; ".join(value), name
            elif isinstance(value, bool):
                assert row[name] == ("true" if value else "false"), name
            elif value is None:
                assert row[name] == "", name
            else:
                assert row[name] == str(value), f"{f.url} {name}"
    assert list(rows[0]) == [c.name for c in COLUMNS]


def test_dates_are_iso_and_unknown_values_are_empty(synthetic_site: BuiltSite) -> None:
    for row in _csv_rows(synthetic_site):
        for name in ("received", "responded"):
            assert row[name] == "" or re.fullmatch(r"\d{4}-\d\d-\d\d", row[name])
    assert any(row["responded"] == "" for row in _csv_rows(synthetic_site)), "the made-up archive has an undated letter"


def test_spreadsheet_formulas_are_defused_in_the_csv_only(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "project", 3, themes=REPO / "themes")
    (root / "site_src" / "site.toml").write_text(f'base_url = "{BASE}"\n', encoding="utf-8")
    page = sorted((root / "content" / "letters").rglob("*.md"))[0]
    formula = '=HYPERLINK("http://evil.example/","click")'
    text = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"^title: .*$", lambda _: "title: " + json.dumps(formula), text, count=1, flags=re.M),
                    encoding="utf-8")
    site = BuiltSite(root, build_project(root))
    titles = [row["title"] for row in _csv_rows(site)]
    assert "'" + formula in titles and formula not in titles
    rows = json.loads((root / "output" / "data" / "letters.json").read_text(encoding="utf-8"))
    assert formula in [row["title"] for row in rows]
    assert validate(str(root / "output" / "data" / "datapackage.json")).valid


@pytest.mark.parametrize("damage", [
    ("csv", lambda text: text.replace(",successful,", ",maybe,", 1)),                  # not an outcome
    ("csv", lambda text: re.sub(r",(\d+),(true|false),", r",many,\2,", text, count=1)),  # working_days not a number
    ("csv", lambda text: text + text.splitlines()[1] + "\r\n"),                           # the same path twice
    ("json", lambda text: text.replace('"late": false', '"late": "perhaps"', 1)),
])
def test_the_validation_can_fail(synthetic_site: BuiltSite, tmp_path: Path, damage: tuple[str, Any]) -> None:
    data = tmp_path / "data"
    shutil.copytree(synthetic_site.output / "data", data)
    which, change = damage
    target = data / f"letters.{which}"
    original = target.read_text(encoding="utf-8")
    assert change(original) != original, "the damage did not apply"
    target.write_text(change(original), encoding="utf-8", newline="")
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:  # the size and hash would catch any change: test the schema instead
        resource.pop("bytes", None)
        resource.pop("hash", None)
    (data / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    assert not validate(str(data / "datapackage.json")).valid


def test_a_changed_csv_fails_its_hash(synthetic_site: BuiltSite, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(synthetic_site.output / "data", data)
    csv_file = data / "letters.csv"
    csv_file.write_bytes(csv_file.read_bytes().replace(b"Example Council", b"Example Counc1l", 1))
    assert not validate(str(data / "datapackage.json")).valid


def test_the_example_sites_open_data(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", whole_example=True)
    build_project(root)
    assert validate(str(root / "output" / "data" / "datapackage.json")).valid
    rows = json.loads((root / "output" / "data" / "letters.json").read_text(encoding="utf-8"))
    assert len(rows) == 5 and all(row["url"].startswith("https://foi.example.org/letters/") for row in rows)
    package = json.loads((root / "output" / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["title"] == "Open Government Licence v3.0"
