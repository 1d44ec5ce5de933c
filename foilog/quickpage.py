"""An edited letter's page, rendered at once with the last build's site around it.

`build.py serve` shows the page of a letter a person is editing as soon as it is saved, before the whole site is
built again: its page in content/ as edited, or, for a letter in site_src/letters/, the page the build will
write for it (read and understood as the build does, with the hand edits of its page kept). The page is
rendered with the theme, site.toml and the rest of the site (lists, related requests) as the last build left
them, and served from memory; content/ and output/ are not touched. The build that follows replaces it with
the page as the whole site now makes it, which differs only where the edit changed what the rest of the site
says of the letter (its related requests, say).

Anything that only a whole build can answer is left to it: a page or letter that cannot be read, a front-matter
error, personal data found, a letter or page the last site did not publish, or an edit that gives the letter
another address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .cache import read_page_text
from .errors import FoilogError, Problem
from .model import Letter
from .pages import letter_from_page, page_text, split_page
from .privacy import REVIEWED_KEY, PrivacySettings, scan_page_text
from .render import Renderer, Site
from .urls import letter_key, letter_url, output_path, page_path_for

# Reads and understands a letter as the build does: (the letter, why it could not be read, why the reader failed).
Understand = Callable[[Letter], tuple[Letter, Problem | None, str | None]]

log = logging.getLogger("foilog")


@dataclass
class QuickPages:
    """What the last build rendered its letter pages with."""

    renderer: Renderer
    site: Site
    site_src: Path
    content: Path
    privacy: PrivacySettings
    understand: Understand
    _shown: list[Letter] = field(default_factory=list)  # kept alive: the renderer remembers letters by id

    @cached_property
    def _published(self) -> dict[str, Letter]:
        """The last site's letters by key (worked out when first asked for: a build from the command line never is)."""
        return {letter_key(letter): letter for letter in self.site.letters}

    def render(self, path: Path) -> tuple[str, bytes] | None:
        """The page of an edited letter (in site_src/letters/) or letter page (in content/) as (its path in
        output/, its HTML), or None when only a whole build can show it."""
        if path.is_relative_to(self.content):
            try:
                text, _ = read_page_text(path)
            except (FoilogError, OSError):
                return None
            return self._render_page(path, text)
        if path.is_relative_to(self.site_src / "letters"):
            return self._render_letter(path)
        return None

    def _render_letter(self, path: Path) -> tuple[str, bytes] | None:
        """A letter's page as the build will write it (hand edits kept), rendered, if it stays where it is."""
        previous = self._published.get(path.relative_to(self.site_src).as_posix())
        if previous is None or previous.page is None:
            return None
        letter, problem, failure = self.understand(Letter(source=previous.source, path=path))
        if problem is not None or failure is not None:
            return None
        taken = {other.page for other in self.site.letters if other.page is not None and other is not previous}
        if page_path_for(self.content, letter, taken) != previous.page:
            return None
        try:
            text = page_text(letter, previous.page)
        except (FoilogError, OSError):
            return None
        return self._render_page(previous.page, text)

    def _render_page(self, page: Path, text: str) -> tuple[str, bytes] | None:
        try:
            meta, body = split_page(text, page)
            letter = letter_from_page(page, self.content, lambda _: (meta, body))
        except (FoilogError, ValueError):
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
