"""Search as a person uses it, in headless Chromium: the header box, results as you type, snippets, question links,
filters, sorting, the back button, the keyboard, screen-reader announcements, and the page without JavaScript.

Most tests use a small archive of hand-made letters (`archive`), each made to show one behaviour; some use the
example site (`server`). Both are served under a sub-path.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import ARTIFACTS, Server, Tab, open_tab, serve
from .helpers import build_project, make_project
from .searching import letter as made_letter
from .searching import write_pages

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__xss=1"> <b>bold</b> &amp; "quoted"'
SHARED = "If you are unhappy with this response you may complain to the Information Commissioner."


def letter(*args: Any, **kwargs: Any) -> Any:
    return made_letter(*args, shared=[SHARED], **kwargs)


def archive_letters() -> list[Any]:
    day = dt.date(2023, 6, 1)
    made = [
        letter("6251688", "Video conferencing software",
               [("What video conferencing software do you use?", "We use Microsoft Teams for council meetings."),
                ("How much do the licences cost?", "The licences cost £20,000 a year.")],
               responded=day, topics=["Technology and digital"]),
        letter("7000001", "Follow-up to request 6251688",
               [("Further to 6251688: which teams use 6251688's software?",
                 "See 6251688, which the council answered.")],
               request="This follows request 6251688.", responded=day - dt.timedelta(days=40),
               outcome="partially-successful", exemptions=["FOIA s.40(2)"]),
        letter("7000002", "Meeting rooms", [("How many conference rooms are in the town hall?",
                                             "There are four conference rooms and a council chamber.")],
               responded=dt.date(2022, 3, 4), late=True),
        letter("7000003", "Hostile markup", [(f"What does {HOSTILE} do?", f"The council shows {HOSTILE} as text.")],
               responded=dt.date(2022, 2, 1), outcome="refused", exemptions=["FOIA s.43(2)"]),
        letter("7000004", "Fees", [("Do you charge fees?", "Dear Ms Smith, the council may charge a fee.")],
               responded=dt.date(2021, 9, 9)),
        letter("7000005", "Data breaches", [("How many data breaches were reported?",
                                             "We reported two breaches to the Information Commissioner.")],
               responded=dt.date(2021, 5, 5), late=True),
    ]
    made += [letter(f"80000{n:02d}", f"Bus shelter {n}", [(f"Is bus shelter {n} in Lower Road repaired?",
                                                           "The bus shelter was repaired.")],
                    responded=dt.date(2020, 1, 1) + dt.timedelta(days=n)) for n in range(12)]
    return made


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = make_project(tmp_path_factory.mktemp("search-archive") / "project")
    shutil.rmtree(root / "site_src" / "letters")
    made = archive_letters()
    write_pages(made, root / "content")
    result = build_project(root)
    assert len(result.letters) == len(made) and not result.report.errors
    with serve(root / "output", tmp_path_factory.mktemp("search-served")) as server:
        yield server


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    yield from open_tab(browser, 1280, 900)


def search(tab: Tab, server: Server, query: str, extra: str = "") -> list[dict[str, Any]]:
    """Open the search page for a query and wait for its results; each result as the page shows it."""
    from urllib.parse import quote_plus

    tab.open(f"{server.base}search/?q={quote_plus(query)}{extra}")
    return results(tab)


def results(tab: Tab) -> list[dict[str, Any]]:
    page = tab.page
    page.wait_for_function("() => window.foilogSearchPage && window.foilogSearchPage.timing"
                           " && window.foilogSearchPage.settled === window.foilogSearchPage.generation")
    return page.eval_on_selector_all("#search-results > li", """items => items.map(li => ({
        title: li.querySelector('[data-slot=title]').textContent,
        href: li.querySelector('[data-slot=link]').getAttribute('href'),
        reference: li.querySelector('[data-slot=reference]').textContent,
        date: li.querySelector('[data-slot=date]').textContent,
        outcome: li.querySelector('[data-slot=outcome]').textContent,
        late: !li.querySelector('[data-slot=late]').hidden,
        where: li.querySelector('[data-slot=where]').textContent,
        snippet: li.querySelector('[data-slot=snippet]').textContent,
        marks: Array.from(li.querySelectorAll('mark')).map(m => m.textContent)}))""")


def wait_for_query(tab: Tab, query: str) -> list[dict[str, Any]]:
    tab.page.wait_for_function("q => window.foilogSearchPage.timing && window.foilogSearchPage.timing.query === q",
                               arg=query)
    return results(tab)


def status(tab: Tab) -> str:
    return tab.page.locator("#search-status").inner_text()


def test_results_show_title_reference_date_outcome_and_a_highlighted_snippet(tab: Tab, archive: Server) -> None:
    found = search(tab, archive, "licences cost")
    assert len(found) == 1
    first = found[0]
    assert first["title"] == "Video conferencing software"
    assert first["reference"] == "Ref 6251688"
    assert first["date"] == "Answered 1 June 2023"
    assert first["outcome"] == "Information provided"
    assert "£20,000" in first["snippet"]
    assert {m.lower() for m in first["marks"]} >= {"licences", "cost"}
    assert status(tab) == "1 response matches ‘licences cost’."
    tab.assert_clean()


def test_a_match_in_an_answer_links_to_its_question(tab: Tab, archive: Server) -> None:
    found = search(tab, archive, "licences cost")
    assert found[0]["where"] == "Question 2"
    assert found[0]["href"].endswith("letters/2023/6251688/#q2")
    tab.page.locator("#search-results a").first.click()
    tab.page.wait_for_url(re.compile(r".*/letters/2023/6251688/#q2$"))
    assert tab.page.evaluate("document.querySelector(':target').id") == "q2"
    assert "How much do the licences cost?" in tab.page.locator("#q2").inner_text()
    tab.assert_clean()


def test_a_reference_number_puts_its_letter_first(tab: Tab, archive: Server) -> None:
    found = search(tab, archive, "6251688")
    assert [r["reference"] for r in found] == ["Ref 6251688", "Ref 7000001"]
    tab.assert_clean()


def test_stemming_finds_other_forms_of_a_word(tab: Tab, archive: Server) -> None:
    found = search(tab, archive, "conferencing")
    titles = [r["title"] for r in found]
    assert "Meeting rooms" in titles, "'conferencing' must find a letter that only says 'conference'"
    rooms = next(r for r in found if r["title"] == "Meeting rooms")
    assert "conference" in [m.lower() for m in rooms["marks"]]
    tab.assert_clean()


def test_a_typo_is_retried_with_similar_words(tab: Tab, archive: Server) -> None:
    found = search(tab, archive, "confrence rooms")
    assert [r["title"] for r in found] == ["Meeting rooms"]
    assert "spelt similarly" in tab.page.locator("#search-notes").inner_text()
    tab.assert_clean()


def test_stop_words_are_searchable(tab: Tab, archive: Server) -> None:
    assert [r["title"] for r in search(tab, archive, "may")] == ["Fees"]
    assert [r["title"] for r in search(tab, archive, "dear")] == ["Fees"]
    tab.assert_clean()


def test_a_paragraph_every_letter_shares_is_not_searched(tab: Tab, archive: Server) -> None:
    found = search(tab, archive, "information commissioner")
    assert [r["title"] for r in found] == ["Data breaches"]
    assert all(SHARED not in r["snippet"] for r in search(tab, archive, "bus shelter"))
    tab.assert_clean()


def test_text_from_a_letter_is_shown_as_text_never_markup(tab: Tab, archive: Server) -> None:
    found = search(tab, archive, "onerror")
    assert len(found) == 1
    assert '<img src=x onerror="window.__xss=1">' in found[0]["snippet"]
    assert "<b>bold</b>" in found[0]["snippet"]
    assert tab.page.locator("#search-results img, #search-results b").count() == 0
    assert tab.page.evaluate("window.__xss") is None
    assert found[0]["marks"] == ["onerror"] * len(found[0]["marks"]) and found[0]["marks"]
    tab.assert_clean()


def test_filters_narrow_the_results_and_show_counts(tab: Tab, archive: Server) -> None:
    page = tab.page
    found = search(tab, archive, "council")
    assert len(found) == 5
    outcome = page.locator("fieldset", has=page.locator("legend", has_text="Outcome"))
    assert outcome.get_by_label(re.compile(r"Information provided \(3\)")).count() == 1
    assert outcome.get_by_label(re.compile(r"Partly provided \(1\)")).count() == 1
    assert outcome.get_by_label(re.compile(r"Refused \(1\)")).count() == 1
    outcome.get_by_label(re.compile("Partly provided")).check()
    narrowed = wait_for_query(tab, "council")
    page.wait_for_function("() => document.querySelectorAll('#search-results > li').length === 1")
    narrowed = results(tab)
    assert [r["title"] for r in narrowed] == ["Follow-up to request 6251688"]
    assert "outcome=partially-successful" in page.url
    # other values keep their counts, so a second choice widens the results again
    assert outcome.get_by_label(re.compile(r"Information provided \(3\)")).count() == 1
    timing = page.locator("fieldset", has=page.locator("legend", has_text="Answered in time"))
    assert timing.get_by_label(re.compile(r"On time \(1\)")).count() == 1
    page.reload()
    assert [r["title"] for r in results(tab)] == ["Follow-up to request 6251688"]
    assert outcome.get_by_label(re.compile("Partly provided")).is_checked()
    tab.assert_clean()


def test_filters_alone_list_matching_letters_newest_first(tab: Tab, archive: Server) -> None:
    found = search(tab, archive, "", "&timeliness=late")
    assert [r["title"] for r in found] == ["Meeting rooms", "Data breaches"]
    assert all(r["late"] for r in found)
    assert status(tab) == "2 responses match the filters you chose."
    found = search(tab, archive, "", "&year=2021&year=2022")
    assert [r["date"][-4:] for r in found] == ["2022", "2022", "2021", "2021"]
    tab.assert_clean()


def test_sort_by_date(tab: Tab, archive: Server) -> None:
    page = tab.page
    best = [r["title"] for r in search(tab, archive, "council")]
    page.select_option("#search-sort", "oldest")
    page.wait_for_url(re.compile("sort=oldest"))
    page.wait_for_function("t => document.querySelector('#search-results [data-slot=title]').textContent === t",
                           arg="Fees")
    oldest = [r["title"] for r in results(tab)]
    assert oldest == ["Fees", "Hostile markup", "Meeting rooms", "Follow-up to request 6251688",
                      "Video conferencing software"]
    assert sorted(oldest) == sorted(best)
    page.select_option("#search-sort", "newest")
    page.wait_for_function("t => document.querySelector('#search-results [data-slot=title]').textContent === t",
                           arg="Video conferencing software")
    assert [r["title"] for r in results(tab)] == list(reversed(oldest))
    tab.assert_clean()


def test_more_results_on_request(tab: Tab, archive: Server) -> None:
    page = tab.page
    assert len(search(tab, archive, "bus shelter")) == 10
    assert status(tab) == "12 responses match ‘bus shelter’."
    more = page.locator("#search-more")
    assert more.inner_text() == "Show 2 more"
    more.click()
    page.wait_for_function("() => document.querySelectorAll('#search-results > li').length === 12")
    assert more.is_hidden()
    tab.assert_clean()


def test_results_as_you_type_and_the_back_button(tab: Tab, archive: Server) -> None:
    page = tab.page
    tab.open(archive.base + "search/")
    page.wait_for_function("() => window.foilogSearchPage && window.foilogSearchPage.engine")
    assert status(tab).startswith("Type a word or a reference number to search 18 responses")
    box = page.locator("#search-input")
    box.press_sequentially("shelt", delay=30)  # a partly typed word already finds the longer one
    found = wait_for_query(tab, "shelt")
    assert len(found) == 10 and page.url.endswith("search/?q=shelt")
    box.press("Enter")
    box.fill("")
    box.press_sequentially("fees", delay=30)
    wait_for_query(tab, "fees")
    assert page.url.endswith("?q=fees")
    page.go_back()
    page.wait_for_url(re.compile(r"\?q=shelt$"))
    found = wait_for_query(tab, "shelt")
    assert box.input_value() == "shelt" and len(found) == 10
    page.go_forward()
    assert [r["title"] for r in wait_for_query(tab, "fees")] == ["Fees"]
    tab.assert_clean()


def test_the_header_box_searches_from_any_page(tab: Tab, server: Server) -> None:
    page = tab.page
    tab.open(server.base + "letters/2020/6370952/")
    header = page.get_by_role("search").first
    header.get_by_label("Search the responses").fill("skype")
    header.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/\?q=skype$"))
    found = results(tab)
    assert "Video conferencing software" in [r["title"] for r in found]
    assert page.locator("#search-input").input_value() == "skype"
    assert page.locator("#site-search-input").count() == 0, "the search page has its own box, not the header's"
    tab.assert_clean()


def test_keyboard_only(tab: Tab, server: Server) -> None:
    page = tab.page
    tab.open(server.base)
    for _ in range(12):  # the skip link, the header's links, then the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search-input":
            break
    assert page.evaluate("document.activeElement.id") == "site-search-input"
    page.keyboard.type("councillor meetings")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=councillor\+meetings$"))
    results(tab)
    for _ in range(30):  # past the header's links and the search form to the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#search-results') !== null"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused and focused.endswith("#q3"), focused
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/letters/2020/6251688/#q3$"))
    tab.assert_clean()


def test_the_result_count_is_announced(tab: Tab, server: Server) -> None:
    search(tab, server, "bluejeans")
    live = tab.page.locator("#search-status")
    assert live.get_attribute("role") == "status" and live.get_attribute("aria-live") == "polite"
    assert live.inner_text() == "1 response matches ‘bluejeans’."
    search(tab, server, "skype")
    assert live.inner_text() == "2 responses match ‘skype’."
    search(tab, server, "xylophone")
    assert live.inner_text() == "No responses match ‘xylophone’."
    tab.assert_clean()


def test_without_javascript_the_page_says_so_and_links_to_the_list(browser: Any, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server.base + "search/?q=skype")
        message = page.locator("#search-nojs")
        assert message.is_visible()
        assert "Search needs JavaScript" in message.inner_text()
        assert page.locator("#search").is_hidden()
        message.get_by_role("link", name=re.compile("browse all 5 responses")).click()
        page.wait_for_url(server.base + "letters/")
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_search_page_screenshots(browser: Any, archive: Server, width: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for tab in open_tab(browser, width, 900):
        search(tab, archive, "council", "&outcome=successful")
        shot = ARTIFACTS / f"search-{width}.png"
        tab.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= width
        filters_open = tab.page.evaluate("document.getElementById('search-filters-panel').open")
        assert filters_open == (width > 800), "filters fold away on a phone"
        tab.assert_clean()


def test_no_console_errors_or_csp_violations_while_searching(tab: Tab, archive: Server) -> None:
    for query in ("council", "6251688", "confrence", "onerror", "zzzz", "bus sh"):
        search(tab, archive, query)
    tab.assert_clean()


def test_a_page_open_across_a_rebuild_finds_the_new_index(browser: Any, archive: Server, tmp_path: Path) -> None:
    import json

    with serve(archive.site, tmp_path / "served") as server:
        data = server.site / "search" / "data"
        manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
        for tab in open_tab(browser, 1280, 900):
            tab.open(f"{server.base}search/")
            tab.page.wait_for_function("() => window.foilogSearchPage && window.foilogSearchPage.engine")
            # the site is published again: the old build's folder is gone, the manifest names a new one
            (data / manifest["build"]).rename(data / "0123456789abcdef")
            (data / "manifest.json").write_text(json.dumps({**manifest, "build": "0123456789abcdef"}),
                                                encoding="utf-8")
            tab.page.locator("#search-input").fill("licences")
            found = wait_for_query(tab, "licences")
            assert [r["title"] for r in found] == ["Video conferencing software"]
            assert tab.page.evaluate("window.foilogSearchPage.engine.manifest.build") == "0123456789abcdef"
            unexpected = [p for p in tab.problems if manifest["build"] not in p and "status of 404" not in p]
            assert not unexpected, unexpected
