"""Every URL and output path, computed in one place."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import Path

from .model import Letter

_RESERVED_ON_WINDOWS = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)")


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


def letter_url(page: Path, content_dir: Path) -> str:
    """A letter page's URL follows its content path: letters/2020/6251688/."""
    relative = page.relative_to(content_dir).with_suffix("")
    return "/".join(slugify(part) if i else part for i, part in enumerate(relative.parts)) + "/"


def list_url(number: int) -> str:
    return "letters/" if number == 1 else f"letters/page/{number}/"


def extra_page_url(path: Path, pages_dir: Path) -> str:
    return "/".join(slugify(p) for p in path.relative_to(pages_dir).with_suffix("").parts) + "/"


def output_path(url: str) -> str:
    """Where a URL's file goes inside the output folder."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


def relative(from_url: str, to_url: str) -> str:
    """A link from one page to another that works wherever the site is served from."""
    here = posixpath.dirname(output_path(from_url)) or "."
    target = to_url or "./"
    rel = posixpath.relpath(target.rstrip("/") or ".", here)
    if to_url.endswith("/") or to_url == "":
        rel = rel.rstrip("/") + "/"
        if rel == "./":
            return "./"
    return rel


def absolute(base_url: str, url: str) -> str:
    """The canonical address of a page, from `base_url` (a path or a full URL)."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return base + url


def is_full_url(base_url: str) -> bool:
    return base_url.startswith(("http://", "https://"))


def base_url_problem(base_url: str) -> str | None:
    """Why a base URL cannot be used, or None when it can."""
    if is_full_url(base_url) or base_url.startswith("/"):
        return None if not re.search(r"[\s\"'<>]", base_url) else "must not contain spaces, quotes or angle brackets"
    return "must be a path starting with / (such as /foi/) or a full http(s):// URL"
