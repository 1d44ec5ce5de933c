"""`build.py serve`: build, serve output/ on 127.0.0.1, rebuild on every change and reload the browser tab.

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

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .build import Options, Paths, build
from .errors import FoilogError, Problem, Report

log = logging.getLogger("foilog")
HOST = "127.0.0.1"
PREFIX = "/__foilog/"
DEBOUNCE_SECONDS = 0.25
MAX_WAIT_SECONDS = 2.0
KEEPALIVE_SECONDS = 15.0
MAX_PROBLEMS_SHOWN = 200
EXIT_OK, EXIT_FAILED = 0, 3
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", "~")


# ---------------------------------------------------------------- what the page is told


@dataclass
class Status:
    """The state of the preview: the build being served, and how the latest attempt went."""

    build: int = 0  # 0 while no build has succeeded yet
    building: bool = False
    ok: bool = True
    failed: str | None = None
    problems: list[Problem] = field(default_factory=list)
    more: int = 0  # how many more problems than the build before this one
    seconds: float = 0.0

    def as_json(self) -> str:
        shown = sorted(self.problems, key=lambda p: p.severity.value != "error")[:MAX_PROBLEMS_SHOWN]
        return json.dumps({
            "build": self.build, "building": self.building, "ok": self.ok, "failed": self.failed,
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

    @property
    def status(self) -> Status:
        with self._changed:
            return self._status

    def update(self, **changes: Any) -> None:
        with self._changed:
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
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == PREFIX + "events":
            self._events()
        elif path.startswith(PREFIX):
            self._asset(path.removeprefix(PREFIX))
        else:
            self._site_file()

    def do_HEAD(self) -> None:
        if self._host_allowed():
            super().do_HEAD()

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
            if not self.path.split("?", 1)[0].endswith("/"):
                super().do_GET()  # the standard redirect to the address with a slash
                return
            target = target / "index.html"
        if target.suffix == ".html":
            try:
                page = target.read_text(encoding="utf-8")
            except (FileNotFoundError, NotADirectoryError):
                self._not_found()
                return
            except (OSError, UnicodeDecodeError):
                super().do_GET()
                return
            self._send_html(200, page)
            return
        if not target.exists():
            self._not_found()
            return
        super().do_GET()

    def _not_found(self) -> None:
        status = self.state.status
        why = "The site has not been built yet." if status.build == 0 else \
            "There is no page at this address in the built site."
        page = (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<title>Not found – foilog preview</title>\n</head>\n<body>\n<h1>Not found</h1>\n"
                f"<p>{html.escape(why)}</p>\n<p><a href=\"/\">Go to the home page</a></p>\n</body>\n</html>\n")
        self._send_html(404, page)

    def _send_html(self, code: int, page: str) -> None:
        body = inject_reload_script(page, self.state.status.build).encode("utf-8")
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


def inject_reload_script(page: str, build: int) -> str:
    """The page with the reload script added at the end of its head (or at the start, without one)."""
    tag = f'<script src="{PREFIX}reload.js" data-build="{build}" defer></script>\n'
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
        changed = {self.changes.get()}
        deadline = time.monotonic() + MAX_WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                changed.add(self.changes.get(timeout=DEBOUNCE_SECONDS))
            except queue.Empty:
                break
        return changed


def ignored(path: Path) -> bool:
    """Editors' swap and backup files, hidden files and caches are not the site's input."""
    name = path.name
    return (name.startswith((".", "#")) or name.endswith(IGNORED_SUFFIXES) or name == "4913"
            or any(part.startswith(".") or part == "__pycache__" for part in path.parts[-4:-1]))


def watched_folders(paths: Paths) -> list[Path]:
    paths.content.mkdir(parents=True, exist_ok=True)
    return [folder for folder in (paths.site_src, paths.content, paths.themes) if folder.is_dir()]


def snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    """Modification time and size of every file below `folder`."""
    found = {}
    for path in folder.rglob("*") if folder.is_dir() else []:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path] = (stat.st_mtime_ns, stat.st_size)
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
        self.own_writes: dict[Path, tuple[int, int] | None] = {}
        self.shown: set[Problem] = set()

    def rebuild(self, reason: str = "") -> None:
        if reason and not self.quiet:
            say(f"{reason}: rebuilding")
        self.state.update(building=True)
        before = snapshot(self.paths.content)
        report = Report()
        started = time.perf_counter()
        failed: str | None = None
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
        self._print(report, new, failed, seconds, None if failed else len(result.letters))
        self.shown = set(report.problems)
        previous = self.state.status
        self.state.update(build=previous.build + (0 if failed else 1), building=False, ok=failed is None,
                          failed=failed, problems=list(report.problems), seconds=seconds,
                          more=max(0, len(report.problems) - len(previous.problems)))

    def is_own_write(self, path: Path) -> bool:
        return path in self.own_writes and stamp(path) == self.own_writes[path]

    def _print(self, report: Report, new: list[Problem], failed: str | None, seconds: float,
               letters: int | None) -> None:
        for problem in new:
            if not self.quiet or problem.severity.value == "error":
                say(str(problem))
        repeated = len(report.problems) - len(new)
        if failed:
            say(f"error: {failed}\nthe build failed: still serving the last site that built; fix the problem and "
                "save, and it will be built again")
            return
        if not self.quiet:
            again = f", {repeated} reported before and not repeated" if repeated else ""
            say(f"built {letters} letter page{'s' if letters != 1 else ''} in {seconds:.2f} s "
                f"({len(report.errors)} error(s), {len(report.warnings)} warning(s){again})")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def serve(paths: Paths, options: Options, *, port: int = 8000, open_browser: bool = False, quiet: bool = False,
          debug: bool = False) -> int:
    """Build, serve and rebuild until Ctrl-C; returns the exit code (0 after Ctrl-C)."""
    state = LiveState()
    preview = Preview(paths, options, state, quiet=quiet, debug=debug)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    server = observer = None
    try:
        try:
            server = start_server(paths.output, state, port)
        except OSError as exc:
            in_use = exc.errno == errno.EADDRINUSE
            say(f"error: cannot listen on {HOST}:{port}: {'the port is in use' if in_use else exc.strerror}\n"
                f"  fix: {'stop the program using it, or ' if in_use else ''}choose another port with --port")
            return EXIT_FAILED
        preview.rebuild()
        url = f"http://{HOST}:{server.server_address[1]}/"
        collector = ChangeCollector()
        observer = Observer()
        folders = watched_folders(paths)
        for folder in folders:
            observer.schedule(collector, str(folder), recursive=True)
        observer.start()
        say(f"serving the site at {url}\nwatching {', '.join(_shown(f, paths.root) for f in folders)} for changes; "
            "press Ctrl-C to stop")
        if open_browser:
            webbrowser.open(url)
        while True:
            changed = {p for p in collector.wait() if not preview.is_own_write(p)}
            if changed:
                preview.rebuild(_describe_changes(changed, paths.root))
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        say("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        state.close()
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        if server is not None:
            server.shutdown()
            server.server_close()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _describe_changes(changed: set[Path], root: Path) -> str:
    names = sorted(_shown(p, root) for p in changed)
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return "changed: " + ", ".join(names[:3]) + more


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() + ("/" if path.is_dir() else "")
    except ValueError:
        return str(path)
