"""`build.py serve`: build, serve output/ on 127.0.0.1, rebuild on every change and reload the browser tab.

The site is served at the path of its base_url (/ by default), as the host will serve it, and an address with
no page gets the site's own 404 page, as GitHub Pages and most hosts give it.

The reload script is never written into output/: the server adds a `<script>` tag to each HTML page as it
sends it, and serves the script and its stylesheet from /__foilog/, so output/ stays exactly what
`build.py` writes. The page hears about new builds over Server-Sent Events (allowed by the pages' CSP,
`script-src 'self'; connect-src 'self'`) and shows build errors in an overlay.
"""

from __future__ import annotations

import errno
import html
import http.server
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from . import interrupts
from .build import Options, Paths, Result, build
from .cache import CACHE_DIR
from .config import load_config
from .errors import FoilogError, Problem, Report
from .output import prepare_spare
from .parallel import SIGNAL_CHECK_SECONDS
from .quickpage import QuickPages
from .read import LETTER_SUFFIXES
from .urls import NOT_FOUND, SEARCH_DATA_URL, SEARCH_URL, base_path, output_path

log = logging.getLogger("foilog")
HOST = "127.0.0.1"
PREFIX = "/__foilog/"
DEBOUNCE_SECONDS = 0.25
MAX_WAIT_SECONDS = 2.0
KEEPALIVE_SECONDS = 15.0
MAX_PROBLEMS_SHOWN = 200
MAX_PAGES_TRACKED = 2000  # pages told apart in the status; beyond, every tab reloads on the next change
EXIT_OK, EXIT_FAILED = 0, 3
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", "~")


# ---------------------------------------------------------------- what the page is told


@dataclass
class Status:
    """The state of the preview: the build being served, and how the latest attempt went."""

    build: int = 0  # 0 while no build has succeeded yet
    served: int = 0  # counts the changes to what is served: a build published, or an edited page shown first
    everything: int = 0  # the latest `served` at which any page may have changed
    pages: dict[str, int] = field(default_factory=dict)  # a page's path in output/: the latest `served` at which
    # it changed, for the changes since `everything`; a tab showing a page that did not change is not reloaded
    building: bool = False
    ok: bool = True
    failed: str | None = None
    problems: list[Problem] = field(default_factory=list)
    more: int = 0  # how many more problems than the build before this one
    seconds: float = 0.0
    base_path: str = "/"  # where the site is served: the path of its base_url, as on the host

    def as_json(self) -> str:
        shown = sorted(self.problems, key=lambda p: p.severity.value != "error")[:MAX_PROBLEMS_SHOWN]
        return json.dumps({
            "build": self.build, "served": self.served, "everything": self.everything, "pages": self.pages,
            "building": self.building, "ok": self.ok, "failed": self.failed,
            "errors": sum(1 for p in self.problems if p.severity.value == "error"),
            "warnings": sum(1 for p in self.problems if p.severity.value == "warning"),
            "more": self.more,
            "problems": [{"severity": p.severity.value, "text": str(p).split(": ", 1)[1]} for p in shown],
            "seconds": round(self.seconds, 2),
        })


class LiveState:
    """The status, shared between the build loop and the server's threads."""

    def __init__(self) -> None:
        self._status = Status()
        self._version = 0
        self._closed = False
        self._changed = threading.Condition()
        self._first: dict[str, bytes] = {}  # edited letter pages served before the build that follows them

    def first(self, relative: str) -> bytes | None:
        """The page served in place of output/'s file at `relative`, while the site is built again."""
        with self._changed:
            return self._first.get(relative)

    def shown_first(self) -> dict[str, bytes]:
        with self._changed:
            return dict(self._first)

    def serve_first(self, pages: dict[str, bytes]) -> None:
        """Serve these pages (by their path in output/) in place of output/'s files, and reload their tabs."""
        with self._changed:
            self._first.update(pages)
            self._serve_changed(set(pages), everything=False)

    def served_changed(self, relatives: set[str], *, everything: bool, **changes: Any) -> None:
        """output/ is served as it is now (the pages served first are dropped): these of its files changed."""
        with self._changed:
            self._first.clear()
            self._serve_changed(relatives, everything=everything, **changes)

    def _serve_changed(self, relatives: set[str], *, everything: bool, **changes: Any) -> None:
        status = self._status
        served = status.served + (1 if relatives or everything else 0)
        pages = {} if everything else dict(status.pages)
        pages.update(dict.fromkeys(relatives, served))
        if len(pages) > MAX_PAGES_TRACKED:
            everything, pages = True, {}
        self._update(served=served, everything=served if everything else status.everything, pages=pages, **changes)

    @property
    def status(self) -> Status:
        with self._changed:
            return self._status

    def update(self, **changes: Any) -> None:
        with self._changed:
            self._update(**changes)

    def _update(self, **changes: Any) -> None:
        self._status = Status(**{**self._status.__dict__, **changes})
        self._version += 1
        self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def updates(self, keepalive: float = KEEPALIVE_SECONDS) -> Iterator[Status | None]:
        """The current status, then each new one; None after `keepalive` seconds without news."""
        seen = -1
        while True:
            with self._changed:
                if seen == self._version and not self._closed:
                    self._changed.wait(keepalive)
                if self._closed:
                    return
                if seen == self._version:
                    news = None
                else:
                    seen, news = self._version, self._status
            yield news


# ---------------------------------------------------------------- the server


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves output/, adds the reload script to HTML pages, and the /__foilog/ endpoints."""

    state: LiveState
    hosts: frozenset[str]

    def do_GET(self) -> None:
        if not self._host_allowed():
            return
        path = urlsplit(self.path).path
        if path == PREFIX + "events" and self.command == "GET":
            self._events()
        elif path.startswith(PREFIX):
            self._asset(path.removeprefix(PREFIX))
        elif not unquote(path).startswith(self.state.status.base_path):
            self._outside_the_site(unquote(path))
        else:
            self._site_file()

    do_HEAD = do_GET

    def translate_path(self, path: str) -> str:
        """The file in output/ for an address under the site's base path."""
        base = self.state.status.base_path
        address = unquote(urlsplit(path).path)
        inside = "/" + address[len(base):] if address.startswith(base) else address
        return super().translate_path(quote(inside))

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("%s - %s", self.address_string(), format % args)

    def _host_allowed(self) -> bool:
        """Refuse requests for other host names (a defence against DNS rebinding)."""
        if self.headers.get("Host", "") in self.hosts:
            return True
        self.send_error(421, "This server answers only for 127.0.0.1 and localhost")
        return False

    def _site_file(self) -> None:
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                self._plain()  # the standard redirect to the address with a slash
                return
            target = target / "index.html"
        if target.suffix == ".html":
            relative = os.path.relpath(target, self.directory)
            first = self.state.first(relative)
            try:
                page = first.decode("utf-8") if first is not None else target.read_text(encoding="utf-8")
            except (FileNotFoundError, NotADirectoryError):
                self._not_found()
                return
            except (OSError, UnicodeDecodeError):
                self._plain()
                return
            self._send_html(200, page, relative)
            return
        if not target.exists():
            self._not_found()
            return
        self._plain()

    def _plain(self) -> None:
        """A file sent as it is, by the standard handler."""
        if self.command == "HEAD":
            super().do_HEAD()
        else:
            super().do_GET()

    def _not_found(self) -> None:
        """The site's own 404 page, as the host would send it; the preview's own page until there is one."""
        status = self.state.status
        site_page = Path(self.directory) / NOT_FOUND
        if status.build and site_page.is_file():
            try:
                self._send_html(404, site_page.read_text(encoding="utf-8"))  # (any new page may be this address's)
                return
            except (OSError, UnicodeDecodeError):
                pass
        why = "The site has not been built yet." if status.build == 0 else \
            "There is no page at this address in the built site."
        self._send_preview_page(404, "Not found", why, status.base_path)

    def _outside_the_site(self, path: str) -> None:
        """An address outside the site's base path: the server's root leads to the site, the rest is not found."""
        base = self.state.status.base_path
        if path in ("/", base.rstrip("/")):
            self.send_response(302)
            self.send_header("Location", base)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send_preview_page(404, "Not found", f"The site is served at {base}, as its base_url says; this "
                                "address is outside it.", base)

    def _send_preview_page(self, code: int, title: str, text: str, home: str) -> None:
        page = (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<title>{html.escape(title)} – foilog preview</title>\n</head>\n<body>\n"
                f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n"
                f"<p><a href=\"{html.escape(home)}\">Go to the home page</a></p>\n</body>\n</html>\n")
        self._send_html(code, page)

    def _send_html(self, code: int, page: str, relative: str = "") -> None:
        """An HTML page with the reload script; `relative`: its file in output/ ("" for the preview's own)."""
        body = inject_reload_script(page, self.state.status.served, relative).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _asset(self, name: str) -> None:
        kinds = {"reload.js": "text/javascript; charset=utf-8", "reload.css": "text/css; charset=utf-8"}
        if name not in kinds:
            self.send_error(404)
            return
        body = resources.files("foilog").joinpath("live", name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", kinds[name])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 1000\n\n")
            for status in self.state.updates():
                message = ": keep-alive\n\n" if status is None else f"event: status\ndata: {status.as_json()}\n\n"
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return


def inject_reload_script(page: str, served: int, relative: str = "") -> str:
    """The page with the reload script added at the end of its head (or at the start, without one). The script
    is told what is served and which of output/'s files the page is, to reload only when that file changes."""
    tag = (f'<script src="{PREFIX}reload.js" data-served="{served}" data-page="{html.escape(relative)}" defer>'
           '</script>\n')
    head_end = page.find("</head>")
    return page[:head_end] + tag + page[head_end:] if head_end >= 0 else tag + page


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_server(output: Path, state: LiveState, port: int) -> PreviewServer:
    handler: type[PreviewHandler] = type("Handler", (PreviewHandler,), {"state": state, "hosts": frozenset()})

    def make(*args: Any) -> PreviewHandler:
        return handler(*args, directory=str(output))

    server = PreviewServer((HOST, port), make)
    bound = server.server_address[1]
    handler.hosts = frozenset({f"{HOST}:{bound}", f"localhost:{bound}"})
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server


# ---------------------------------------------------------------- watching


class ChangeCollector(FileSystemEventHandler):
    """Collects the paths of files that were created, changed, moved or deleted."""

    def __init__(self) -> None:
        self.changes: queue.Queue[Path] = queue.Queue()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(os.fsdecode(raw)) if raw else None
            if path is not None and not ignored(path):
                self.changes.put(path)

    def wait(self) -> set[Path]:
        """Block until something changes, then gather the burst of changes that follows it."""
        changed = {self._first()}
        deadline = time.monotonic() + MAX_WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                changed.add(self.changes.get(timeout=DEBOUNCE_SECONDS))
            except queue.Empty:
                break
        return changed

    def _first(self) -> Path:
        """The next change, waited for in short spells: a Ctrl-C that the system hands to another thread sets
        Python's flag but wakes no lock, so the main thread notices it only when its wait ends."""
        while True:
            try:
                return self.changes.get(timeout=SIGNAL_CHECK_SECONDS)
            except queue.Empty:
                continue


def ignored(path: Path) -> bool:
    """Editors' swap and backup files, hidden files and caches are not the site's input."""
    name = path.name
    return (name.startswith((".", "#")) or name.endswith(IGNORED_SUFFIXES) or name == "4913"
            or any(part.startswith(".") or part == "__pycache__" for part in path.parts[-4:-1]))


def watched_folders(paths: Paths) -> list[Path]:
    paths.content.mkdir(parents=True, exist_ok=True)
    return [folder for folder in (paths.site_src, paths.content, paths.themes) if folder.is_dir()]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file and folder below `folder` (not below a symlinked folder), by
    path.

    Walked with `os.scandir`, paths kept as strings: the preview takes one before and after every rebuild, and
    at 10,000 letters this takes 0.03 s against 0.1 s with `Path.rglob`."""
    found = {}
    waiting = [str(folder)]
    while waiting:
        try:
            entries = os.scandir(waiting.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        waiting.append(entry.path)
                    stat = entry.stat()
                except OSError:
                    continue
                found[entry.path] = (stat.st_mtime_ns, stat.st_size)
    return found


def stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


# ---------------------------------------------------------------- the loop


class Preview:
    """Builds, and remembers what the build wrote itself so its own writes do not start another build."""

    def __init__(self, paths: Paths, options: Options, state: LiveState, *, quiet: bool, debug: bool) -> None:
        self.paths, self.options, self.state, self.quiet, self.debug = paths, options, state, quiet, debug
        self.own_writes: dict[str, tuple[int, int] | None] = {}  # path: its stamp after the build, if there
        self.shown: set[Problem] = set()
        self.notes_shown: set[str] = set()
        self.origin = ""  # http://127.0.0.1:PORT, once the server listens
        self.announced = False  # the address has been printed
        self.quick: QuickPages | None = None  # what the last build rendered its letter pages with
        self.files: frozenset[str] | None = None  # the files of the site served, once one is
        self._spare: threading.Thread | None = None  # making the spare site while waiting for changes
        self._stop_spare = threading.Event()

    def prepare_spare(self) -> None:
        """After a build from nothing, make the spare site in the background, so that the next rebuild touches
        only what changed (see `output.prepare_spare`); stopped when a rebuild starts."""
        if not self.options.cache or self.options.clean:
            return
        self.finish_spare()
        self._stop_spare.clear()
        self._spare = threading.Thread(target=prepare_spare, name="spare-site", daemon=True,
                                       args=(self.paths.output, self.paths.root / CACHE_DIR, self._stop_spare))
        self._spare.start()

    def finish_spare(self, *, stop: bool = True) -> None:
        """Stop making the spare site (it keeps what it made), or with `stop=False` wait until it is made."""
        if self._spare is not None:
            if stop:
                self._stop_spare.set()
            self._spare.join()
            self._spare = None

    def show_edited(self, changed: set[Path]) -> bool:
        """Edited letters' pages, served at once as the last build's site shows them (see `quickpage`) while the
        whole site is built again; False, and nothing shown, when any change needs the whole build."""
        present = {path for path in changed if path.exists()}  # (not an editor's temporary file, renamed over one)
        if self.quick is None or not present or any(_may_be_a_letter(path) for path in changed - present):
            return False  # (a letter or page removed: the lists change)
        pages = {}
        for path in sorted(present):
            try:
                page = self.quick.render(path)
            except Exception:  # a bug in foilog must not stop the preview: the rebuild that follows shows the page
                log.debug("could not show %s before the rebuild", path, exc_info=True)
                page = None
            if page is None:
                return False
            pages[page[0]] = page[1]
        self.state.serve_first(pages)
        return True

    def rebuild(self, reason: str = "") -> None:
        if reason and not self.quiet:
            say(f"{reason}: rebuilding")
        self.state.update(building=True)
        self.finish_spare()
        self.quick = None  # (the last build's site is not kept in memory beside the new one)
        before = snapshot(self.paths.content)
        report = Report()
        started = time.perf_counter()
        failed: str | None = None
        result: Result | None = None
        try:
            result = build(self.paths, self.options, report)
        except FoilogError as exc:
            failed = str(exc)
        except Exception as exc:  # a bug in foilog must not stop the preview
            failed = f"internal error: {type(exc).__name__}: {exc} (please report it)"
            if self.debug:
                traceback.print_exc()
        seconds = time.perf_counter() - started
        after = snapshot(self.paths.content)
        self.own_writes = {p: after.get(p) for p in set(before) | set(after) if before.get(p) != after.get(p)}
        new = [p for p in report.problems if p not in self.shown]
        self._print(report, new, failed, seconds, result)
        self.shown = set(report.problems)
        previous = self.state.status
        served_at = previous.base_path if result is None else self.base_path(previous.base_path)
        if self.announced and served_at != previous.base_path:
            say(f"base_url has a new path: the site is now served at {self.origin}{served_at}")
        changed, everything = self._changed_files(result, served_at != previous.base_path)
        self.state.served_changed(changed, everything=everything, build=previous.build + (0 if failed else 1),
                                  building=False, ok=failed is None, failed=failed, problems=list(report.problems),
                                  seconds=seconds, more=max(0, len(report.problems) - len(previous.problems)),
                                  base_path=served_at)
        if result is not None:
            self.quick, self.files = result.quick, result.files
            self.prepare_spare()
        interrupts.raise_if_interrupted()  # a Ctrl-C that came during the build and was lost there

    def _changed_files(self, result: Result | None, moved: bool) -> tuple[set[str], bool]:
        """The files of output/ that changed with this build (made again, removed, or no longer the edited
        page served first), and whether any page may have (a new asset, the first site, a new base path)."""
        shown_first = self.state.shown_first()
        if result is None:  # the last site is still served: only the pages served first go back to it
            return {relative for relative, page in shown_first.items() if self._now(relative) != page}, False
        if self.files is None or moved:
            return set(), True
        changed = set(result.made) | (self.files - result.files)
        for relative, page in shown_first.items():
            if self._now(relative) == page:
                changed.discard(relative)  # the tab showing it shows it as built
            else:
                changed.add(relative)
        pages = {relative for relative in changed if relative.endswith(".html")}
        if any(relative.startswith(SEARCH_DATA_URL) for relative in changed):
            pages.add(output_path(SEARCH_URL))
        return pages, any(_shown_in_pages(relative) for relative in changed - pages)

    def _now(self, relative: str) -> bytes | None:
        try:
            return (self.paths.output / relative).read_bytes()
        except OSError:
            return None

    def base_path(self, fallback: str) -> str:
        """The path the site is built for (of --base-url, or of base_url in site.toml)."""
        if self.options.base_url is not None:
            return base_path(self.options.base_url)
        try:
            return base_path(load_config(self.paths.site_src / "site.toml").base_url)
        except FoilogError:  # site.toml was broken again just after the build read it: the next build says so
            return fallback

    def is_own_write(self, path: Path) -> bool:
        return str(path) in self.own_writes and stamp(path) == self.own_writes[str(path)]

    def _print(self, report: Report, new: list[Problem], failed: str | None, seconds: float,
               result: Result | None) -> None:
        for problem in new:
            if not self.quiet or problem.severity.value == "error":
                say(str(problem))
        repeated = len(report.problems) - len(new)
        if failed or result is None:
            say(f"error: {failed}\nthe build failed: still serving the last site that built; fix the problem and "
                "save, and it will be built again")
            return
        if self.quiet:
            return
        for note in result.notes:
            if note not in self.notes_shown:
                say(f"note: {note}")
        self.notes_shown = set(result.notes)
        again = f", {repeated} reported before and not repeated" if repeated else ""
        letters, held = len(result.letters), len(result.held_back)
        held_back = f"{held} held back for personal data; " if held else ""
        say(f"built {letters} letter page{'s' if letters != 1 else ''} in {seconds:.2f} s "
            f"({held_back}{len(report.errors)} error(s), {len(report.warnings)} warning(s){again})")


def _may_be_a_letter(path: Path) -> bool:
    """Whether a file's name is that of a letter or a page."""
    return path.suffix.lower() in (".md", *LETTER_SUFFIXES)


def _shown_in_pages(relative: str) -> bool:
    """Whether a file other than a page may change how pages look or work (a stylesheet, a script, an image):
    not the search's data (only the search page reads it), the feeds, the open data or the sitemap."""
    return not (relative.startswith(SEARCH_DATA_URL) or relative.endswith((".xml", ".csv", ".json", ".txt")))


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def serve(paths: Paths, options: Options, *, port: int = 8000, open_browser: bool = False, quiet: bool = False,
          debug: bool = False) -> int:
    """Build, serve and rebuild until Ctrl-C; returns the exit code (0 after Ctrl-C)."""
    state = LiveState()
    preview = Preview(paths, options, state, quiet=quiet, debug=debug)
    server = observer = None
    with interrupts.catching(signal.SIGTERM, even_if_ignored=True):  # Ctrl-C stops it even if started ignoring it
        try:
            try:
                server = start_server(paths.output, state, port)
            except OSError as exc:
                in_use = exc.errno == errno.EADDRINUSE
                say(f"error: cannot listen on {HOST}:{port}: {'the port is in use' if in_use else exc.strerror}\n"
                    f"  fix: {'stop the program using it, or ' if in_use else ''}choose another port with --port")
                return EXIT_FAILED
            preview.origin = f"http://{HOST}:{server.server_address[1]}"
            preview.rebuild()
            url = preview.origin + state.status.base_path
            collector = ChangeCollector()
            observer = Observer()
            folders = watched_folders(paths)
            for folder in folders:
                observer.schedule(collector, str(folder), recursive=True)
            observer.start()
            say(f"serving the site at {url}\nwatching {', '.join(_shown(f, paths.root) for f in folders)} for "
                "changes; press Ctrl-C to stop")
            preview.announced = True
            if open_browser:
                webbrowser.open(url)
            while True:
                changed = {p for p in collector.wait() if not preview.is_own_write(p)}
                if changed:
                    preview.show_edited(changed)
                    preview.rebuild(_describe_changes(changed, paths.root))
        except KeyboardInterrupt:
            interrupts.ignore_further()
            say("stopping")
        finally:
            state.close()
            preview.finish_spare()
            if observer is not None:
                _stop_watching(observer)
            if server is not None:
                server.shutdown()
                server.server_close()
    return EXIT_OK


def _stop_watching(observer: BaseObserver) -> None:
    """Stop watchdog's threads, without the errors they log when stopped while events are still coming."""
    watchdog_log = logging.getLogger("watchdog")
    level = watchdog_log.level
    watchdog_log.setLevel(logging.CRITICAL)
    try:
        observer.stop()
        observer.join(timeout=5)
    finally:
        watchdog_log.setLevel(level)


def _describe_changes(changed: set[Path], root: Path) -> str:
    names = sorted(_shown(p, root) for p in changed)
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return "changed: " + ", ".join(names[:3]) + more


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() + ("/" if path.is_dir() else "")
    except ValueError:
        return str(path)
