"""Atom feeds (RFC 4287), sitemap.xml and robots.txt.

Feed and sitemap addresses must be absolute, so they are written only when `base_url` is a full URL; the
build says so otherwise (see docs/configuration.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape as html_escape
from xml.sax.saxutils import escape, quoteattr

from . import __version__
from .config import SiteConfig
from .exemptions import meaning
from .model import OUTCOME_LABELS, Letter
from .read import BIDI_CONTROLS
from .render import Site
from .urls import FEED, ROBOTS, SITEMAP, absolute, letter_key

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_LIMIT = 50_000  # URLs in one sitemap file (sitemaps.org)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Text safe inside an XML element: escaped, without the control characters XML 1.0 forbids and without
    Unicode direction overrides (as on the pages)."""
    return escape(BIDI_CONTROLS.sub("", _NOT_XML.sub("", str(value))))


def xml_attr(value: object) -> str:
    return quoteattr(BIDI_CONTROLS.sub("", _NOT_XML.sub("", str(value))))


def timestamp(date: dt.date | None) -> str:
    """An RFC 3339 timestamp for a date (midnight UTC); the Unix epoch when there is no date."""
    return f"{(date or dt.date(1970, 1, 1)).isoformat()}T00:00:00Z"


@dataclass
class Feed:
    """One Atom feed: its own address, the page it mirrors, and its letters newest first."""

    url: str        # e.g. "topics/housing/feed.xml"
    page_url: str   # e.g. "topics/housing/"
    title: str
    subtitle: str
    letters: list[Letter]


def atom(feed: Feed, base_url: str, urls: dict[str, str], author: str, generator: str, language: str) -> str:
    """The feed as an Atom document; every address absolute, every date RFC 3339."""
    dates = [date for le in feed.letters if (date := le.responded or le.received)]
    updated = max(dates, default=None)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM}" xml:lang={xml_attr(language)}>',
        f"  <id>{xml_text(absolute(base_url, feed.url))}</id>",
        f"  <title>{xml_text(feed.title)}</title>",
        f"  <subtitle>{xml_text(feed.subtitle)}</subtitle>",
        f"  <updated>{timestamp(updated)}</updated>",
        f"  <link rel=\"self\" type=\"application/atom+xml\" href={xml_attr(absolute(base_url, feed.url))}/>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={xml_attr(absolute(base_url, feed.page_url))}/>",
        f"  <author><name>{xml_text(author)}</name></author>",
        f"  <generator>{xml_text(generator)}</generator>",
    ]
    for letter in feed.letters:
        lines += _entry(letter, absolute(base_url, urls[letter_key(letter)]))
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _entry(letter: Letter, url: str) -> list[str]:
    date = letter.responded or letter.received
    lines = [
        "  <entry>",
        f"    <id>{xml_text(url)}</id>",
        f"    <title>{xml_text(letter.title)}</title>",
        f"    <link rel=\"alternate\" type=\"text/html\" href={xml_attr(url)}/>",
        f"    <published>{timestamp(date)}</published>",
        f"    <updated>{timestamp(date)}</updated>",
    ]
    if letter.authority:
        lines.append(f"    <author><name>{xml_text(letter.authority)}</name></author>")
    lines += [f"    <category term={xml_attr(topic)}/>" for topic in letter.topics]
    lines.append(f"    <summary>{xml_text(letter.summary or letter.title)}</summary>")
    lines.append(f"    <content type=\"html\">{xml_text(_entry_html(letter))}</content>")
    lines.append("  </entry>")
    return lines


def _entry_html(letter: Letter) -> str:
    """A short HTML account of the response for feed readers: its summary and its facts."""
    facts = [("Reference", letter.reference or "not given"),
             ("Received", _long_date(letter.received)),
             ("Answered", _long_date(letter.responded)),
             ("Working days", "not known" if letter.working_days is None else
              f"{letter.working_days}{' (late)' if letter.late else ''}"),
             ("Outcome", OUTCOME_LABELS.get(letter.outcome, letter.outcome)),
             ("Exemptions", "; ".join(f"{e}: {meaning(e)}" for e in letter.exemptions) or "none applied")]
    items = "".join(f"<li>{html_escape(name)}: {html_escape(value)}</li>" for name, value in facts)
    return f"<p>{html_escape(letter.summary)}</p><ul>{items}</ul>"


def _long_date(date: dt.date | None) -> str:
    return f"{date.day} {date:%B %Y}" if date else "not known"


def sitemaps(page_urls: Iterable[str], base_url: str, lastmod: dict[str, dt.date]) -> dict[str, str]:
    """sitemap.xml, or, past 50,000 addresses, sitemap.xml as an index of sitemap-1.xml, sitemap-2.xml …"""
    entries = []
    for url in page_urls:
        modified = f"<lastmod>{lastmod[url].isoformat()}</lastmod>" if url in lastmod else ""
        entries.append(f"  <url><loc>{xml_text(absolute(base_url, url))}</loc>{modified}</url>")
    chunks = [entries[i:i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        return {SITEMAP: _urlset(chunks[0])}
    files = {f"sitemap-{n}.xml": _urlset(chunk) for n, chunk in enumerate(chunks, start=1)}
    index = ['<?xml version="1.0" encoding="utf-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    index += [f"  <sitemap><loc>{xml_text(absolute(base_url, name))}</loc></sitemap>" for name in files]
    index.append("</sitemapindex>")
    return {SITEMAP: "\n".join(index) + "\n", **files}


def _urlset(entries: list[str]) -> str:
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">', *entries,
                      "</urlset>"]) + "\n"


def robots(base_url: str, sitemap_url: str | None) -> str:
    """robots.txt: everything may be crawled; the sitemap's address when there is one."""
    lines = ["# Crawlers read robots.txt only at the root of a host. If this site lives in a sub-folder,",
             "# copy these lines into the robots.txt at the host's root.",
             "User-agent: *",
             "Disallow:"]
    if sitemap_url:
        lines.append(f"Sitemap: {absolute(base_url, sitemap_url)}")
    return "\n".join(lines) + "\n"


def site_files(site: Site, config: SiteConfig, base_url: str, indexable: list[str]) -> dict[str, str]:
    """feed.xml, a feed per topic and sitemap.xml when `base_url` is a full URL; robots.txt always."""
    if not site.feeds:
        return {ROBOTS: robots(base_url, None)}
    author = config.authority or config.title
    generator = f"foilog {__version__}"
    latest = site.archive.all.letters[: config.feed_entries]
    files = {FEED: atom(Feed(FEED, "", config.title, config.description, latest), base_url, site.urls, author,
                        generator, config.language)}
    for topic in site.archive.topics:
        if topic.feed:
            feed = Feed(topic.feed, topic.url, f"{topic.name} – {config.title}",
                        f"The latest responses on the topic {topic.name}.", topic.letters[: config.feed_entries])
            files[topic.feed] = atom(feed, base_url, site.urls, author, generator, config.language)
    lastmod = {site.urls[letter_key(le)]: le.responded for le in site.letters if le.responded}
    files.update(sitemaps(indexable, base_url, lastmod))
    files[ROBOTS] = robots(base_url, SITEMAP)
    return files
