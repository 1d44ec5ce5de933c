"""`build.py serve`: serves on 127.0.0.1, rebuilds on change, reloads the open tab, shows errors, stops on Ctrl-C.

Each test starts `build.py serve --port 0` as a real process on a throwaway project, and drives the page in
headless Chromium where a person would look at it.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from foilog.build import Options, Paths
from foilog.serve import LiveState, Preview, ignored, inject_reload_script, snapshot, start_server

from .browser import ARTIFACTS, Tab
from .helpers import REPO, build_project, make_project, tree_bytes
from .test_privacy import LETTER_WITH_PERSONAL_DATA

LETTER = "000_a0d9641ec2702f3a.txt"
LETTER_URL = "letters/2020/6251688/"
LETTER_PAGE = Path("content/letters/2020/6251688.md")  # the letter's page, as the build writes it
LETTER_HTML = LETTER_URL + "index.html"
OTHER_URL = "letters/2020/6073489/"
ANSWER = "I am writing under the Freedom of Information Act 2000"
WAIT = 60.0  # seconds: generous, as the machine may be busy; a working preview takes about one


class ServeProcess:
    """`build.py serve` running in the background, its messages collected as they come."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", "0", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        found = self.wait_for(r"serving the site at (http://\S+/)")
        self.url = found.group(1)

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def messages(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, after: int = 0, timeout: float = WAIT) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                match = re.search(pattern, line)
                if match:
                    return match
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s; serve said:\n{self.messages}")

    def count(self, pattern: str) -> int:
        return sum(1 for line in self.lines if re.search(pattern, line))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=WAIT)
        self._reader.join(timeout=10)
        return code


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", whole_example=True)


@pytest.fixture
def preview(project: Path) -> Iterator[ServeProcess]:
    serving = ServeProcess(project)
    try:
        yield serving
    finally:
        if serving.process.poll() is None:
            serving.process.kill()
            serving.process.wait(timeout=10)


def fetch(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def assert_clean(tab: Tab) -> None:
    """No console errors or CSP violations; the event stream a reload cuts off is not a failed request."""
    tab.problems = [p for p in tab.problems if not re.search(r"request failed: http://[^/]+/__foilog/events$", p)]
    tab.assert_clean()


# ---------------------------------------------------------------- in the browser


@pytest.mark.browser
def test_a_changed_letter_reloads_the_open_page(preview: ServeProcess, desktop: Tab, project: Path) -> None:
    page = desktop.page
    desktop.open(preview.url + LETTER_URL)
    assert page.locator('script[src="/__foilog/reload.js"]').count() == 1
    assert "Skype for Business" in page.locator("main").inner_text()
    page.evaluate("window.__beforeTheChange = true")
    page.wait_for_timeout(300)  # the page is listening for builds
    before = len(preview.lines)
    edit(project / "site_src" / "letters" / LETTER, "Skype for Business", "Pigeon Post Deluxe")
    from playwright.sync_api import expect

    expect(page.locator("main")).to_contain_text("Pigeon Post Deluxe", timeout=WAIT * 1000)
    assert page.evaluate("window.__beforeTheChange === undefined"), "the text changed without a reload"
    assert "Skype for Business" not in page.locator("main").inner_text()
    preview.wait_for(r"^changed: site_src/letters/000_a0d9641ec2702f3a\.txt: rebuilding$", after=before)
    preview.wait_for(r"^built 5 letter pages in", after=before)
    time.sleep(1.5)  # the page the build rewrote in content/ must not start a second build
    assert preview.count(r": rebuilding$") == 1, preview.messages
    assert page.locator(".foilog-live").count() == 0, "no overlay after a clean build"
    assert_clean(desktop)


@pytest.mark.browser
def test_an_edited_letter_page_reloads_its_tab_once_and_other_tabs_not_at_all(
        preview: ServeProcess, desktop: Tab, phone: Tab, project: Path) -> None:
    from playwright.sync_api import expect

    page, other = desktop.page, phone.page
    desktop.open(preview.url + LETTER_URL)
    phone.open(preview.url + OTHER_URL)
    page.add_init_script("sessionStorage.loads = String(Number(sessionStorage.loads || 0) + 1)")  # each load from now
    other.evaluate("window.__beforeTheChange = true")
    page.wait_for_timeout(300)  # the pages are listening
    before = len(preview.lines)
    edit(project / LETTER_PAGE, ANSWER, "Pigeon Post Deluxe")
    expect(page.locator("main")).to_contain_text("Pigeon Post Deluxe", timeout=WAIT * 1000)
    preview.wait_for(r"^changed: content/letters/2020/6251688\.md: rebuilding$", after=before)
    preview.wait_for(r"^built 5 letter pages in", after=before)
    time.sleep(1.5)
    assert page.evaluate("sessionStorage.loads") == "1", "reloaded once: the page shown first is the page built"
    assert other.evaluate("window.__beforeTheChange === true"), "the other letter's page did not change"
    assert preview.count(r": rebuilding$") == 1, preview.messages
    assert_clean(desktop)
    assert_clean(phone)


@pytest.mark.browser
def test_a_broken_site_toml_is_shown_in_the_page_and_the_last_site_is_served(
        preview: ServeProcess, desktop: Tab, project: Path) -> None:
    from playwright.sync_api import expect

    page = desktop.page
    desktop.open(preview.url)
    title = page.title()
    site_toml = project / "site_src" / "site.toml"
    good = site_toml.read_text(encoding="utf-8")
    site_toml.write_text('"<img src=x onerror=window.__hacked=1>" = 1\n' + good, encoding="utf-8")
    overlay = page.locator(".foilog-live-overlay")
    expect(overlay).to_be_visible(timeout=WAIT * 1000)
    text = overlay.inner_text()
    assert "could not be rebuilt" in text
    assert "site.toml" in text and "unknown key `<img src=x onerror=window.__hacked=1>`" in text
    assert overlay.locator("img").count() == 0, "the report became markup"
    assert page.evaluate("window.__hacked === undefined")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-error-overlay.png"))
    preview.wait_for(r"^error: .*site\.toml: site\.toml has an error:$")
    assert preview.process.poll() is None, "the server stopped"
    assert fetch(preview.url)[0] == 200 and page.title() == title, "the last good site is still served"

    overlay.get_by_role("button", name="Hide").click()
    expect(overlay).to_have_count(0)
    expect(page.locator(".foilog-live-badge")).to_have_text("Build failed")

    site_toml.write_text(good.replace('title = "Barnet FOI disclosure log"', 'title = "Barnet FOI archive"'),
                         encoding="utf-8")
    expect(page).to_have_title("Barnet FOI archive", timeout=WAIT * 1000)
    expect(page.locator(".foilog-live")).to_have_count(0)
    assert_clean(desktop)


@pytest.mark.browser
def test_more_warnings_open_in_the_page_and_the_others_wait_behind_a_button(
        preview: ServeProcess, desktop: Tab, project: Path) -> None:
    from playwright.sync_api import expect

    page = desktop.page
    desktop.open(preview.url)
    assert page.locator(".foilog-live").count() == 0
    (project / "site_src" / "letters" / "vague.txt").write_text(
        "Dear Sir,\n\nThank you for your email about <b>bins</b>.\n\nYours,\nInformation Team\n", encoding="utf-8")
    overlay = page.locator(".foilog-live-overlay")
    expect(overlay).to_be_visible(timeout=WAIT * 1000)
    assert re.search(r"^\d+ warnings?$", overlay.locator("h2").inner_text())
    assert re.search(r"letters/vague\.txt: could not find its reference", overlay.inner_text())
    assert "fix:" in overlay.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-warnings-overlay.png"))

    page.get_by_role("navigation", name="Site").get_by_role("link", name="All responses").click()
    expect(overlay).to_be_visible()  # the same report on the next page, until it is hidden
    overlay.get_by_role("button", name="Hide").click()
    badge = page.locator(".foilog-live-badge")
    expect(badge).to_have_text(re.compile(r"^\d+ warnings?$"))
    page.go_back()
    expect(badge).to_be_visible()
    expect(overlay).to_have_count(0)
    page.goto(preview.url + LETTER_URL)  # the page the next build changes (a page it does not change stays)
    expect(badge).to_be_visible()

    page.evaluate("window.__beforeTheChange = true")
    edit(project / "site_src" / "letters" / LETTER, "Skype for Business", "Pigeon Post Deluxe")
    page.wait_for_function("() => window.__beforeTheChange === undefined", timeout=WAIT * 1000)
    expect(badge).to_be_visible(timeout=WAIT * 1000)
    expect(overlay).to_have_count(0)  # no more warnings than before this build: no overlay
    badge.click()
    expect(overlay).to_be_visible()
    assert_clean(desktop)


@pytest.mark.browser
def test_the_search_page_finds_what_a_changed_letter_now_says(
        preview: ServeProcess, desktop: Tab, project: Path) -> None:
    from playwright.sync_api import expect

    page = desktop.page
    desktop.open(preview.url + "search/?q=Pigeon")
    expect(page.locator("#search-status")).to_contain_text("No responses match", timeout=WAIT * 1000)
    page.evaluate("window.__beforeTheChange = true")
    edit(project / "site_src" / "letters" / LETTER, "Skype for Business", "Pigeon Post Deluxe")
    page.wait_for_function("() => window.__beforeTheChange === undefined", timeout=WAIT * 1000)
    found = page.locator("#search-results > li")
    expect(found).to_have_count(1, timeout=WAIT * 1000)
    assert "Video conferencing software" in found.first.inner_text()
    found.first.locator("[data-slot=link]").click()
    expect(page.locator("main")).to_contain_text("Pigeon Post Deluxe")
    assert page.url.startswith(preview.url + LETTER_URL)
    assert_clean(desktop)


@pytest.mark.browser
def test_the_site_is_served_at_its_base_url_path_with_its_own_404_page(tmp_path: Path, desktop: Tab) -> None:
    project = make_project(tmp_path / "project", whole_example=True)
    edit(project / "site_src" / "site.toml", 'base_url = "https://foi.example.org/"',
         'base_url = "https://owner.github.io/foi-archive/"')
    serving = ServeProcess(project)
    try:
        origin = serving.url.removesuffix("/foi-archive/")
        assert serving.url == origin + "/foi-archive/"
        status, home = fetch(origin + "/")  # the server's root leads to the site
        assert status == 200 and "<title>Barnet FOI disclosure log</title>" in home
        status, elsewhere = fetch(origin + "/other/")
        assert status == 404 and "The site is served at /foi-archive/" in elsewhere

        page = desktop.page
        missing = serving.url + "letters/2019/no-such-letter/deeper/"
        response = page.goto(missing)
        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        assert page.locator('script[src="/__foilog/reload.js"]').count() == 1
        # the 404 page's links start from /foi-archive/: its stylesheet loaded at this depth
        assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") != "static"
        desktop.problems = [p for p in desktop.problems if f"HTTP 404 for {missing}" not in p
                            and "status of 404" not in p]
        page.get_by_role("link", name="By topic").click()
        page.wait_for_url(serving.url + "topics/")
        assert_clean(desktop)

        before = len(serving.lines)
        edit(project / "site_src" / "site.toml", "https://owner.github.io/foi-archive/", "https://foi.example.org/log/")
        serving.wait_for(rf"^base_url has a new path: the site is now served at {re.escape(origin)}/log/$",
                         after=before)
        assert fetch(origin + "/log/")[0] == 200
        assert fetch(serving.url)[0] == 404
    finally:
        assert serving.stop() == 0


def test_a_rebuild_updates_the_search_index_the_feeds_and_the_open_data(preview: ServeProcess, project: Path) -> None:
    manifest = json.loads(fetch(preview.url + "search/data/manifest.json")[1])
    assert "Carrier Pigeon" not in fetch(preview.url + "feed.xml")[1]
    before = len(preview.lines)
    edit(project / "site_src" / "letters" / LETTER, "Bluejeans", "Carrier Pigeon")
    preview.wait_for(r"^built 5 letter pages in", after=before)
    rebuilt = json.loads(fetch(preview.url + "search/data/manifest.json")[1])
    assert rebuilt["build"] != manifest["build"], "the search index was not rebuilt"
    shards = [fetch(f"{preview.url}search/data/{rebuilt['build']}/shards/{n}.json") for n in
              range(len(rebuilt["shards"]))]
    assert all(status == 200 for status, _ in shards)
    assert any('"pigeon"' in body for _, body in shards), "the new word is not in the index"
    assert fetch(f"{preview.url}search/data/{manifest['build']}/facets.json")[0] == 404, "the old index is gone"
    for name in ("feed.xml", "topics/technology-and-digital/feed.xml", "data/letters.csv", "data/letters.json"):
        status, body = fetch(preview.url + name)
        assert status == 200 and "Carrier Pigeon" in body, name


def test_held_back_letters_and_notes_are_reported(preview: ServeProcess, project: Path) -> None:
    before = len(preview.lines)
    (project / "site_src" / "letters" / "inspection.txt").write_text(LETTER_WITH_PERSONAL_DATA, encoding="utf-8")
    preview.wait_for(r"^built 5 letter pages in .*\(1 held back for personal data; 2 error\(s\)", after=before)
    assert preview.count(r"^error: letters/inspection\.txt:17: personal data: ") == 1
    assert fetch(preview.url + "letters/2024/pd-2024-7/")[0] == 404
    before = len(preview.lines)
    edit(project / "site_src" / "site.toml", 'base_url = "https://foi.example.org/"', 'base_url = "/"')
    preview.wait_for(r"^note: base_url is a path \(/\), not a full address", after=before)
    preview.wait_for(r"^built 5 letter pages in", after=before)


# ---------------------------------------------------------------- the process


def test_ctrl_c_stops_it_cleanly(preview: ServeProcess) -> None:
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    assert preview.stop() == 0
    assert "Traceback" not in preview.messages
    assert preview.lines[-1] == "stopping"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port is still open"


def test_sigterm_stops_it_cleanly_too(preview: ServeProcess) -> None:
    preview.process.terminate()
    assert preview.process.wait(timeout=WAIT) == 0
    assert "Traceback" not in preview.messages


def test_ctrl_c_during_a_rebuild_leaves_output_as_it_was(preview: ServeProcess, project: Path) -> None:
    before = tree_bytes(project / "output")
    for number in range(60):
        (project / "site_src" / "letters" / f"copy-{number}.txt").write_bytes(
            (project / "site_src" / "letters" / LETTER).read_bytes() + f"\nCopy {number}.\n".encode())
    preview.wait_for(r": rebuilding$")
    time.sleep(0.3)
    assert preview.stop() == 0
    assert "Traceback" not in preview.messages
    after = tree_bytes(project / "output")
    assert after == before or len([n for n in after if n.endswith("index.html")]) > len(
        [n for n in before if n.endswith("index.html")]), "output/ is either the old site or the whole new one"
    assert not list(project.glob(".output-*")), "the staging folder was left behind"


def test_it_listens_on_127_0_0_1_only(preview: ServeProcess) -> None:
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    assert preview.url == f"http://127.0.0.1:{port}/"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:] if Path(table).exists() else []:
            local, state = row.split()[1], row.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"], f"listening on {listening}, not only on 127.0.0.1"


def test_pages_get_the_reload_script_but_output_does_not(preview: ServeProcess, project: Path) -> None:
    status, body = fetch(preview.url + LETTER_URL)
    assert status == 200
    assert re.search(r'<script src="/__foilog/reload\.js" data-served="1" data-page="letters/2020/6251688/index\.html" '
                     r'defer></script>\n</head>', body)
    on_disk = (project / "output" / LETTER_URL / "index.html").read_text(encoding="utf-8")
    assert "__foilog" not in on_disk
    assert body == inject_reload_script(on_disk, 1, LETTER_URL + "index.html")
    assert fetch(preview.url + "__foilog/reload.js")[0] == 200
    assert fetch(preview.url + "__foilog/reload.css")[0] == 200
    assert fetch(preview.url + "__foilog/other.js")[0] == 404
    missing, page = fetch(preview.url + "letters/2099/nothing/")
    assert missing == 404 and 'data-page=""' in page, "a missing page reloads on any change: it may appear"
    css = urllib.request.urlopen(preview.url + "assets/favicon.svg", timeout=10)
    assert css.headers["Cache-Control"] == "no-store"


def test_after_serve_output_is_exactly_what_a_build_writes(preview: ServeProcess, project: Path,
                                                            tmp_path: Path) -> None:
    assert preview.stop() == 0
    other = make_project(tmp_path / "other", whole_example=True)
    build_project(other)
    assert tree_bytes(project / "output") == tree_bytes(other / "output")


def test_requests_for_other_host_names_are_refused(preview: ServeProcess) -> None:
    assert fetch(preview.url, host="attacker.example")[0] == 421
    assert fetch(preview.url, host=preview.url.split("/")[2].replace("127.0.0.1", "localhost"))[0] == 200


def test_a_burst_of_changes_is_one_rebuild(preview: ServeProcess, project: Path) -> None:
    letters = project / "site_src" / "letters"
    for number in range(20):
        (letters / f"burst-{number}.txt").write_bytes((letters / LETTER).read_bytes() + f"\n{number}\n".encode())
    preview.wait_for(r"^built 25 letter pages in")
    time.sleep(1.5)
    assert preview.count(r": rebuilding$") == 1, preview.messages
    assert re.search(r"^changed: site_src/letters/burst-\d+\.txt, .* and 17 more: rebuilding$", preview.messages,
                     re.M), preview.messages


def test_swap_files_and_hidden_files_do_not_rebuild(preview: ServeProcess, project: Path) -> None:
    letters = project / "site_src" / "letters"
    (letters / ".000.txt.swp").write_text("swap", encoding="utf-8")
    (letters / "notes.txt~").write_text("backup", encoding="utf-8")
    time.sleep(1.5)
    assert preview.count(r": rebuilding$") == 0, preview.messages


def test_a_port_in_use_is_an_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, str(REPO / "build.py"), "serve", "--root", str(project), "--port",
                               str(port)], capture_output=True, text=True, timeout=WAIT, stdin=subprocess.DEVNULL)
    assert done.returncode == 3
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in done.stderr
    assert "--port" in done.stderr


# ---------------------------------------------------------------- in this process


@pytest.fixture
def in_process(project: Path) -> Iterator[tuple[Preview, str]]:
    """A preview that has built the site, and the address it is served at; its builds are run by the test."""
    state = LiveState()
    preview = Preview(Paths.under(project), Options(progress=False), state, quiet=True, debug=False)
    server = start_server(project / "output", state, 0)
    try:
        preview.rebuild()
        yield preview, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        state.close()
        server.shutdown()
        server.server_close()


def test_the_spare_site_is_made_while_it_waits_after_a_build_from_nothing(in_process: tuple[Preview, str],
                                                                          project: Path) -> None:
    preview, _ = in_process
    preview.finish_spare(stop=False)
    assert (project / ".foilog-cache" / "spare.json").is_file()
    assert (project / ".foilog-cache" / "spare" / LETTER_HTML).stat().st_ino == \
        (project / "output" / LETTER_HTML).stat().st_ino


def test_an_edited_letter_page_is_served_before_the_site_is_built_again(
        in_process: tuple[Preview, str], project: Path) -> None:
    preview, url = in_process
    first = preview.state.status.served
    built = (project / "output" / LETTER_HTML).read_bytes()
    edit(project / LETTER_PAGE, ANSWER, "Pigeon Post Deluxe")

    assert preview.show_edited({project / LETTER_PAGE, project / "content" / "letters" / "2020" / "sedyalQoH"}), \
        "(an editor's temporary file, renamed over the page, is gone)"
    code, body = fetch(url + LETTER_URL)
    assert code == 200 and "Pigeon Post Deluxe" in body and f'data-served="{first + 1}"' in body
    assert (project / "output" / LETTER_HTML).read_bytes() == built, "output/ is untouched until the build"
    assert preview.state.status.pages == {LETTER_HTML: first + 1}
    assert preview.state.status.everything < first + 1, "tabs on other pages stay as they are"
    assert "Pigeon Post Deluxe" not in fetch(url + OTHER_URL)[1]

    preview.rebuild("changed: the page")
    status = preview.state.status
    assert preview.state.first(LETTER_HTML) is None
    assert "Pigeon Post Deluxe" in (project / "output" / LETTER_HTML).read_text(encoding="utf-8")
    assert status.pages[LETTER_HTML] == first + 1, "the page built is the page shown first: its tab stays"
    assert status.pages["search/index.html"] == first + 2, "the search page reloads to search the new index"
    assert OTHER_URL + "index.html" not in status.pages


def test_an_edited_letter_is_served_as_its_page_will_be_before_the_site_is_built_again(
        in_process: tuple[Preview, str], project: Path) -> None:
    preview, url = in_process
    first = preview.state.status.served
    edit(project / "site_src" / "letters" / LETTER, "Skype for Business", "Pigeon Post Deluxe")
    assert preview.show_edited({project / "site_src" / "letters" / LETTER})
    assert "Pigeon Post Deluxe" in fetch(url + LETTER_URL)[1]
    assert "Pigeon Post Deluxe" not in (project / LETTER_PAGE).read_text(encoding="utf-8"), "the build writes it"
    preview.rebuild("changed: the letter")
    assert "Pigeon Post Deluxe" in (project / LETTER_PAGE).read_text(encoding="utf-8")
    assert preview.state.status.pages[LETTER_HTML] == first + 1, "the page built is the page shown first"


def test_a_page_shown_first_goes_back_to_the_last_site_when_the_build_fails(
        in_process: tuple[Preview, str], project: Path) -> None:
    preview, url = in_process
    first = preview.state.status.served
    edit(project / LETTER_PAGE, ANSWER, "Pigeon Post Deluxe")
    assert preview.show_edited({project / LETTER_PAGE})
    (project / "site_src" / "site.toml").write_text("title = [\n", encoding="utf-8")
    preview.rebuild("changed: site.toml")
    status = preview.state.status
    assert status.failed and status.pages[LETTER_HTML] == first + 2
    assert "Pigeon Post Deluxe" not in fetch(url + LETTER_URL)[1], "the last site that built is served"


@pytest.mark.parametrize(("changed", "removed"), [
    ({Path("site_src/letters/") / LETTER, Path("site_src/letters/new.txt")}, None),  # a new letter: lists change
    ({LETTER_PAGE, Path("themes/plain/templates/letter.html")}, None),  # a template: every page may change
    ({LETTER_PAGE, Path("content/letters/2020/6370952.md")}, Path("content/letters/2020/6370952.md")),  # the lists
    ({Path("content/letters/2020/new.md")}, None),  # not a page of the site: the build adds it
    (set(), None),
])
def test_only_letter_pages_alone_are_shown_first(in_process: tuple[Preview, str], project: Path,
                                                 changed: set[Path], removed: Path | None) -> None:
    preview, _ = in_process
    served = preview.state.status.served
    if removed is not None:
        (project / removed).unlink()
    (project / "content" / "letters" / "2020" / "new.md").write_bytes((project / LETTER_PAGE).read_bytes())
    (project / "site_src" / "letters" / "new.txt").write_bytes((project / "site_src" / "letters" / LETTER).read_bytes())
    assert not preview.show_edited({project / path for path in changed})
    assert preview.state.status.served == served


def test_a_page_that_fails_to_render_on_its_own_waits_for_the_rebuild(
        in_process: tuple[Preview, str], project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    preview, _ = in_process
    served = preview.state.status.served

    def broken(page: Path) -> None:
        raise RuntimeError("a bug")
    assert preview.quick is not None
    monkeypatch.setattr(preview.quick, "render", broken)
    assert not preview.show_edited({project / LETTER_PAGE})
    assert preview.state.status.served == served


# ---------------------------------------------------------------- pieces


@pytest.mark.parametrize(("name", "skip"), [
    ("site_src/letters/a.txt", False), ("themes/plain/templates/base.html", False),
    ("site_src/letters/.a.txt.swp", True), ("site_src/letters/a.txt~", True), ("content/letters/4913", True),
    ("site_src/letters/#a.txt#", True), ("themes/plain/.git/HEAD", True), ("site_src/letters/a.tmp", True),
])
def test_which_files_are_input(name: str, skip: bool) -> None:
    assert ignored(Path("/project") / name) is skip


@pytest.mark.parametrize(("page", "expected"), [
    ("<html><head><title>x</title></head><body></body></html>",
     '<html><head><title>x</title><script src="/__foilog/reload.js" data-served="7" data-page="a/&quot;b&quot;.html" '
     'defer></script>\n</head>'),
    ("<p>no head</p>",
     '<script src="/__foilog/reload.js" data-served="7" data-page="a/&quot;b&quot;.html" defer></script>\n'
     '<p>no head</p>'),
])
def test_the_reload_script_goes_in_the_head(page: str, expected: str) -> None:
    assert inject_reload_script(page, 7, 'a/"b".html').startswith(expected)


def test_a_snapshot_has_every_file_and_folder_below_not_below_a_symlinked_folder(tmp_path: Path) -> None:
    (tmp_path / "content" / "letters" / "2024").mkdir(parents=True)
    (tmp_path / "content" / "letters" / "2024" / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "content" / "b.md").write_text("bb", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.md").write_text("ccc", encoding="utf-8")
    (tmp_path / "content" / "linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "content" / "broken.md").symlink_to(tmp_path / "missing.md")
    found = snapshot(tmp_path / "content")
    assert sorted(Path(p).relative_to(tmp_path).as_posix() for p in found) == [
        "content/b.md", "content/letters", "content/letters/2024", "content/letters/2024/a.md", "content/linked"]
    assert found[str(tmp_path / "content" / "b.md")][1] == 2
    assert found[str(tmp_path / "content" / "linked")] == snapshot(tmp_path)[str(tmp_path / "elsewhere")]
    assert snapshot(tmp_path / "nothing here") == {}
