"""Atom feeds, sitemap.xml and robots.txt.

Feeds are validated as Atom with the RELAX NG schema of RFC 4287 (Appendix B, in tests/fixtures/atom/), converted
from its compact syntax by rnc2rng and checked by lxml (libxml2), plus the Schematron rules the schema carries
and the RFC's MUSTs a grammar cannot express (absolute IRIs for ids, RFC 3339 dates with a time zone, one
alternate link per type and language). feedparser alone would not do: it accepts almost anything.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import rnc2rng
from lxml import etree

from foilog.feeds import SITEMAP_LIMIT, sitemaps

from .archive_pages import Facts, front_matter_facts, output_file
from .helpers import FIXTURES, REPO, BuiltSite, build_project, make_project
from .synthetic import write_archive

ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM, "sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SCHEMATRON = {"s": "http://www.ascc.net/xml/schematron"}
BASE = "https://foi.example.org/archive/"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@cache
def atom_schema() -> tuple[etree.RelaxNG, list[tuple[str, str, str]]]:
    """RFC 4287's schema as lxml's RelaxNG, and its Schematron rules as (context, test, message)."""
    rnc = (FIXTURES / "atom" / "rfc4287.rnc").read_text(encoding="utf-8")
    # rnc2rng declares `namespace local = ""` as xmlns:local="", which XML does not allow; nothing uses the prefix
    rng = rnc2rng.dumps(rnc2rng.loads(rnc)).replace('\n         xmlns:local=""', "")
    grammar = etree.fromstring(rng.encode("utf-8"))
    rules = [(rule.get("context"), check.get("test"), " ".join(check.text.split()))
             for rule in grammar.iterfind(".//s:rule", SCHEMATRON) for check in rule.iterfind("s:assert", SCHEMATRON)]
    return etree.RelaxNG(grammar), rules


def atom_problems(data: bytes) -> list[str]:
    """Why a document is not a valid Atom feed: an empty list when it is one."""
    try:
        doc = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    schema, rules = atom_schema()
    problems = [f"line {e.line}: {e.message}" for e in schema.error_log] if not schema.validate(doc) else []
    for context, test, message in rules:
        for node in doc.xpath("//" + context, namespaces=NS):
            if not node.xpath(f"boolean({test})", namespaces=NS):
                problems.append(f"{context} (line {node.sourceline}): {message}")
    for element in doc.iter(f"{{{ATOM}}}id"):
        if not urlsplit(element.text or "").scheme:
            problems.append(f"line {element.sourceline}: atom:id {element.text!r} is not an absolute IRI")
    for tag in ("updated", "published"):
        for element in doc.iter(f"{{{ATOM}}}{tag}"):
            if not RFC3339.match(element.text or ""):
                problems.append(f"line {element.sourceline}: {tag} {element.text!r} is not an RFC 3339 date-time")
    for parent in [doc, *doc.iter(f"{{{ATOM}}}entry")]:
        alternates = [(link.get("type"), link.get("hreflang")) for link in parent.findall("atom:link", NS)
                      if link.get("rel", "alternate") == "alternate"]
        if len(alternates) != len(set(alternates)):
            problems.append(f"line {parent.sourceline}: two alternate links of the same type and language")
    ids = [entry.findtext("atom:id", namespaces=NS) for entry in doc.iter(f"{{{ATOM}}}entry")]
    if len(ids) != len(set(ids)):
        problems.append("two entries share an id")
    return problems


def feeds_of(site: BuiltSite) -> list[Path]:
    return [site.output / "feed.xml", *sorted(site.output.glob("topics/*/feed.xml"))]


# ---------------------------------------------------------------- the validator itself

GOOD_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example</title>
  <link href="http://example.org/"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <author><name>John Doe</name></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Robots</title>
    <link href="http://example.org/2003/12/13/atom03"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <summary>Some text.</summary>
  </entry>
</feed>"""


def test_the_validator_accepts_the_rfcs_own_example() -> None:
    assert atom_problems(GOOD_FEED) == []


@pytest.mark.parametrize("change", [
    (b"<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>", b""),                   # an entry without an id
    (b"<updated>2003-12-13T18:30:02Z</updated>\n  <author>", b"<updated>13 Dec 2003</updated>\n  <author>"),
    (b"<author><name>John Doe</name></author>", b""),                                   # nobody wrote it
    (b'<link href="http://example.org/2003/12/13/atom03"/>', b""),                       # no link, no content
    (b"<title>Example</title>", b"<title>Example</title><title>Twice</title>"),
    (b"<id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>", b"<id>/relative/</id>"),
    (b"<updated>2003-12-13T18:30:02Z</updated>\n  <author>", b"<updated>2003-12-13T18:30:02</updated>\n  <author>"),
    (b"</feed>", b"<entry></feed>"),                                                    # not well-formed
])
def test_the_validator_rejects_what_rfc_4287_forbids(change: tuple[bytes, bytes]) -> None:
    old, new = change
    assert old in GOOD_FEED
    assert atom_problems(GOOD_FEED.replace(old, new, 1)), f"accepted a feed with {old!r} -> {new!r}"


# ---------------------------------------------------------------- the feeds foilog writes

def test_every_feed_is_valid_atom(synthetic_site: BuiltSite) -> None:
    feeds = feeds_of(synthetic_site)
    assert len(feeds) >= 5
    for feed in feeds:
        problems = atom_problems(feed.read_bytes())
        assert not problems, f"{feed.relative_to(synthetic_site.output)}:\n" + "\n".join(problems)


def _entries(feed: Path) -> list[dict[str, Any]]:
    doc = etree.parse(str(feed))
    return [{"id": e.findtext("atom:id", namespaces=NS), "title": e.findtext("atom:title", namespaces=NS),
             "updated": e.findtext("atom:updated", namespaces=NS),
             "link": e.find("atom:link[@rel='alternate']", NS).get("href"),
             "categories": [c.get("term") for c in e.findall("atom:category", NS)]}
            for e in doc.iterfind("atom:entry", NS)]


def _newest_first(facts: list[Facts]) -> list[Facts]:
    dated = [f for f in facts if f.responded or f.received]
    return sorted(dated, key=lambda f: (-(f.responded or dt.date.min).toordinal(),
                                        -(f.received or dt.date.min).toordinal(), str(f.reference)))


def test_the_main_feed_holds_the_latest_responses_newest_first(synthetic_site: BuiltSite) -> None:
    facts = front_matter_facts(synthetic_site)
    entries = _entries(synthetic_site.output / "feed.xml")
    want = _newest_first(facts)[:12]  # feed_entries = 12 in the made-up archive's site.toml
    assert [e["id"] for e in entries] == [BASE + f.url for f in want]
    assert [e["title"] for e in entries] == [f.title for f in want]
    assert all(e["link"] == e["id"] for e in entries)
    assert [e["updated"] for e in entries] == [f"{(f.responded or f.received).isoformat()}T00:00:00Z" for f in want]
    doc = etree.parse(str(synthetic_site.output / "feed.xml"))
    assert doc.findtext("atom:updated", namespaces=NS) == entries[0]["updated"], "the feed is as new as its newest"
    self_link = doc.find("atom:link[@rel='self']", NS).get("href")
    assert self_link == BASE + "feed.xml"


def test_each_topic_feed_holds_only_that_topics_letters(synthetic_site: BuiltSite) -> None:
    facts = front_matter_facts(synthetic_site)
    for feed in sorted(synthetic_site.output.glob("topics/*/feed.xml")):
        entries = _entries(feed)
        topic = etree.parse(str(feed)).findtext("atom:title", namespaces=NS).split(" – ")[0]
        want = _newest_first([f for f in facts if topic in (f.topics or [])])[:12]
        assert [e["id"] for e in entries] == [BASE + f.url for f in want], feed
        assert all(topic in e["categories"] for e in entries)
        page = output_file(synthetic_site.output, feed.parent.relative_to(synthetic_site.output).as_posix() + "/")
        assert 'href="feed.xml"' in page.read_text(encoding="utf-8"), "the topic's page links its feed"


def test_a_hostile_title_stays_text_and_the_feed_stays_valid(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "project", 3, themes=REPO / "themes")
    (root / "site_src" / "site.toml").write_text(f'base_url = "{BASE}"\n', encoding="utf-8")
    page = sorted((root / "content" / "letters").rglob("*.md"))[0]
    text = page.read_text(encoding="utf-8")
    hostile = "Fines & fees <script>alert(1)</script> ]]> \\f\\u0001\\u202e done"
    page.write_text(re.sub(r"^title: .*$", lambda _: f'title: "{hostile}"', text, count=1, flags=re.M),
                    encoding="utf-8")
    build_project(root)
    data = (root / "output" / "feed.xml").read_bytes()
    assert atom_problems(data) == []
    titles = [e["title"] for e in _entries(root / "output" / "feed.xml")]
    assert "Fines & fees <script>alert(1)</script> ]]>  done" in titles
    assert b"<script>" not in data


# ---------------------------------------------------------------- sitemap.xml and robots.txt

def test_the_sitemap_lists_every_page_to_index_by_its_full_address(synthetic_site: BuiltSite) -> None:
    doc = etree.parse(str(synthetic_site.output / "sitemap.xml"))
    assert doc.getroot().tag == f"{{{NS['sm']}}}urlset"
    locs = [u.findtext("sm:loc", namespaces=NS) for u in doc.iterfind("sm:url", NS)]
    assert len(locs) == len(set(locs))
    pages = {html.relative_to(synthetic_site.output).as_posix().removesuffix("index.html")
             for html in synthetic_site.html_files()}
    expected = {p for p in pages if p != "404.html" and "/by-received/" not in p and "/by-working-days/" not in p}
    assert {loc.removeprefix(BASE) for loc in locs} == expected
    assert all(loc.startswith(BASE) for loc in locs)
    facts = {f.url: f for f in front_matter_facts(synthetic_site)}
    for url in doc.iterfind("sm:url", NS):
        page = url.findtext("sm:loc", namespaces=NS).removeprefix(BASE)
        lastmod = url.findtext("sm:lastmod", namespaces=NS)
        if page in facts and facts[page].responded:
            assert lastmod == facts[page].responded.isoformat()


def test_a_big_sitemap_becomes_an_index_of_sitemaps() -> None:
    urls = [f"letters/{n}/" for n in range(SITEMAP_LIMIT + 10)]
    files = sitemaps(urls, BASE, {})
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]
    index = etree.fromstring(files["sitemap.xml"].encode())
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    assert [s.findtext("sm:loc", namespaces=NS) for s in index] == [BASE + "sitemap-1.xml", BASE + "sitemap-2.xml"]
    counts = [len(etree.fromstring(files[name].encode())) for name in ("sitemap-1.xml", "sitemap-2.xml")]
    assert counts == [SITEMAP_LIMIT, 10]


def test_robots_txt_names_the_sitemap(synthetic_site: BuiltSite) -> None:
    robots = (synthetic_site.output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in robots and "Disallow:" in robots
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def test_the_example_site_has_its_feed_and_sitemap(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", whole_example=True)
    result = build_project(root)
    assert not result.notes
    assert atom_problems((root / "output" / "feed.xml").read_bytes()) == []
    assert len(_entries(root / "output" / "feed.xml")) == 5
