"""The search index in Python: what lunr.py would build, sharded correctly, without boilerplate, deterministic."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from lunr.index import Index as LunrIndex
from lunr.query import QueryPresence

from bench import corpus
from foilog import index
from foilog.config import SiteConfig
from foilog.errors import FoilogError
from foilog.searchtext import stem, words

from .helpers import BuiltSite, build_project, make_project, tree_bytes
from .searching import comparable, data_file, letter, lunr_reference, reassemble, write_index, write_pages

SHARD_BYTES = 4000  # small shards, so that queries and tests cross many of them


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[index.SearchIndex, Path]:
    letters = corpus.letters(300, seed=21)
    search_index = index.build_index(letters, corpus.urls(letters), SiteConfig())
    search_index.shard_bytes = SHARD_BYTES
    return search_index, write_index(search_index, tmp_path_factory.mktemp("generated") / "site")


def data(site: Path, name: str) -> Any:
    return data_file(site, name)


def build_folder(site: Path) -> Path:
    return site / "search" / "data" / data(site, "manifest.json")["build"]


def doc_file(site: Path, number: int) -> Path:
    """A letter's search record, where the manifest says it is."""
    manifest = data(site, "manifest.json")
    return site / "search" / "data" / manifest["docs"][number // manifest["docsPerFolder"]] / f"{number}.json"


def lunr_query(serialized: dict[str, Any], query: str) -> list[str]:
    """Refs of the letters holding every word of `query`, best first, as lunr scores them (lunr.py here)."""
    found = LunrIndex.load(serialized)
    q = found.create_query()
    for word in words(query):
        q.term(stem(word), use_pipeline=False, presence=QueryPresence.REQUIRED)
    return [result["ref"] for result in found.query(q)]


def test_the_example_sites_index_is_what_lunr_py_builds(example_site: BuiltSite) -> None:
    docs = index.documents(example_site.result.letters, _urls(example_site))
    assert comparable(reassemble(example_site.output)) == comparable(lunr_reference(docs))


def test_a_generated_archives_index_is_what_lunr_py_builds(generated: tuple[index.SearchIndex, Path]) -> None:
    search_index, site = generated
    reference = lunr_reference(search_index.docs)
    ours = reassemble(site)
    assert len(ours["invertedIndex"]) == len(reference["invertedIndex"]) > 2000
    assert comparable(ours) == comparable(reference)


def test_every_term_is_in_exactly_one_shard_in_order(generated: tuple[index.SearchIndex, Path]) -> None:
    search_index, site = generated
    bounds = data(site, "manifest.json")["shards"]
    assert len(bounds) > 50
    assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds)
    seen = []
    for number, first in enumerate(bounds):
        path = build_folder(site) / "shards" / f"{number}.json"
        terms = [entry[0] for entry in json.loads(path.read_text(encoding="utf-8"))]
        assert terms[0] == first and terms == sorted(terms)
        if number + 1 < len(bounds):
            assert terms[-1] < bounds[number + 1]
        assert len(terms) == 1 or path.stat().st_size <= SHARD_BYTES + 200
        seen += terms
    assert seen == sorted(search_index.postings.terms)


def test_the_typo_dictionary_holds_every_word_with_at_most_two_digits(
        generated: tuple[index.SearchIndex, Path]) -> None:
    search_index, site = generated
    manifest = data(site, "manifest.json")
    listed = {length: data(site, f"words/{length}.json") for length in manifest["words"]}
    for listed_words in listed.values():
        assert listed_words == sorted(listed_words)
    every = {w for doc in search_index.docs for field in index.field_words(doc) for w in field}
    assert "potholes" in every and "pothol" not in every  # words as written, not stems
    expected = sorted(w for w in every if sum(c.isdigit() for c in w) <= 2)
    assert sorted(w for listed_words in listed.values() for w in listed_words) == expected
    assert all(len(w) == length for length, listed_words in listed.items() for w in listed_words)


def test_paragraphs_most_letters_share_are_not_indexed(generated: tuple[index.SearchIndex, Path]) -> None:
    search_index, site = generated
    shared = "We have processed this request under the Freedom of Information Act 2000."
    assert all(shared in letter.body for letter in (d.letter for d in search_index.docs))
    assert "process" not in search_index.postings.terms  # "processed" is in no other paragraph
    assert shared not in doc_file(site, 0).read_text(encoding="utf-8")
    # a closing section folded away on the page is not indexed either
    assert "wilmslow" not in search_index.postings.terms


def test_information_commissioner_finds_the_letters_that_discuss_it(
        generated: tuple[index.SearchIndex, Path]) -> None:
    search_index, site = generated
    found = lunr_query(reassemble(site), "information commissioner")
    discussing = [d for d in search_index.docs
                  if any("Information Commissioner" in s.text for s in d.sections)]
    assert 0 < len(found) == len(discussing) < len(search_index.docs) / 5
    assert {int(ref) for ref in found} == {d.number for d in discussing}


def test_a_reference_puts_its_letter_first(tmp_path: Path) -> None:
    day = dt.date(2023, 5, 2)
    letters = [
        letter("6251688", "Video conferencing", [("Which video software do you use?", "Microsoft Teams.")],
               responded=day),
        letter("7000001", "Follow-up to request 6251688",
               [("Further to 6251688, 6251688 and 6251688: which licences?", "See 6251688; 6251688 again.")],
               request="This follows our request 6251688 (6251688).", responded=day),
        letter("6251689", "A neighbouring number", [("What about 625168?", "Nothing.")], responded=day),
    ]
    search_index = index.build_index(letters, _letter_urls(letters), SiteConfig())
    site = write_index(search_index, tmp_path / "site")
    found = lunr_query(reassemble(site), "6251688")
    assert [search_index.docs[int(ref)].letter.reference for ref in found] == ["6251688", "7000001"]


def test_letters_without_a_word_in_some_field_are_indexed(tmp_path: Path) -> None:
    """No letter has a summary or a request (a hand-made page with a response only): the build does not stop, and
    the letters are found by their words."""
    day = dt.date(2023, 5, 2)
    letters = [letter(str(n), f"Reply {n}", [("Anything?", "Nothing.")], responded=day) for n in (1, 2)]
    for made, text in zip(letters, ("We hold no records of parking fines.", "Our gritting routes are attached."),
                          strict=True):
        made.summary, made.body = "", f"## Response\n\n{text}\n"
    search_index = index.build_index(letters, _letter_urls(letters), SiteConfig())
    assert [sum(lengths) for lengths in search_index.postings.lengths][2:4] == [0, 0]
    serialized = reassemble(write_index(search_index, tmp_path / "site"))
    reference = {str(d.number): d.letter.reference for d in search_index.docs}
    assert [reference[r] for r in lunr_query(serialized, "gritting")] == ["2"]


def test_words_lunr_would_drop_as_stop_words_are_searchable(tmp_path: Path) -> None:
    day = dt.date(2023, 5, 2)
    letters = [letter("1", "Charges", [("Do you charge?", "The council may charge a fee in May.")], responded=day),
               letter("2", "A reply", [("Who wrote?", "Dear Ms Smith, thank you for your letter.")], responded=day),
               letter("3", "Other", [("Anything else?", "Nothing else is held.")], responded=day)]
    search_index = index.build_index(letters, _letter_urls(letters), SiteConfig())
    serialized = reassemble(write_index(search_index, tmp_path / "site"))
    reference = {str(d.number): d.letter.reference for d in search_index.docs}
    assert [reference[r] for r in lunr_query(serialized, "may")] == ["1"]
    assert [reference[r] for r in lunr_query(serialized, "dear")] == ["2"]
    assert [reference[r] for r in lunr_query(serialized, "else")] == ["3"]
    assert "the" in search_index.postings.terms


def test_each_letters_record_has_its_questions_with_anchors(example_site: BuiltSite) -> None:
    docs = example_site.output / "search" / "data" / "docs"
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(docs.rglob("*.json"))]
    record = next(r for r in records if r["reference"] == "6251688")
    assert record["url"] == "letters/2020/6251688/"
    assert record["title"] == "Video conferencing software"
    assert (record["date"], record["outcome"], record["outcomeLabel"], record["late"]) == \
        ("Answered 17 April 2020", "successful", "Information provided", False)
    questions = [s for s in record["sections"] if s["id"]]
    assert [q["id"] for q in questions] == ["q1", "q2", "q3"]
    assert "Skype for Business" in questions[0]["text"]
    assert all("Information Commissioner" not in s["text"] for s in record["sections"])
    numbers = sorted(int(p.stem) for p in docs.rglob("*.json"))
    assert numbers == list(range(len(records)))


def test_letters_are_numbered_newest_first(generated: tuple[index.SearchIndex, Path]) -> None:
    search_index, _ = generated
    dates = [d.letter.responded for d in search_index.docs]
    assert dates == sorted(dates, reverse=True)


def test_facets_give_each_letter_its_facts(generated: tuple[index.SearchIndex, Path]) -> None:
    search_index, site = generated
    manifest = data(site, "manifest.json")
    packed = data(site, "facets.json")
    facets = {f["key"]: f for f in manifest["facets"]}
    assert list(facets) == ["year", "topic", "exemption", "outcome", "law", "timeliness"]
    for key, facet in facets.items():
        per_letter = packed[key].split(",")
        assert len(per_letter) == len(search_index.docs)
        for doc, chars in zip(search_index.docs, per_letter, strict=True):
            values = [facet["values"][ord(c) - 48]["value"] for c in chars]
            le = doc.letter
            expected = {"year": [str(le.responded.year)] if le.responded else [], "topic": le.topics,
                        "exemption": le.exemptions, "outcome": [le.outcome], "law": [le.regime],
                        "timeliness": [] if le.late is None else ["late" if le.late else "on-time"]}[key]
            assert sorted(values) == sorted(expected), (key, le.reference)
    years = [v["value"] for v in facets["year"]["values"]]
    assert years == sorted(years, reverse=True)
    assert [v["label"] for v in facets["outcome"]["values"]][:1] == ["Information provided"]


def test_common_words_are_listed_for_long_archives_only(generated: tuple[index.SearchIndex, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    search_index, _ = generated
    assert search_index.common_terms() == []  # 300 letters: no word is in 500 or more
    monkeypatch.setattr(index, "COMMON_MIN", 10)
    common = search_index.common_terms()
    assert "the" in common and "council" in common
    assert "pothol" not in common


def test_the_same_letters_give_byte_identical_files(tmp_path: Path) -> None:
    letters = corpus.letters(60, seed=4)
    first = write_index(index.build_index(letters, corpus.urls(letters), SiteConfig()), tmp_path / "a")
    again = corpus.letters(60, seed=4)
    second = write_index(index.build_index(list(reversed(again)), corpus.urls(again), SiteConfig()), tmp_path / "b")
    assert tree_bytes(first) == tree_bytes(second)


def test_terms_are_scored_in_runs_of_bounded_postings_with_the_same_result(
        generated: tuple[index.SearchIndex, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    search_index, _ = generated
    files = search_index.data_files()
    monkeypatch.setattr(index, "ENTRIES_PER_BATCH", 50)
    runs = list(search_index.term_batches())
    assert [term for run in runs for term in run] == search_index.sorted_terms
    sizes = [[len(search_index.postings.entries[search_index.postings.terms[t]]) for t in run] for run in runs]
    assert all(sum(run) <= 50 or len(run) == 1 for run in sizes)
    assert any(len(run) == 1 and run[0] > 50 for run in sizes), "a term in more letters than a run holds"
    assert search_index.data_files() == files


def test_a_changed_letter_changes_only_its_own_folder_of_records(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Records are kept in folders named after their content, so a rebuild after one letter changed rewrites that
    letter's folder and keeps the others, while the rest of the index moves to a new build folder."""
    monkeypatch.setattr(index, "DOCS_PER_FOLDER", 4)
    letters = corpus.letters(10, seed=8)
    before = index.build_index(letters, corpus.urls(letters), SiteConfig())
    old = before.data_files()
    changed = before.docs[5].letter
    changed.body = changed.body.replace("## Response\n", "## Response\n\nA further note was added on review.\n", 1)
    after = index.build_index(letters, corpus.urls(letters), SiteConfig())
    new = after.data_files()
    old_manifest, new_manifest = (json.loads(files["search/data/manifest.json"]) for files in (old, new))
    old_folders, new_folders = old_manifest["docs"], new_manifest["docs"]
    assert len(old_folders) == len(new_folders) == 3
    assert [a == b for a, b in zip(old_folders, new_folders, strict=True)] == [True, False, True]
    kept = {path: data for path, data in new.items() if f"/{new_folders[1]}" not in path and "/docs/" in path}
    assert kept and all(old[path] == data for path, data in kept.items())
    assert "A further note" in new[f"search/data/{new_folders[1]}5.json"].decode()
    assert old_manifest["build"] != new_manifest["build"]


def test_without_lunr_js_the_build_stops_and_output_is_untouched(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(tmp_path / "project")
    build_project(root)
    before = tree_bytes(root / "output")
    monkeypatch.setattr(index, "LUNR_JS", tmp_path / "missing" / "lunr.min.js")
    with pytest.raises(FoilogError) as raised:
        build_project(root)
    assert "npm ci" in raised.value.hint
    assert tree_bytes(root / "output") == before


def test_the_build_writes_the_search_page_and_data(example_site: BuiltSite) -> None:
    search = example_site.output / "search"
    for name in ("search/index.html", "assets/search.js", "assets/lunr.min.js", "search/data/manifest.json"):
        assert (example_site.output / name).is_file(), name
    assert (build_folder(example_site.output) / "facets.json").is_file()
    manifest = data(example_site.output, "manifest.json")
    assert sorted(p.name for p in (search / "data").iterdir() if p.is_dir()) == sorted([manifest["build"], "docs"])
    assert [f"docs/{p.name}/" for p in (search / "data" / "docs").iterdir()] == manifest["docs"]
    assert (example_site.output / "assets" / "lunr.min.js").read_bytes().startswith(b"/**\n * lunr - http://lunrjs.com")
    manifest = data(example_site.output, "manifest.json")
    assert manifest["documents"] == len(example_site.result.letters) == 5
    assert manifest["lunr"] == "2.3.9" and len(manifest["build"]) == 16


def test_hand_made_letters_build_as_pages(tmp_path: Path) -> None:
    day = dt.date(2022, 1, 10)
    root = make_project(tmp_path / "project")
    for old in (root / "site_src" / "letters").iterdir():
        old.unlink()
    write_pages([letter("1", "One", [("Q?", "A.")], responded=day)], root / "content")
    result = build_project(root)
    assert [le.reference for le in result.letters] == ["1"]
    assert data(root / "output", "manifest.json")["documents"] == 1


def _urls(site: BuiltSite) -> dict[str, str]:
    from foilog.urls import letter_url

    return {le.source or str(le.page): letter_url(le.page, site.content) for le in site.result.letters if le.page}


def _letter_urls(letters: list) -> dict[str, str]:
    return {le.source: f"letters/{le.reference}/" for le in letters}


def test_a_page_that_would_replace_the_search_page_is_left_out(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "site_src" / "pages").mkdir()
    (root / "site_src" / "pages" / "search.md").write_text("# My search\n\nHello.\n", encoding="utf-8")
    result = build_project(root)
    warned = [p for p in result.report.warnings if "search page" in p.message]
    assert warned and warned[0].file and warned[0].file.endswith("search.md")
    assert 'id="search-input"' in (root / "output" / "search" / "index.html").read_text(encoding="utf-8")
