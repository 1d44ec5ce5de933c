"""Browse pages, related requests, statistics, canonical addresses, OpenGraph and the 404 page.

Most checks use a made-up archive of 90 letters (tests/synthetic.py) and compare what the pages show with what
is computed here, independently, from the letter pages' front matter.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from foilog.build import load_pages
from foilog.errors import Report
from foilog.exemptions import legislation_url, meaning
from foilog.model import Letter
from foilog.related import find_related, request_text
from foilog.urls import slugify

from .archive_pages import Facts, front_matter_facts, read_built, resolve, walk_listing
from .helpers import REPO, THEME_NAMES, BuiltSite, build_project, make_project
from .test_site import broken_links

BASE = "https://foi.example.org/archive/"
OUTCOMES = ("successful", "partially-successful", "refused", "not-held")


def _newest(date: dt.date | None) -> float:
    return -date.toordinal() if date else math.inf


ORDERS = {  # how each sort order is defined, written out here rather than taken from foilog
    "": lambda f: (_newest(f.responded), _newest(f.received), str(f.reference)),
    "by-received/": lambda f: (_newest(f.received), _newest(f.responded), str(f.reference)),
    "by-working-days/": lambda f: (-f.working_days if f.working_days is not None else math.inf,
                                   _newest(f.responded), str(f.reference)),
}


def groups(facts: list[Facts]) -> dict[str, list[Facts]]:
    """Every browse group's first address, with the letters it must list."""
    out: dict[str, list[Facts]] = {"letters/": facts, "late/": [f for f in facts if f.late is True]}
    for f in facts:
        year = str(f.filed.year) if f.filed else "undated"
        out.setdefault(f"years/{year}/", []).append(f)
        if f.filed:
            out.setdefault(f"years/{year}/{f.filed.month:02d}/", []).append(f)
        for topic in f.topics or []:
            out.setdefault(f"topics/{slugify(topic)}/", []).append(f)
        for exemption in f.exemptions or []:
            out.setdefault(f"exemptions/{slugify(exemption)}/", []).append(f)
        out.setdefault(f"outcomes/{f.outcome}/", []).append(f)
    return out


@pytest.fixture(scope="module")
def facts(synthetic_site: BuiltSite) -> list[Facts]:
    return front_matter_facts(synthetic_site)


# ---------------------------------------------------------------- links

@pytest.mark.parametrize("theme", THEME_NAMES)
def test_every_link_on_every_page_resolves(synthetic_sites: dict[str, BuiltSite], theme: str) -> None:
    site = synthetic_sites[theme]
    assert len(site.html_files()) > 200
    problems = broken_links(site.output, BASE)
    assert not problems, f"{len(problems)} broken link(s):\n" + "\n".join(problems[:50])


# ---------------------------------------------------------------- browse pages

def test_every_group_lists_exactly_its_letters_in_every_order(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    expected_groups = groups(facts)
    assert len(expected_groups) > 40
    for first, members in expected_groups.items():
        for suffix, order in ORDERS.items():
            if len(members) < 2 and suffix:
                assert not (synthetic_site.output / first / suffix).exists(), "a one-letter group has sort orders"
                continue
            listed, pages = walk_listing(synthetic_site.output, first + suffix)
            want = [f.url for f in sorted(members, key=order)]
            assert listed == want, f"{first}{suffix}: the letters or their order differ"
            assert len(pages) == max(1, math.ceil(len(members) / 8)), f"{first}{suffix}: wrong number of pages"


def test_sort_links_mark_the_current_order_and_lead_to_each_order(synthetic_site: BuiltSite) -> None:
    for first in ("letters/", "topics/housing/", "years/2021/", "late/"):
        for suffix, label in (("", "Date answered"), ("by-received/", "Date received"),
                              ("by-working-days/", "Working days")):
            page = read_built(synthetic_site.output, first + suffix)
            assert [text for text, _, _ in page.sort_links] == ["Date answered", "Date received", "Working days"]
            current = [text for text, _, on in page.sort_links if on]
            assert current == [label], f"{first}{suffix}: aria-current on {current}"
            targets = [resolve(page.url, href) for _, href, _ in page.sort_links]
            assert targets == [first, first + "by-received/", first + "by-working-days/"]
            # only the default order is for search engines; the others are the same letters again
            assert (page.meta.get("robots") == "noindex, follow") == bool(suffix)


def test_pagination_shows_a_window_of_pages_not_all_of_them(tmp_path: Path) -> None:
    from .synthetic import write_archive
    root = write_archive(tmp_path / "project", 120, seed=11, themes=REPO / "themes")
    (root / "site_src" / "site.toml").write_text("per_page = 3\n", encoding="utf-8")
    build_project(root)
    for number in (1, 20, 40):
        url = "letters/" if number == 1 else f"letters/page/{number}/"
        page = read_built(root / "output", url)
        numbers = [resolve(url, href) for href in page.page_links]
        assert "letters/" in numbers and "letters/page/40/" in numbers, "the first and last pages are linked"
        assert url in numbers
        assert len(numbers) <= 7, f"{url}: {len(numbers)} page links"


def test_exemption_pages_explain_the_law_and_link_to_it(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    exemptions = {e for f in facts for e in f.exemptions or []}
    assert len(exemptions) >= 5
    for exemption in exemptions:
        page = read_built(synthetic_site.output, f"exemptions/{slugify(exemption)}/")
        assert meaning(exemption) in page.text
        hrefs = [href for href, _ in page.anchors]
        assert legislation_url(exemption) in hrefs
        assert legislation_url(exemption).startswith("https://www.legislation.gov.uk/")
        # the explanation comes first, before the list of letters
        assert page.text.index(meaning(exemption)) < page.text.index("newest answer first")


def test_the_browse_hub_links_every_group_with_its_count(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    hub = read_built(synthetic_site.output, "browse/")
    links = {resolve("browse/", href): text for href, text in hub.anchors}
    for first in groups(facts):
        if first.startswith(("years/", "topics/", "exemptions/", "outcomes/")):
            assert first in links, f"browse/ does not link {first}"
    topics = Counter(t for f in facts for t in f.topics or [])
    for topic, count in topics.items():
        assert f"{topic} ({count})" in links[f"topics/{slugify(topic)}/"]
    for section in ("years/", "topics/", "exemptions/", "outcomes/"):
        assert (synthetic_site.output / section / "index.html").is_file()


def test_letter_pages_link_their_topics_exemptions_and_outcome(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    for f in facts[:30]:
        page = read_built(synthetic_site.output, f.url)
        targets = {resolve(f.url, href) for href, _ in page.anchors}
        assert f"outcomes/{f.outcome}/" in targets
        for topic in f.topics or []:
            assert f"topics/{slugify(topic)}/" in targets
        for exemption in f.exemptions or []:
            assert f"exemptions/{slugify(exemption)}/" in targets


def test_navigation_and_footer_lead_to_browse_statistics_and_open_data(synthetic_site: BuiltSite) -> None:
    home = read_built(synthetic_site.output, "")
    targets = {resolve("", href) for href, _ in home.anchors}
    for target in ("browse/", "statistics/", "data/", "data/letters.csv", "data/letters.json",
                   "data/datapackage.json", "feed.xml"):
        assert target in targets, f"the home page does not link {target}"


# ---------------------------------------------------------------- related requests

def _letter(reference: str, request: str) -> Letter:
    return Letter(source=f"{reference}.txt", path=Path(f"{reference}.txt"), reference=reference, title=reference,
                  body=f"## Request\n\n{request}\n\n## Response\n\nAnswered.\n")


def test_related_requests_are_the_most_alike() -> None:
    letters = [
        _letter("P1", "How many parking fines were issued on the high street, and what parking income came in?"),
        _letter("P2", "Parking fines: how many penalty charge notices did parking wardens issue?"),
        _letter("P3", "What was the income from parking fines and parking permits?"),
        _letter("H1", "How many homeless families are in temporary accommodation?"),
        _letter("H2", "How long do homeless families wait in temporary accommodation?"),
        _letter("Z1", "Which brand of coffee machines is used in the staff canteen?"),
    ]
    related = {le.reference: [o.reference for o in found] for le, found in
               zip(letters, (find_related(letters)[id(le)] for le in letters), strict=True)}
    assert related["P1"][:2] == ["P3", "P2"] or related["P1"][:2] == ["P2", "P3"]
    assert set(related["P2"][:2]) == {"P1", "P3"}
    assert related["H1"][0] == "H2" and related["H2"][0] == "H1"
    assert related["Z1"] == [], "a request like no other has no related requests"
    assert all(ref not in found for ref, found in related.items()), "a letter is never related to itself"


def test_related_requests_ignore_the_acknowledgement_and_markup() -> None:
    letter = _letter("A", "Thank you for your request received on 3 March 2021, for the following information:\n\n"
                          "**1.** How many \\*potholes\\* were repaired?")
    text = request_text(letter)
    assert "potholes" in text and "March" not in text and "**" not in text and "\\" not in text


def test_ties_go_to_the_lower_reference_and_input_order_does_not_matter() -> None:
    same = "How many trees were planted in parks and on streets last year?"
    letters = [_letter(ref, same) for ref in ("T5", "T3", "T9", "T1", "T7", "T2", "T8")]
    letters.append(_letter("X", "How many bins were collected late?"))
    first = {le.reference: [o.reference for o in found] for le in letters for found in [find_related(letters)[id(le)]]}
    assert first["T1"] == ["T2", "T3", "T5", "T7", "T8"]
    assert first["T9"] == ["T1", "T2", "T3", "T5", "T7"]
    shuffled = letters[:]
    random.Random(3).shuffle(shuffled)
    again = {le.reference: [o.reference for o in found] for le in shuffled
             for found in [find_related(shuffled)[id(le)]]}
    assert again == first


def test_ties_beyond_the_places_go_to_the_lower_references() -> None:
    """Thirty letters tied, far more than the five places, in chunks of every size: the lowest references win
    whichever columns each chunk holds."""
    same = "How many trees were planted in parks and on streets last year?"
    letters = [_letter(f"T{n:02}", same) for n in range(30, 0, -1)]
    letters += [_letter("X", "How many bins were collected late?"), _letter("Y", "How many bins were missed?")]
    for cells in (1, 64, 10_000):
        found = find_related(letters, cells_per_chunk=cells)
        related = {le.reference: [o.reference for o in found[id(le)]] for le in letters}
        assert related["T01"] == ["T02", "T03", "T04", "T05", "T06"]
        assert related["T04"] == ["T01", "T02", "T03", "T05", "T06"]
        assert related["T30"] == ["T01", "T02", "T03", "T04", "T05"]
        assert related["X"] == ["Y"]


def test_with_two_jobs_scikit_learn_is_imported_in_a_process_of_its_own_only() -> None:
    """The process the render workers are later forked from does not keep scikit-learn (70 MB) in memory."""
    script = """
import sys
from pathlib import Path
from foilog.model import Letter
from foilog.related import find_related
letters = [Letter(source=f"{n}.txt", path=Path(f"{n}.txt"), reference=str(n), title=str(n),
                  body=f"## Request\\n\\nHow many {word} were {verb}?\\n") for n, (word, verb) in
           enumerate([(w, v) for w in ("trees", "bins", "roads") for v in ("planted", "mended", "counted")])]
found = find_related(letters, jobs=int(sys.argv[1]))
print(sum(map(len, found.values())), "sklearn" in sys.modules)
"""
    one, two = (subprocess.run([sys.executable, "-c", script, jobs], cwd=REPO, capture_output=True, text=True,
                               check=True).stdout.split() for jobs in ("1", "2"))
    assert one == [one[0], "True"] and two == [one[0], "False"] and int(one[0]) > 0


def _whole_row_best(scores: np.ndarray, start: int, count: int) -> list[list[int]]:
    """Each row ranked whole, by score to six places and then by column: what `_best` must give."""
    out = []
    for offset, row in enumerate(scores.astype(np.float64)):
        steps = np.rint(row * 1_000_000).astype(np.int64)
        ranked = sorted((j for j in range(len(row)) if j != start + offset), key=lambda j: (-steps[j], j))
        out.append([j for j in ranked[:count] if steps[j] >= 50_000])
    return out


@pytest.mark.parametrize("columns", [1, 3, 9, 63, 64, 65, 200, 319, 320, 321, 1000])
def test_the_candidates_of_a_row_hold_every_column_it_can_take(columns: int) -> None:
    """Scores tied, a rounding step apart and either side of a step's half, at the highest of a block of columns
    and beside it, on either side of a block's edge: the best of each row, found among the columns of the
    blocks that can hold them, are the best of the whole row."""
    from foilog import related
    rng = np.random.default_rng(columns)
    levels = np.array([0.0, 0.0499996, 0.05, 0.3, 0.2999996], dtype=np.float32)
    for start in sorted({0, columns // 2}):
        rows = min(12, columns - start)
        scores = levels[rng.integers(0, len(levels), size=(rows, columns))]
        scores[:, ::7] = np.float32(0.3000004)  # block maxima that bound each row at its best ties
        for row in range(rows):  # fewer better columns than places, so the last places are ties
            scores[row, rng.integers(0, columns, size=row % 5)] = np.float32(0.9)
        scores[0, :] = np.float32(0.3)
        want = _whole_row_best(scores, start, 5)
        assert related._best(scores.copy(), start, 5) == want
        assert related._best(scores.copy(), start, 1) == _whole_row_best(scores, start, 1)


def _exact_top_five(letters: list[Letter]) -> dict[str, list[str]]:
    """The same ranking from the whole similarity matrix at once: what the chunked search must reproduce."""
    from foilog.related import _tfidf
    order = sorted(letters, key=lambda le: (le.reference, le.source, str(le.page)))
    matrix = _tfidf([request_text(le) for le in order])
    scores = (matrix @ matrix.T).toarray().astype(np.float64)
    out = {}
    for i, letter in enumerate(order):
        steps = np.rint(scores[i] * 1_000_000).astype(np.int64)
        ranked = sorted((j for j in range(len(order)) if j != i), key=lambda j: (-steps[j], j))[:5]
        out[letter.reference] = [order[j].reference for j in ranked if steps[j] >= 50_000]
    return out


def test_chunked_search_matches_the_whole_matrix(synthetic_site: BuiltSite) -> None:
    letters = load_pages(synthetic_site.content, set(), Report())
    want = _exact_top_five(letters)
    for cells, jobs in ((1, 1), (700, 1), (700, 2), (10_000_000, 1)):  # one row at a time, a few rows (in one
        found = find_related(letters, cells_per_chunk=cells, jobs=jobs)  # process or two), everything at once
        assert {le.reference: [o.reference for o in found[id(le)]] for le in letters} == want


def test_every_letter_page_shows_its_related_requests(synthetic_site: BuiltSite) -> None:
    letters = load_pages(synthetic_site.content, set(), Report())
    related = find_related(letters)
    shown = 0
    for letter in letters:
        url = letter.page.relative_to(synthetic_site.content).with_suffix("").as_posix() + "/"  # type: ignore[union-attr]
        page = read_built(synthetic_site.output, url)
        links = [resolve(url, href) for href in page.related]
        want = [o.page.relative_to(synthetic_site.content).with_suffix("").as_posix() + "/"  # type: ignore[union-attr]
                for o in related[id(letter)]]
        assert links == want
        assert url not in links and len(links) <= 5
        shown += bool(links)
    assert shown > len(letters) * 0.9


# ---------------------------------------------------------------- statistics

def _stats_page(site: BuiltSite) -> Any:
    return read_built(site.output, "statistics/")


def _marks(page: Any, chart_id: str) -> dict[tuple[str, str], float | None]:
    chart = next(c for c in page.charts if c.id == chart_id)
    return {(m.series, m.label): m.value for m in chart.marks}


def _month_label(year: int, month: int) -> str:
    return f"{dt.date(year, month, 1):%B} {year}"


def test_responses_per_month_match_the_letters(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    counts = Counter((f.responded.year, f.responded.month) for f in facts if f.responded)
    first, last = min(counts), max(counts)
    want = {}
    year, month = first
    while (year, month) <= last:
        want[("Responses", _month_label(year, month))] = counts.get((year, month), 0)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert _marks(_stats_page(synthetic_site), "chart-per-month") == want
    assert sum(want.values()) == sum(1 for f in facts if f.responded)


def test_working_days_per_quarter_match_the_letters(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    days: dict[str, list[int]] = {}
    for f in facts:
        if f.responded and f.working_days is not None:
            days.setdefault(f"Q{(f.responded.month - 1) // 3 + 1} {f.responded.year}", []).append(f.working_days)
    marks = _marks(_stats_page(synthetic_site), "chart-per-quarter")
    assert len(days) >= 8
    for quarter, values in days.items():
        assert marks[("Median", quarter)] == pytest.approx(statistics.median(values))
        # nearest rank: numpy's "inverted_cdf" is the smallest value with at least 90% at or below it
        assert marks[("90th percentile", quarter)] == np.percentile(values, 90, method="inverted_cdf")
    assert {label for _, label in marks} == set(days)


def test_share_on_time_per_year_matches_the_letters(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    years: dict[int, list[bool]] = {}
    for f in facts:
        if f.responded and f.working_days is not None:
            years.setdefault(f.responded.year, []).append(not f.late)
    marks = _marks(_stats_page(synthetic_site), "chart-on-time")
    for year, on_time in years.items():
        assert marks[("Answered on time (%)", str(year))] == pytest.approx(100 * sum(on_time) / len(on_time), abs=0.05)
    assert any(value != 100 for value in marks.values()), "the made-up archive has late letters"


def test_outcomes_per_year_match_the_letters(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    counts = Counter((f.responded.year, f.outcome) for f in facts if f.responded)
    labels = {"successful": "Information provided", "partially-successful": "Partly provided",
              "refused": "Refused", "not-held": "Information not held"}
    marks = _marks(_stats_page(synthetic_site), "chart-outcomes")
    years = {year for year, _ in counts}
    want = {(labels[o], str(y)): counts.get((y, o), 0) for y in range(min(years), max(years) + 1) for o in OUTCOMES}
    assert marks == want


def test_exemption_use_matches_the_letters(synthetic_site: BuiltSite, facts: list[Facts]) -> None:
    counts = Counter(e for f in facts for e in set(f.exemptions or []))
    marks = _marks(_stats_page(synthetic_site), "chart-exemptions")
    assert marks == {("Responses", e): n for e, n in counts.items()}
    values = [v for v in marks.values() if v is not None]
    assert values == sorted(values, reverse=True), "most used first"


def test_bars_are_drawn_to_scale(synthetic_site: BuiltSite) -> None:
    page = _stats_page(synthetic_site)
    for chart_id, size in (("chart-per-month", "height"), ("chart-on-time", "height"),
                           ("chart-exemptions", "width"), ("chart-outcomes", "height")):
        chart = next(c for c in page.charts if c.id == chart_id)
        ratios = {round(float(m.attrs[size]) / m.value, 1) for m in chart.marks if m.value}
        assert len(ratios) == 1, f"{chart_id}: bars are not proportional to their values: {ratios}"
        assert all(float(m.attrs[size]) == 0 for m in chart.marks if m.value == 0)


def test_every_chart_has_a_text_alternative_and_a_table(synthetic_site: BuiltSite) -> None:
    page = _stats_page(synthetic_site)
    assert len(page.charts) == 5
    captions = [t.caption for t in page.tables]
    for chart in page.charts:
        assert chart.attrs.get("role") == "img"
        labelled = chart.attrs["aria-labelledby"].split()
        assert labelled and all(chart.ids.get(i) for i in labelled), "aria-labelledby names missing text"
        assert chart.title and len(chart.desc) > 60, f"{chart.id}: no useful description"
        assert f"{chart.title}: the figures" in captions
        assert "style=" not in str(chart.attrs)


def test_the_tables_hold_the_charts_figures(synthetic_site: BuiltSite) -> None:
    page = _stats_page(synthetic_site)
    month = next(t for t in page.tables if t.caption.startswith("Responses per month"))
    marks = _marks(page, "chart-per-month")
    assert {(row[0], float(row[1])) for row in month.rows[1:]} == {(label, v) for (_, label), v in marks.items()}
    exemptions = next(t for t in page.tables if t.caption.startswith("Exemption use"))
    assert len(exemptions.links) == len(exemptions.rows) - 1, "each exemption links to its page"


def test_statistics_of_an_empty_archive(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    for letter in (root / "site_src" / "letters").iterdir():
        letter.unlink()
    result = build_project(root)
    assert result.published
    page = read_built(root / "output", "statistics/")
    assert not page.charts and "nothing to count" in page.text


# ---------------------------------------------------------------- canonical addresses, OpenGraph, the 404 page

def test_every_page_has_its_canonical_address_and_opengraph(synthetic_site: BuiltSite) -> None:
    for html in synthetic_site.html_files():
        url = html.relative_to(synthetic_site.output).as_posix().removesuffix("index.html")
        page = read_built(synthetic_site.output, url)
        canonical = [link["href"] for link in page.head_links if link.get("rel") == "canonical"]
        for key in ("og:title", "og:description", "og:site_name", "og:type", "og:locale"):
            assert page.meta.get(key), f"{url}: no {key}"
        if url == "404.html":
            assert not canonical and page.meta.get("robots") == "noindex"
            continue
        assert canonical == [BASE + url], f"{url}: canonical {canonical}"
        assert page.meta["og:url"] == BASE + url
        assert page.meta["og:type"] == ("article" if url.count("/") == 3 and url.startswith("letters/20") else
                                        "website")


def test_the_404_page_offers_search_and_browsing_from_the_sites_path(synthetic_site: BuiltSite) -> None:
    page = read_built(synthetic_site.output, "404.html")
    assert page.forms == [{"action": "/archive/search/", "method": "get", "inputs": page.forms[0]["inputs"]}]
    assert [i.get("name") for i in page.forms[0]["inputs"]] == ["q"]
    hrefs = {href for href, _ in page.anchors}
    for target in ("/archive/letters/", "/archive/years/", "/archive/topics/", "/archive/exemptions/",
                   "/archive/outcomes/", "/archive/"):
        assert target in hrefs
    assert all(link["href"].startswith(("/archive/", "https://")) for link in page.head_links)


def test_a_path_base_url_writes_no_feeds_or_sitemap_and_says_why(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--base-url", "/foi/",
                           "--strict"], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "note: base_url is a path (/foi/)" in done.stderr and "https://" in done.stderr
    output = root / "output"
    assert not (output / "feed.xml").exists() and not (output / "sitemap.xml").exists()
    assert not list(output.glob("topics/*/feed.xml"))
    assert "Sitemap:" not in (output / "robots.txt").read_text(encoding="utf-8")
    home = read_built(output, "")
    assert not [link for link in home.head_links if link.get("rel") in ("canonical", "alternate")]
    assert "og:url" not in home.meta
    assert read_built(output, "404.html").forms[0]["action"] == "/foi/search/"
    assert (output / "data" / "letters.csv").is_file()
    quiet = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--base-url", "/foi/", "-q"],
                           capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_the_same_archive_builds_byte_for_byte_the_same(tmp_path: Path, synthetic_site: BuiltSite) -> None:
    from .helpers import tree_bytes
    from .synthetic import write_archive
    root = write_archive(tmp_path / "again", 90, themes=REPO / "themes")
    (root / "site_src" / "site.toml").write_bytes((synthetic_site.root / "site_src" / "site.toml").read_bytes())
    build_project(root)
    assert tree_bytes(root / "output") == tree_bytes(synthetic_site.output)
