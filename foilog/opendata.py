"""Open data: every letter's metadata as data/letters.csv and data/letters.json, one row per letter, and
data/datapackage.json (Frictionless Data) describing both. Column names are stable: docs/data.md."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .config import SiteConfig
from .model import OUTCOMES, Letter
from .urls import DATA_FILES, absolute, is_full_url, letter_key, slugify

LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    letter: Letter
    path: str  # the letter's page, from the site's root
    url: str   # its full address, or "" when base_url is a path


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type
    description: str
    value: Callable[[Row], Any]
    constraints: tuple[tuple[str, Any], ...] = ()


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


COLUMNS: tuple[Column, ...] = (
    Column("reference", "string", "The authority's reference for the request, as its letter gives it. Usually "
           "unique, but two letters can share one.", lambda r: str(r.letter.reference or "")),
    Column("title", "string", "A short title for the request.", lambda r: r.letter.title),
    Column("summary", "string", "One sentence on what was asked.", lambda r: r.letter.summary),
    Column("authority", "string", "The public authority that answered.", lambda r: r.letter.authority),
    Column("regime", "string", "The law the request was handled under: `FOIA` (Freedom of Information Act 2000) "
           "or `EIR` (Environmental Information Regulations 2004).", lambda r: r.letter.regime,
           (("enum", ["FOIA", "EIR"]),)),
    Column("received", "date", "The date the request was received, as YYYY-MM-DD; empty when not known.",
           lambda r: _date(r.letter.received)),
    Column("responded", "date", "The date of the response, as YYYY-MM-DD; empty when not known.",
           lambda r: _date(r.letter.responded)),
    Column("working_days", "integer", "Working days taken to answer, counted as FOIA s.10(6) counts them (the day "
           "after receipt is day 1; weekends and UK bank holidays do not count); empty when a date is not known.",
           lambda r: r.letter.working_days, (("minimum", 0),)),
    Column("late", "boolean", "`true` when the response took longer than the working-day limit, `false` when it "
           "did not, empty when not known.", lambda r: r.letter.late),
    Column("outcome", "string", "`successful` (information provided), `partially-successful` (some provided), "
           "`refused` or `not-held`.", lambda r: r.letter.outcome, (("enum", list(OUTCOMES)),)),
    Column("exemptions", "array", "The exemptions applied, such as `FOIA s.40(2)` or `EIR reg.12(5)(e)`. In the "
           "CSV file they are separated by `; `.", lambda r: list(r.letter.exemptions)),
    Column("topics", "array", "The letter's topics. In the CSV file they are separated by `; `.",
           lambda r: list(r.letter.topics)),
    Column("questions", "integer", "How many questions the request asked, as the page lists them.",
           lambda r: len(r.letter.questions), (("minimum", 0),)),
    Column("path", "string", "The letter's page, from the site's root, such as `letters/2020/6251688/`. Unique.",
           lambda r: r.path, (("required", True), ("unique", True))),
    Column("url", "string", "The page's full address; empty when the site's `base_url` is not a full URL.",
           lambda r: r.url),
)


def rows(letters: list[Letter], urls: dict[str, str], base_url: str) -> list[Row]:
    """One row per letter, ordered by page path so the files are the same from build to build."""
    made = [Row(le, urls[letter_key(le)], absolute(base_url, urls[letter_key(le)]) if is_full_url(base_url) else "")
            for le in letters]
    return sorted(made, key=lambda r: r.path)


def records(table: list[Row]) -> list[dict[str, Any]]:
    return [{column.name: column.value(row) for column in COLUMNS} for row in table]


def to_json(table: list[Row]) -> str:
    """A JSON array with one object per letter, one letter a line."""
    lines = [json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) for record in records(table)]
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def csv_cell(value: Any) -> str:
    """A CSV cell: lists joined, booleans as true/false, nothing for unknown, and text that a spreadsheet
    would run as a formula (it starts with = + - @) prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(table: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in COLUMNS])
    for record in records(table):
        writer.writerow([csv_cell(record[column.name]) for column in COLUMNS])
    return out.getvalue()


def _schema(flat_lists: bool) -> dict[str, Any]:
    fields = []
    for column in COLUMNS:
        kind = "string" if flat_lists and column.type == "array" else column.type
        field: dict[str, Any] = {"name": column.name, "type": kind, "description": column.description}
        if kind == "date":
            field["format"] = "default"
        if column.constraints:
            field["constraints"] = dict(column.constraints)
        fields.append(field)
    return {"fields": fields, "primaryKey": ["path"], "missingValues": [""]}


def _resource(name: str, path: str, text: str, fmt: str, mediatype: str, description: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "name": name, "path": path, "profile": "tabular-data-resource", "title": description,
        "format": fmt, "mediatype": mediatype, "encoding": "utf-8",
    }
    if fmt == "csv":  # frictionless reads JSON through a parser that cannot count bytes, so only the CSV gets these
        data = text.encode("utf-8")
        resource["bytes"] = len(data)
        resource["hash"] = hashlib.md5(data, usedforsecurity=False).hexdigest()
    resource["schema"] = _schema(flat_lists=fmt == "csv")
    return resource


def datapackage(config: SiteConfig, base_url: str, csv_text: str, json_text: str) -> str:
    """datapackage.json (Frictionless Data Package v1), describing both files and their columns."""
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": slugify(config.title),
        "title": config.title,
        "description": config.description,
    }
    if is_full_url(base_url):
        package["homepage"] = absolute(base_url, "")
    if config.licence:
        licence = {"title": config.licence}
        if config.licence_url:
            licence["path"] = config.licence_url
        package["licenses"] = [{"name": slugify(config.licence), **licence}]
    package["resources"] = [
        _resource("letters-csv", _name(DATA_FILES["csv"]), csv_text, "csv", "text/csv",
                  "Every letter's metadata, one row per letter (CSV)"),
        _resource("letters-json", _name(DATA_FILES["json"]), json_text, "json", "application/json",
                  "Every letter's metadata, one object per letter (JSON)"),
    ]
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"


def _name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def open_data(letters: list[Letter], urls: dict[str, str], config: SiteConfig, base_url: str) -> dict[str, str]:
    """The three files, by their place in the site."""
    table = rows(letters, urls, base_url)
    csv_text, json_text = to_csv(table), to_json(table)
    return {DATA_FILES["csv"]: csv_text, DATA_FILES["json"]: json_text,
            DATA_FILES["datapackage"]: datapackage(config, base_url, csv_text, json_text)}
