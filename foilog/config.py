"""`site.toml`: a typed schema that reports every error at once, naming the key."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import FoilogError
from .privacy import RULES, PrivacySettings
from .urls import base_url_problem, is_full_url

DEFAULT_TOPICS: dict[str, list[str]] = {
    "Technology and digital": [
        "software", "video conferenc", "laptop", "tablet", "mobile phone", "smartphone", "zoom",
        "microsoft teams", "skype", "office 365", "chatbot", "artificial intelligence", "ai ",
        "digital", "document management", "cyber", "it contract", "licences", "website",
    ],
    "Remote and flexible working": ["remote work", "working from home", "flexible work", "home working"],
    "Children and social care": [
        "children", "vulnerable", "social worker", "social care", "fostering", "safeguarding",
        "adult care",
    ],
    "Coronavirus": ["covid", "coronavirus", "lockdown", "pandemic"],
    "Housing": ["housing", "homeless", "tenant", "council homes"],
    "Planning and environment": [
        "planning application", "planning permission", "planning policy", "air quality", "pollution",
        "trees", "flood", "waste", "recycling", "climate",
    ],
    "Roads and transport": [
        "parking", "pothole", "roads", "road safety", "highway", "traffic", "transport", "cycle lane", "cycling",
    ],
    "Finance and contracts": [
        "contract value", "contracts", "spend", "budget", "procurement", "tender", "invoice", "supplier",
    ],
    "Staff and HR": ["employees", "staff", "salary", "recruitment", "agency workers"],
    "Customer services": ["customer service", "virtual appointments", "complaints", "contact centre"],
}


@dataclass(frozen=True)
class Option:
    key: str
    kind: type
    doc: str


@dataclass
class Brand:
    """The authority's look: `[brand]` in site.toml."""

    colour: str = ""
    logo: str = ""
    logo_alt: str | None = None


LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")
BRAND_OPTIONS: tuple[Option, ...] = (
    Option("colour", str, "The authority's colour as a hex code such as `#00625e`: the header's background. "
           "White text must stand out on it (the build warns when it does not)."),
    Option("logo", str, "The authority's logo: a path inside `site_src/` to an SVG, PNG, JPEG, GIF or WebP file, "
           "shown in the header of every page."),
    Option("logo_alt", str, "What the logo says, read out by screen readers and shown if it cannot load. "
           "Set it to `\"\"` when the logo has no words, and the authority's name is shown beside it."),
)


OPTIONS: tuple[Option, ...] = (
    Option("title", str, "The site's name, shown in the header and the browser tab."),
    Option("description", str, "One sentence about the archive, shown on the home page and in metadata."),
    Option("authority", str, "The authority whose letters these are; used when a letter does not name it."),
    Option("base_url", str, "Where the site will live: a path such as `/foi/` or a full URL. "
           "Links are relative either way; this sets canonical addresses. `--base-url` overrides it."),
    Option("theme", str, "Name of a folder under `themes/`."),
    Option("language", str, "The site's language tag, for the `lang` attribute."),
    Option("per_page", int, "How many letters each page of the full list shows."),
    Option("latest", int, "How many of the latest responses the home page shows."),
    Option("working_day_limit", int,
           "The statutory limit in working days (FOIA s.10(1)); longer responses are marked late."),
    Option("feed_entries", int, "How many of the latest responses each Atom feed holds."),
    Option("licence", str, "The licence the letters and the open data are published under, by name; "
           "shown on the open data page and written into datapackage.json."),
    Option("licence_url", str, "The licence's full address (https://…)."),
    Option("topics", dict, "The topic taxonomy: each topic name maps to a list of keywords (matched "
           "case-insensitively against the request; a keyword matches at the start of a word)."),
    Option("brand", Brand, "The authority's colour and logo, as a `[brand]` table."),
    Option("privacy", PrivacySettings, "The personal-data guard: `allow` (text that may be published), "
           "`role_addresses` (team mailbox names) and `rules` (which checks run)."),
)
PRIVACY_OPTIONS: tuple[Option, ...] = (
    Option("allow", list, "Numbers, addresses and names that may be published, added to the built-in list "
           "(the ICO helpline)."),
    Option("role_addresses", list, "Mailbox names (the part before @) of teams, not people, added to the "
           "built-in list."),
    Option("rules", list, f"The checks to run, any of: {', '.join(RULES)} (all by default)."),
)


@dataclass
class SiteConfig:
    title: str = "FOI disclosure log"
    description: str = "Responses to Freedom of Information and Environmental Information requests."
    authority: str = ""
    base_url: str = "/"
    theme: str = "govuk"
    language: str = "en-GB"
    per_page: int = 20
    latest: int = 10
    working_day_limit: int = 20
    feed_entries: int = 20
    licence: str = ""
    licence_url: str = ""
    topics: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_TOPICS.items()})
    brand: Brand = field(default_factory=Brand)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    path: Path | None = None


def load_config(path: Path) -> SiteConfig:
    """Read `site.toml`; a missing file gives the defaults; every bad key is reported at once."""
    if not path.exists():
        return SiteConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise FoilogError("site.toml is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise FoilogError(f"site.toml is not valid TOML: {exc}", file=path, line=line,
                          hint="check quotes, brackets and `key = value` form on that line") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path | None = None) -> SiteConfig:
    errors: list[str] = []
    known = {o.key: o for o in OPTIONS}
    values: dict[str, Any] = {}
    for key, value in data.items():
        option = known.get(key)
        if option is None:
            errors.append(_unknown(key, known))
            continue
        if option.kind is Brand:
            brand, problems = _brand(value)
            errors.extend(problems)
            values[key] = brand
            continue
        if option.kind is PrivacySettings:
            privacy, problems = _privacy(value)
            errors.extend(problems)
            values[key] = privacy
            continue
        problem = _check(option, value)
        if problem:
            errors.append(f"`{key}` {problem}")
        else:
            values[key] = value
    if errors:
        raise FoilogError(
            "site.toml has " + ("an error" if len(errors) == 1 else f"{len(errors)} errors") + ":\n  - "
            + "\n  - ".join(errors),
            file=path, hint="correct the keys named above; docs/configuration.md lists every option")
    config = SiteConfig(**values, path=path)
    return config


def _unknown(key: str, known: dict[str, Option], table: str = "") -> str:
    guess = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean `{table}{guess[0]}`? " if guess else ""
    if not table and key in {o.key for o in BRAND_OPTIONS}:
        hint = f"`{key}` goes under a `[brand]` heading; "
    return f"unknown key `{table}{key}` ({hint}known keys: {', '.join(sorted(known))})"


def _brand(value: Any) -> tuple[Brand, list[str]]:
    """The `[brand]` table, and what is wrong with it."""
    if not isinstance(value, dict):
        return Brand(), ["`brand` must be a table: a `[brand]` heading with `colour`, `logo` and `logo_alt` below it"]
    known = {o.key: o for o in BRAND_OPTIONS}
    errors: list[str] = []
    values: dict[str, str] = {}
    for key, item in value.items():
        if key not in known:
            errors.append(_unknown(key, known, "brand."))
        elif not isinstance(item, str):
            errors.append(f"`brand.{key}` must be a string, not {item!r}")
        elif key == "colour" and not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", item):
            errors.append(f"`brand.colour` must be a hex colour such as \"#00625e\", not {item!r}")
        elif key == "logo" and _logo_problem(item):
            errors.append(f"`brand.logo` {_logo_problem(item)}")
        else:
            values[key] = normalise_colour(item) if key == "colour" else item
    return Brand(**values), errors


def normalise_colour(hex_colour: str) -> str:
    """A hex colour as lower-case six digits: #ABC -> #aabbcc."""
    digits = hex_colour.lstrip("#").lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def _logo_problem(path: str) -> str | None:
    posix = PurePosixPath(path.replace("\\", "/"))
    if not path.strip() or posix.is_absolute() or ".." in posix.parts or re.match(r"[A-Za-z]:", path):
        return f"must be a path inside site_src/ such as \"logo.svg\", not {path!r}"
    if posix.suffix.lower() not in LOGO_TYPES:
        return f"must be an image file ({', '.join(LOGO_TYPES)}), not {path!r}"
    return None


def _check(option: Option, value: Any) -> str | None:
    if option.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {value!r}"
        if value < 1:
            return f"must be 1 or more, not {value}"
        return None
    if option.kind is str:
        if not isinstance(value, str):
            return f"must be a string, not {value!r}"
        if option.key == "base_url":
            return base_url_problem(value)
        if option.key == "licence_url" and value and (not is_full_url(value) or base_url_problem(value)):
            return f"must be a full http(s):// address, not {value!r}"
        if option.key == "theme" and not re.fullmatch(r"[A-Za-z0-9_-]+", value):
            return f"must be a theme folder name (letters, digits, - and _), not {value!r}"
        return None
    if not isinstance(value, dict):
        return "must be a table of topic = [keywords]"
    for topic, words in value.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            return f"topic {topic!r} must map to a list of non-empty keyword strings"
    return None


def _privacy(value: Any) -> tuple[PrivacySettings, list[str]]:
    """The `[privacy]` table, and what is wrong with it."""
    if not isinstance(value, dict):
        return PrivacySettings(), ["`privacy` must be a table: a `[privacy]` heading with `allow`, `role_addresses` "
                                   "and `rules` below it"]
    known = {o.key: o for o in PRIVACY_OPTIONS}
    errors: list[str] = []
    values: dict[str, list[str]] = {}
    for key, entries in value.items():
        if key not in known:
            errors.append(_unknown(key, known, "privacy."))
        elif not isinstance(entries, list) or not all(isinstance(e, str) and e.strip() for e in entries):
            errors.append(f"`privacy.{key}` must be a list of non-empty strings, not {entries!r}")
        elif key == "rules" and (unknown := [e for e in entries if e not in RULES]):
            errors.append(f"`privacy.rules` names unknown rules {unknown} (the rules are: {', '.join(RULES)})")
        elif key == "role_addresses" and (bad := [e for e in entries if not re.fullmatch(r"[\w.+-]+", e)]):
            errors.append(f"`privacy.role_addresses` must hold mailbox names without @ or spaces, not {bad}")
        else:
            values[key] = entries
    return PrivacySettings(**values), errors


def config_keys() -> list[str]:
    return [f.name for f in fields(SiteConfig) if f.name != "path"]


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
