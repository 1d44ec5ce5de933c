"""A letter page edited by hand, rendered at once with the last build's site around it.

`build.py serve` shows the page a person is editing as soon as it is saved, before the whole site is built
again: the page is rendered with the theme, site.toml and the rest of the site (lists, related requests) as the
last build left them, and served from memory; output/ is not touched. The build that follows replaces it with
the page as the whole site now makes it, which differs only where the edit changed what the rest of the site
says of the letter (its related requests, say).

Anything that only a whole build can answer is left to it: a page that cannot be read or has a front-matter
error, a page where personal data is found, a page the last site did not publish, or an edit that gives the
letter another address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .cache import read_page_text
from .errors import FoilogError
from .model import Letter
from .pages import letter_from_page, split_page
from .privacy import REVIEWED_KEY, PrivacySettings, scan_page_text
from .render import Renderer, Site
from .urls import letter_key, letter_url, output_path

log = logging.getLogger("foilog")


@dataclass
class QuickPages:
    """What the last build rendered its letter pages with."""

    renderer: Renderer
    site: Site
    content: Path
    privacy: PrivacySettings
    _shown: list[Letter] = field(default_factory=list)  # kept alive: the renderer remembers letters by id

    def __post_init__(self) -> None:
        self._published = {letter_key(letter): letter for letter in self.site.letters}

    def render(self, page: Path) -> tuple[str, bytes] | None:
        """The edited page as (its path in output/, its HTML), or None when only a whole build can show it."""
        try:
            text, _ = read_page_text(page)
            meta, body = split_page(text, page)
            letter = letter_from_page(page, self.content, lambda _: (meta, body))
        except (FoilogError, OSError, ValueError):
            return None
        previous = self._published.get(letter_key(letter))
        if previous is None or previous.page != page:
            return None
        if meta.get(REVIEWED_KEY) is not True and scan_page_text(text, self.privacy):
            return None
        url = self.site.urls[letter_key(letter)]
        if url != letter_url(page, self.content):
            return None
        try:
            html = self.renderer.render(self.renderer.letter_job(self.site, letter, in_place_of=previous)).html
        except Exception:  # noqa: BLE001 - the whole build that follows reports it
            log.debug("the edited page %s could not be rendered on its own", page, exc_info=True)
            return None
        self._shown.append(letter)
        return output_path(url), html.encode("utf-8")
