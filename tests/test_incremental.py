"""Incremental builds: only what depends on a change is made again, and the site is byte for byte the site a
build from nothing makes. Parallel builds make the same site as one process."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.letters import write_letters
from foilog import index
from foilog.build import Result, page_files
from foilog.cache import CACHE_DIR, INPUTS_FILE, OUTPUTS_FILE
from foilog.output import SPARE_MANIFEST, Staging, prepare_spare
from foilog.read import find_letter_files

from .helpers import EXAMPLE_LETTERS, THEME_NAMES, THEMES, build_project, make_project, tree_bytes

THEME = THEME_NAMES[0]  # the example site's theme
LETTER = "000_a0d9641ec2702f3a.txt"
LETTER_PAGE = "letters/2020/6251688/index.html"


def fresh_build(project: Path, elsewhere: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The output/ and content/ that a build from nothing makes of the same letters, pages and theme."""
    shutil.copytree(project, elsewhere, ignore=shutil.ignore_patterns("output", CACHE_DIR, ".output-*"))
    build_project(elsewhere, cache=False)
    return tree_bytes(elsewhere / "output"), tree_bytes(elsewhere / "content")


def assert_same_as_fresh(project: Path, elsewhere: Path) -> None:
    output, content = fresh_build(project, elsewhere)
    built = tree_bytes(project / "output")
    assert sorted(built) == sorted(output), (f"missing {sorted(set(output) - set(built))}, "
                                             f"stale {sorted(set(built) - set(output))}")
    different = [name for name in output if built[name] != output[name]]
    assert not different, f"these differ from a build from nothing: {different}"
    assert tree_bytes(project / "content") == content


def made(result: Result) -> int:
    return result.files_made


def made_pages(result: Result) -> set[str]:
    """The HTML pages a build made (rendered) rather than took from the last build."""
    return {name for name in result.made if name.endswith(".html")}


def letter_pages(project: Path) -> set[str]:
    return {name for name in tree_bytes(project / "output") if name.startswith("letters/20") and
            name.count("/") == 3 and "/page/" not in name and "/by-" not in name}


def linking_to(project: Path, page: str) -> set[str]:
    """The pages of the site with a link to `page` (its letter's address, relative or not)."""
    address = page.removesuffix("index.html")
    folder = address.rstrip("/").rsplit("/", 1)[-1] + "/"
    return {name for name, data in tree_bytes(project / "output").items()
            if name.endswith(".html") and name != page and f'/{folder}"'.encode() in data
            and address.split("/")[1].encode() in data}


def is_search_file(name: str) -> bool:
    return name.startswith("search/data/")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project", whole_example=True)
    build_project(root)
    return root


def html_pages(project: Path) -> int:
    return len(all_html(project))


def all_html(project: Path) -> set[str]:
    return {name for name in tree_bytes(project / "output") if name.endswith(".html")}


def test_nothing_changed_makes_nothing_and_changes_nothing(project: Path, tmp_path: Path) -> None:
    before = tree_bytes(project / "output")
    content = tree_bytes(project / "content")
    result = build_project(project)
    assert made(result) == 0 and result.files_reused == len(tree_bytes(project / "output"))
    assert tree_bytes(project / "output") == before
    assert tree_bytes(project / "content") == content
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_one_changed_letter_remakes_its_page_only(project: Path, tmp_path: Path) -> None:
    letter = project / "site_src" / "letters" / LETTER
    letter.write_text(letter.read_text(encoding="utf-8").replace("Skype for Business", "Pigeon Post"),
                      encoding="utf-8")
    before = tree_bytes(project / "output")
    result = build_project(project)
    after = tree_bytes(project / "output")
    changed = sorted(name for name in after if after[name] != before.get(name) and not is_search_file(name))
    assert changed == [LETTER_PAGE], "the lists it is on were made again, and came out the same"
    assert "Pigeon Post" in after[LETTER_PAGE].decode()
    assert made_pages(result) == {LETTER_PAGE}, "its response changed, not its facts: the lists are not made again"
    assert result.pages_written == 1
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_only_the_changed_letters_folder_of_search_records_is_made_again(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Search records are kept in folders (here of 2 letters): after one letter changed, the other folders are
    taken from the last site, not made again; a record deleted from output/ has its folder made again."""
    monkeypatch.setattr(index, "DOCS_PER_FOLDER", 2)
    records_made = tmp_path / "records"  # the index is built in another process: it writes down each record
    real = index.doc_record

    def doc_record(doc: index.SearchDoc) -> dict[str, object]:
        with records_made.open("a", encoding="utf-8") as out:
            out.write(f"{doc.number}\n")
        return real(doc)

    monkeypatch.setattr(index, "doc_record", doc_record)
    project = make_project(tmp_path / "project", whole_example=True)
    build_project(project)
    assert len(records_made.read_text(encoding="utf-8").split()) == 5
    records_made.write_text("", encoding="utf-8")
    docs = project / "output" / "search" / "data" / "docs"
    folders = sorted(p.name for p in docs.iterdir())
    assert len(folders) == 3
    letter = project / "site_src" / "letters" / LETTER
    letter.write_text(letter.read_text(encoding="utf-8").replace("Skype for Business", "Pigeon Post"),
                      encoding="utf-8")
    result = build_project(project)
    made_in = {name.split("/")[3] for name in result.made if name.startswith("search/data/docs/")}
    now = sorted(p.name for p in docs.iterdir())
    assert len(made_in) == 1 and made_in <= set(now) and len(set(folders) - set(now)) == 1, \
        "one folder (the changed letter's) was made again, under a new name; the other two were kept"
    assert len(records_made.read_text(encoding="utf-8").split()) <= 2, "only that folder's records were written"
    assert_same_as_fresh(project, tmp_path / "fresh")
    record = sorted(docs.glob("*/*.json"))[0]
    record.unlink()
    build_project(project)
    assert record.is_file()
    assert_same_as_fresh(project, tmp_path / "fresh-again")


def test_a_letter_that_is_not_on_the_home_page_leaves_it_alone(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_letters(project / "site_src" / "letters", 30)
    (project / "site_src" / "site.toml").write_text("per_page = 10\nlatest = 3\n", encoding="utf-8")
    (project / "themes").symlink_to(THEMES)
    build_project(project)
    oldest = min((project / "content" / "letters").rglob("*.md"), key=lambda p: p.read_text().split("responded: ")[1])
    source = project / "site_src" / oldest.read_text(encoding="utf-8").split("\nsource: ")[1].split("\n")[0]
    source.write_text(source.read_text(encoding="utf-8").replace("\nYour rights", "\nA note.\n\nYour rights"),
                      encoding="utf-8")
    page = [name for name in letter_pages(project) if oldest.stem in name][0]
    result = build_project(project)
    pages = made_pages(result)
    assert page in pages and "index.html" not in pages, "the letter's page, not the home page"
    assert "letters/index.html" not in pages, "nor the first page of the list of all letters"
    assert pages & letter_pages(project) <= {page} | linking_to(project, page)
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_hand_edited_page_is_published(project: Path, tmp_path: Path) -> None:
    page = next((project / "content" / "letters").rglob("6251688.md"))
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("title: Video conferencing software", "title: Video calls", 1), encoding="utf-8")
    result = build_project(project)
    assert "Video calls" in (project / "output" / LETTER_PAGE).read_text(encoding="utf-8")
    assert LETTER_PAGE in made_pages(result)
    assert made_pages(result) & letter_pages(project) <= {LETTER_PAGE} | linking_to(project, LETTER_PAGE)
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_removed_letter_and_page_leave_no_stale_file(project: Path, tmp_path: Path) -> None:
    (project / "site_src" / "letters" / LETTER).unlink()
    next((project / "content" / "letters").rglob("6251688.md")).unlink()
    build_project(project)
    assert not (project / "output" / LETTER_PAGE).exists()
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_new_letter_is_added(project: Path, tmp_path: Path) -> None:
    write_letters(tmp_path / "more", 1)
    shutil.copy(next((tmp_path / "more").rglob("*.txt")), project / "site_src" / "letters" / "new.txt")
    result = build_project(project)
    assert result.pages_written == 1 and made(result) >= 2
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_changed_listing_template_remakes_only_the_listings(project: Path, tmp_path: Path) -> None:
    template = project / "themes" / THEME / "templates" / "listing.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# changed #}\n", encoding="utf-8")
    result = build_project(project)
    listings = {name for name in tree_bytes(project / "output") if name.endswith(".html")
                and name.split("/")[0] in ("letters", "years", "topics", "exemptions", "outcomes", "late")}
    assert made_pages(result) and made_pages(result) <= listings, "letter pages and the home page do not use it"
    assert not made_pages(result) & letter_pages(project)
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_changed_included_template_remakes_the_pages_that_include_it(project: Path, tmp_path: Path) -> None:
    template = project / "themes" / THEME / "templates" / "_letter_list.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# changed #}\n", encoding="utf-8")
    result = build_project(project)
    assert "index.html" in made_pages(result) and "letters/index.html" in made_pages(result), \
        "the home page and the listings include it"
    assert not made_pages(result) & letter_pages(project), "letter pages do not"
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_changed_base_template_or_site_toml_remakes_every_page(project: Path, tmp_path: Path) -> None:
    base = project / "themes" / THEME / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("Skip to main content", "Skip to content"),
                    encoding="utf-8")
    assert made_pages(build_project(project)) == all_html(project)
    site_toml = project / "site_src" / "site.toml"
    site_toml.write_text(site_toml.read_text(encoding="utf-8").replace("Barnet FOI disclosure log", "Barnet FOI"),
                         encoding="utf-8")
    assert made_pages(build_project(project)) == all_html(project)
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_theme_override_in_site_src_is_a_template_change(project: Path, tmp_path: Path) -> None:
    override = project / "site_src" / "theme" / "templates" / "page.html"
    override.parent.mkdir(parents=True)
    override.write_text((THEMES / THEME / "templates" / "page.html").read_text(encoding="utf-8")
                        .replace('foilog-prose page">', 'foilog-prose page extra">'), encoding="utf-8")
    result = build_project(project)
    assert made(result) == 1, "the one extra page (about) uses page.html"
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_different_base_url_remakes_every_page(project: Path) -> None:
    result = build_project(project, base_url="https://example.org/foi/")
    assert made_pages(result) == all_html(project)


def test_a_file_changed_in_output_by_hand_is_made_again(project: Path, tmp_path: Path) -> None:
    page = project / "output" / LETTER_PAGE
    page.write_text("tampered", encoding="utf-8")
    result = build_project(project)
    assert result.made == [LETTER_PAGE]
    assert "tampered" not in page.read_text(encoding="utf-8")
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_cache_from_other_code_or_a_broken_cache_is_ignored(project: Path, tmp_path: Path) -> None:
    for name in (INPUTS_FILE, OUTPUTS_FILE):
        state = project / CACHE_DIR / name
        data = json.loads(state.read_text(encoding="utf-8"))
        data["code"] = "an older foilog"
        state.write_text(json.dumps(data), encoding="utf-8")
    everything = len(tree_bytes(project / "output"))
    assert made(build_project(project)) == everything
    (project / CACHE_DIR / OUTPUTS_FILE).write_text('{"format": 2, "code": ', encoding="utf-8")
    assert made(build_project(project)) == everything
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_new_foilog_code_makes_every_page_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import foilog.render

    build_project(project)  # so there is a spare site too
    monkeypatch.setattr(foilog.render, "code_version", lambda: "a newer foilog")
    assert made(build_project(project)) == html_pages(project)


def test_clean_ignores_the_cache(project: Path) -> None:
    result = build_project(project, clean=True)
    assert made(result) == len(tree_bytes(project / "output"))
    assert result.pages_written == len(list(EXAMPLE_LETTERS.glob("*.txt")))


def test_the_cache_is_never_published(project: Path) -> None:
    assert (project / CACHE_DIR / OUTPUTS_FILE).is_file() and (project / CACHE_DIR / INPUTS_FILE).is_file()
    assert not any(CACHE_DIR in name for name in tree_bytes(project / "output"))


@pytest.mark.parametrize("builds_before", [1, 2])
def test_an_interrupted_build_leaves_output_as_it_was_and_the_next_build_is_right(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds_before: int) -> None:
    """Stopped after the staging folder (the spare site, from the second build on) was changed."""
    from foilog import output

    if builds_before == 2:
        build_project(project)
        assert (project / CACHE_DIR / "spare").is_dir()
    output_before = tree_bytes(project / "output")
    base = project / "themes" / THEME / "templates" / "base.html"
    good = base.read_text(encoding="utf-8")
    base.write_text(good.replace("<body>", "<body class='interrupted'>"), encoding="utf-8")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(output.Staging, "publish", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build_project(project)
    assert tree_bytes(project / "output") == output_before
    assert not list(project.glob(".output-*"))
    base.write_text(good, encoding="utf-8")
    build_project(project)
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_files_added_to_output_by_hand_do_not_outlive_the_next_builds(project: Path, tmp_path: Path) -> None:
    build_project(project)
    (project / "output" / "stray.html").write_text("not ours", encoding="utf-8")
    (project / "output" / LETTER_PAGE).with_name("stray.txt").write_text("not ours", encoding="utf-8")
    (project / "output" / "letters" / "stray" / "deeper").mkdir(parents=True)
    (project / "output" / "letters" / "stray" / "deeper" / "index.html").write_text("not ours", encoding="utf-8")
    for _ in range(3):
        build_project(project)
        assert_same_as_fresh(project, tmp_path / f"fresh-{_}")


def test_a_site_made_of_the_spare_is_the_same_as_a_fresh_one(project: Path, tmp_path: Path) -> None:
    """Build 1 made output/; build 2 kept build 1's site as the spare; build 3 brings the spare up to date."""
    letter = project / "site_src" / "letters" / LETTER
    for number in range(4):
        letter.write_text(letter.read_text(encoding="utf-8") + f"\nPostscript {number}.\n", encoding="utf-8")
        result = build_project(project)
        assert LETTER_PAGE in made_pages(result)
        assert made_pages(result) & letter_pages(project) <= {LETTER_PAGE} | linking_to(project, LETTER_PAGE)
        assert_same_as_fresh(project, tmp_path / f"fresh-{number}")


@pytest.mark.parametrize("stopped", [False, True])
def test_a_spare_made_after_a_build_from_nothing_is_brought_up_to_date(project: Path, tmp_path: Path,
                                                                       stopped: bool) -> None:
    """`serve` makes the spare site the first build left none of (hard links to output/) while it waits; stopped
    at once, it leaves a manifest of nothing, and the next build links what is missing."""
    cache = project / CACHE_DIR
    assert not (cache / SPARE_MANIFEST).exists(), "a build from nothing leaves no spare"
    live = tree_bytes(project / "output")
    stop = threading.Event()
    if stopped:
        stop.set()
    assert prepare_spare(project / "output", cache, stop)
    manifest = json.loads((cache / SPARE_MANIFEST).read_text(encoding="utf-8"))
    published = json.loads((cache / OUTPUTS_FILE).read_text(encoding="utf-8"))["outputs"]
    assert manifest["files"] == ({} if stopped else published)
    if not stopped:
        spare = cache / "spare"
        assert tree_bytes(spare) == live
        assert all((spare / name).stat().st_ino == (project / "output" / name).stat().st_ino for name in live)
    assert not prepare_spare(project / "output", cache), "there is a spare already"
    assert tree_bytes(project / "output") == live, "the live site is untouched"

    letter = project / "site_src" / "letters" / LETTER
    letter.write_text(letter.read_text(encoding="utf-8") + "\nPostscript.\n", encoding="utf-8")
    result = build_project(project)
    assert made_pages(result) & letter_pages(project) <= {LETTER_PAGE} | linking_to(project, LETTER_PAGE)
    assert_same_as_fresh(project, tmp_path / "fresh")
    assert live[LETTER_PAGE] != tree_bytes(project / "output")[LETTER_PAGE]


def test_no_spare_is_made_while_a_build_writes(project: Path) -> None:
    with Staging(project / "output", project / CACHE_DIR):
        assert not prepare_spare(project / "output", project / CACHE_DIR)
    assert not (project / CACHE_DIR / SPARE_MANIFEST).exists()


def test_the_quick_listings_find_what_pathlib_finds(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    for name in ("a.txt", "B.TXT", "c.text", "a-b/x.txt", "a/x.txt", "a/.hidden.txt", ".hidden/y.txt", "notes.md",
                 "z/deeper/still/w.Txt", "a b/é.txt"):
        (letters / name).parent.mkdir(parents=True, exist_ok=True)
        (letters / name).write_text("x", encoding="utf-8")
    (letters / "folder.txt").mkdir()
    (letters / "linked.txt").symlink_to(letters / "a.txt")
    (letters / "dangling.txt").symlink_to(letters / "missing.txt")
    assert [p.relative_to(letters).as_posix() for p in find_letter_files(letters)] == \
        ["B.TXT", "a b/é.txt", "a-b/x.txt", "a.txt", "a/x.txt", "c.text", "linked.txt", "z/deeper/still/w.Txt"]
    content = tmp_path / "content"
    for name in ("letters/2020/1.md", "letters/2020-01/2.md", "letters/2020/sub/3.md", "letters/undated/x.md",
                 "letters/a.md", "letters/b.txt"):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    assert page_files(content) == sorted((content / "letters").rglob("*.md"))


# ---------------------------------------------------------------- parallel


@pytest.fixture(scope="module")
def many_letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many") / "letters"
    write_letters(folder, 240)
    return folder


def project_of(letters: Path, root: Path) -> Path:
    shutil.copytree(letters, root / "site_src" / "letters")
    (root / "themes").symlink_to(THEMES)
    return root


def test_two_processes_make_the_same_site_as_one(many_letters: Path, tmp_path: Path) -> None:
    one = project_of(many_letters, tmp_path / "one")
    two = project_of(many_letters, tmp_path / "two")
    first = build_project(one, jobs=1, cache=False)
    second = build_project(two, jobs=2, cache=False)
    assert first.files_made == second.files_made > 240
    assert [str(p) for p in first.report.problems] == [str(p) for p in second.report.problems]
    assert tree_bytes(one / "content") == tree_bytes(two / "content")
    assert tree_bytes(one / "output") == tree_bytes(two / "output")


# ---------------------------------------------------------------- any sequence of edits


EDITS = st.lists(st.sampled_from(["letter", "page", "template", "site", "remove", "add", "nothing"]),
                 min_size=1, max_size=3)


@settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_any_sequence_of_edits_gives_the_site_a_fresh_build_gives(tmp_path_factory: pytest.TempPathFactory,
                                                                 edits: list[str]) -> None:
    base = tmp_path_factory.mktemp("edits")
    project = make_project(base / "project", whole_example=True)
    build_project(project)
    letters = project / "site_src" / "letters"
    for number, edit in enumerate(edits):
        files = sorted(letters.glob("*.txt"))
        if edit == "letter" and files:
            files[number % len(files)].write_text(files[number % len(files)].read_text(encoding="utf-8")
                                                  + f"\nA postscript {number}.\n", encoding="utf-8")
        elif edit == "page":
            pages = sorted((project / "content" / "letters").rglob("*.md"))
            if pages:
                page = pages[number % len(pages)]
                page.write_text(page.read_text(encoding="utf-8").replace("\ntitle: ", f"\ntitle: ({number}) ", 1),
                                encoding="utf-8")
        elif edit == "template":
            template = project / "themes" / THEME / "templates" / "letter.html"
            template.write_text(template.read_text(encoding="utf-8") + f"{{# edit {number} #}}\n", encoding="utf-8")
        elif edit == "site":
            (project / "site_src" / "site.toml").write_text(f'title = "Log {number}"\n', encoding="utf-8")
        elif edit == "remove" and files:
            files[0].unlink()
        elif edit == "add":
            (letters / f"added-{number}.txt").write_bytes((EXAMPLE_LETTERS / LETTER).read_bytes()
                                                          + f"\nCopy {number}.\n".encode())
        build_project(project)
    assert_same_as_fresh(project, base / "fresh")


def test_personal_data_is_still_held_back_when_the_page_was_not_scanned_again(project: Path) -> None:
    letter = project / "site_src" / "letters" / LETTER
    letter.write_text(letter.read_text(encoding="utf-8").replace(
        "We are currently using Skype for Business", "Call Jane Smith on 07700 900123. We are currently using Skype"),
        encoding="utf-8")
    first = build_project(project)
    second = build_project(project)
    assert [le.source for le in first.held_back] == [le.source for le in second.held_back] == [f"letters/{LETTER}"]
    assert [str(p) for p in first.report.problems if "personal data" in p.message] == \
        [str(p) for p in second.report.problems if "personal data" in p.message] != []
    assert not (project / "output" / LETTER_PAGE).exists()


def test_the_search_index_is_not_built_again_when_no_letter_changed(project: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import foilog.build

    calls = tmp_path / "calls"  # the index is built in another process: it writes down that it was
    calls.write_text("", encoding="utf-8")
    real = foilog.build.build_index

    def build_index(*args: Any, **kwargs: Any) -> Any:
        with calls.open("a", encoding="utf-8") as out:
            out.write("built\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(foilog.build, "build_index", build_index)
    template = project / "themes" / THEME / "templates" / "letter.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# changed #}\n", encoding="utf-8")
    build_project(project)
    assert calls.read_text(encoding="utf-8") == "", "a template changed, not a letter"
    letter = project / "site_src" / "letters" / LETTER
    letter.write_text(letter.read_text(encoding="utf-8") + "\nA postscript.\n", encoding="utf-8")
    build_project(project)
    assert calls.read_text(encoding="utf-8") == "built\n", "a letter changed"
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_the_open_data_is_made_again_only_when_a_letters_facts_change(project: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import foilog.build

    made: list[int] = []
    real = foilog.build.open_data

    def open_data(letters: list[Any], *args: Any) -> Any:
        made.append(len(letters))  # (every published letter)
        return real(letters, *args)

    monkeypatch.setattr(foilog.build, "open_data", open_data)
    letter = project / "site_src" / "letters" / LETTER
    letter.write_text(letter.read_text(encoding="utf-8").replace("Skype for Business", "Pigeon Post"),
                      encoding="utf-8")
    result = build_project(project)
    assert made == [] and not [name for name in result.made if name.startswith("data/")], "its facts are the same"
    page = next(page for page in (project / "content" / "letters").rglob("*.md")
                if "6251688" in page.name)
    page.write_text(page.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Retitled ", 1),
                    encoding="utf-8")
    result = build_project(project)
    assert len(made) == 1 and "data/letters.csv" in result.made
    assert "Retitled Video" in (project / "output" / "data" / "letters.csv").read_text(encoding="utf-8")
    (project / "output" / "data" / "letters.json").unlink()
    result = build_project(project)
    assert len(made) == 2 and "data/letters.json" in result.made
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_a_search_file_deleted_from_output_is_made_again(project: Path, tmp_path: Path) -> None:
    shard = sorted((project / "output" / "search" / "data").glob("*/shards/0.json"))[0]
    shard.unlink()
    result = build_project(project)
    assert shard.relative_to(project / "output").as_posix() in result.made
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_after_a_build_that_kept_the_index_only_the_changed_page_is_read_again(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import foilog.build

    build_project(project)  # nothing changed: the index is kept, and so must be what it was made from
    calls = tmp_path / "calls"  # passages may be worked out in other processes: each writes down what it read
    real = foilog.build.passages

    def passages(body: str) -> Any:
        with calls.open("a", encoding="utf-8") as out:
            out.write(("Pigeon Post" in body and "changed" or "other") + "\n")
        return real(body)

    monkeypatch.setattr(foilog.build, "passages", passages)
    letter = project / "site_src" / "letters" / LETTER
    letter.write_text(letter.read_text(encoding="utf-8").replace("Skype for Business", "Pigeon Post"),
                      encoding="utf-8")
    build_project(project)
    assert calls.read_text(encoding="utf-8") == "changed\n", "the other letters' passages were remembered"
    assert_same_as_fresh(project, tmp_path / "fresh")


@pytest.mark.parametrize("line", ["score: .nan", "score: -.inf", "big: 123456789012345678901234567890"])
def test_front_matter_the_cache_cannot_keep_exactly_is_read_again_and_built_the_same(
        project: Path, tmp_path: Path, line: str) -> None:
    """NaN and infinity (which JSON has no words for) and integers beyond 64 bits in a page: the page is read
    afresh in every build rather than kept in the cache changed, and the cache is still written."""
    build_project(project)
    page = project / "content" / "letters" / "2020" / "6251688.md"
    page.write_text(page.read_text(encoding="utf-8").replace("\ntitle:", f"\n{line}\ntitle:", 1), encoding="utf-8")
    os.utime(page, ns=(page.stat().st_mtime_ns - 10**10,) * 2)  # old enough for the cache to keep its entry
    build_project(project)
    inputs = json.loads((project / CACHE_DIR / INPUTS_FILE).read_text(encoding="utf-8"))
    assert (str(page) in inputs["pages"]) == ("big" in line)
    assert build_project(project).report.errors == []
    assert_same_as_fresh(project, tmp_path / "fresh")


def test_the_cache_writes_what_orjson_cannot() -> None:
    from foilog.cache import json_bytes
    assert json.loads(json_bytes({"a": [1, "é", 2**70]})) == {"a": [1, "é", 2**70]}
    assert json_bytes({"a": "é"}) == '{"a":"é"}'.encode()
