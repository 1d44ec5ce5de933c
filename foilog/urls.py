"""Every URL and output path, computed in one place."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .model import Letter

_RESERVED_ON_WINDOWS = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)")


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """A safe, readable path segment: "EIR 22/1187" -> "eir-22-1187"; never "..", never a name Windows reserves."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:80].strip("-") or "letter"
    return f"letter-{slug}" if _RESERVED_ON_WINDOWS.fullmatch(slug) else slug


def letter_year(letter: Letter) -> str:
    date = letter.responded or letter.received
    return str(date.year) if date else "undated"


def letter_slug(letter: Letter) -> str:
    return slugify(letter.reference or Path(letter.source).stem)


def page_path_for(content_dir: Path, letter: Letter, taken: set[Path]) -> Path:
    """`content/letters/<year>/<reference-slug>.md`, made unique when two letters share a reference."""
    folder = content_dir / "letters" / letter_year(letter)
    slug = letter_slug(letter)
    path = folder / f"{slug}.md"
    number = 2
    while path in taken:
        path = folder / f"{slug}-{number}.md"
        number += 1
    taken.add(path)
    return path


def letter_key(letter: Letter) -> str:
    """What a letter's URL is looked up by: its source file, else its page."""
    return letter.source or str(letter.page)


def letter_url(page: Path, content_dir: Path) -> str:
    """A letter page's URL follows its content path: letters/2020/6251688/."""
    relative = page.relative_to(content_dir).with_suffix("")
    return "/".join(slugify(part) if i else part for i, part in enumerate(relative.parts)) + "/"


def list_url(number: int) -> str:
    return listing_url(ALL_LETTERS, DEFAULT_SORT, number)


# ---------------------------------------------------------------- browse pages

ALL_LETTERS = "letters/"
DEFAULT_SORT = "answered"
BROWSE = "browse/"
YEARS = "years/"
TOPICS = "topics/"
EXEMPTIONS = "exemptions/"
OUTCOMES = "outcomes/"
LATE = "late/"
STATISTICS = "statistics/"
OPEN_DATA = "data/"
SEARCH = "search/"
NOT_FOUND = "404.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
DATA_FILES = {"csv": "data/letters.csv", "json": "data/letters.json", "datapackage": "data/datapackage.json"}


def listing_url(section: str, sort: str = DEFAULT_SORT, number: int = 1) -> str:
    """One page of a listing in one order: topics/housing/, topics/housing/by-received/page/2/ ..."""
    path = section if sort == DEFAULT_SORT else f"{section}by-{sort}/"
    return path if number == 1 else f"{path}page/{number}/"


def year_url(year: str) -> str:
    return f"{YEARS}{year}/"


def month_url(year: str, month: int) -> str:
    return f"{YEARS}{year}/{month:02d}/"


def topic_url(slug: str) -> str:
    return f"{TOPICS}{slug}/"


def topic_feed_url(slug: str) -> str:
    return f"{TOPICS}{slug}/{FEED}"


def exemption_url(slug: str) -> str:
    return f"{EXEMPTIONS}{slug}/"


def outcome_url(outcome: str) -> str:
    return f"{OUTCOMES}{outcome}/"


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """A distinct slug for each name, in sorted order so the same names always get the same slugs."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        slug = base = slugify(name)
        number = 2
        while slug in taken:
            slug = f"{base}-{number}"
            number += 1
        taken.add(slug)
        slugs[name] = slug
    return slugs


def extra_page_url(path: Path, pages_dir: Path) -> str:
    return "/".join(slugify(p) for p in path.relative_to(pages_dir).with_suffix("").parts) + "/"


def output_path(url: str) -> str:
    """Where a URL's file goes inside the output folder."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


def relative(from_url: str, to_url: str) -> str:
    """A link from one page to another that works wherever the site is served from.

    Both are addresses from the site's root ("letters/2020/6251688/", "assets/style.css", "" for the home
    page); the link climbs out of the folders the two do not share, then down into the target.
    """
    here = from_url.split("/")[:-1]
    there = to_url.split("/")
    shared = 0
    limit = min(len(here), len(there) - 1)
    while shared < limit and here[shared] == there[shared]:
        shared += 1
    return "../" * (len(here) - shared) + "/".join(there[shared:]) or "./"


def absolute(base_url: str, url: str) -> str:
    """The canonical address of a page, from `base_url` (a path or a full URL)."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return base + url


def is_full_url(base_url: str) -> bool:
    return base_url.startswith(("http://", "https://"))


def base_path(base_url: str) -> str:
    """The path part of `base_url`, always ending in "/": "https://example.org/foi" -> "/foi/"."""
    path = urlsplit(base_url).path if is_full_url(base_url) else base_url
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def rooted(base_url: str, url: str) -> str:
    """A link that starts from the server's root, for pages served at any address (the 404 page)."""
    return base_path(base_url) + url


def base_url_problem(base_url: str) -> str | None:
    """Why a base URL cannot be used, or None when it can."""
    if is_full_url(base_url) or base_url.startswith("/"):
        return None if not re.search(r"[\s\"'<>]", base_url) else "must not contain spaces, quotes or angle brackets"
    return "must be a path starting with / (such as /foi/) or a full http(s):// URL"


SEARCH_URL = SEARCH  # the search page
SEARCH_DATA_URL = "search/data/"
SEARCH_MANIFEST_URL = SEARCH_DATA_URL + "manifest.json"
SEARCH_SCRIPTS = ("assets/lunr.min.js", "assets/search.js")  # with the theme's assets: a theme may replace them
DOCS_PER_FOLDER = 1000


def search_build_url(build: str) -> str:
    """The folder of one build's index files, named after their content, so no cache can mix two builds."""
    return f"{SEARCH_DATA_URL}{build}/"


def search_docs_url(bucket: int, content: str) -> str:
    """The folder of the search records of letters `bucket * DOCS_PER_FOLDER` onwards, named after the bucket and
    a hash of its files: a build that changes none of them keeps the folder, and a cached copy is never stale."""
    return f"{SEARCH_DATA_URL}docs/{bucket}-{content}/"


def search_doc_path(number: int) -> str:
    """One letter's search record, within its bucket's folder."""
    return f"{number}.json"


def search_shard_path(number: int) -> str:
    return f"shards/{number}.json"


def search_words_path(length: int) -> str:
    """The letters' words of one length, for correcting typos."""
    return f"words/{length}.json"
