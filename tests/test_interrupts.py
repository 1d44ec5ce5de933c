"""Ctrl-C is never lost, even when Python runs its handler inside a finalizer, where the exception is dropped."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from foilog import build as build_module
from foilog import cli, interrupts, parallel
from foilog.serve import ChangeCollector

from .helpers import make_project, tree_bytes


class Finalized:
    """An object whose finalizer is where the Ctrl-C happens to be handled."""


def _press_ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(10_000):  # the handler runs at one of these bytecodes, still inside the finalizer
        pass


def lose_an_interrupt() -> None:
    """A Ctrl-C that comes while a finalizer runs: the KeyboardInterrupt it raises there goes no further."""
    victim = Finalized()
    weakref.finalize(victim, _press_ctrl_c)
    del victim


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[BaseException | None]:
    """What reaches the unraisable-exception hook that was in place before (pytest's own turns it into a warning)."""
    reported: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))
    return reported


@pytest.fixture
def default_handler() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("default_handler")
def test_python_alone_drops_an_interrupt_raised_in_a_finalizer(unraisable: list[BaseException | None]) -> None:
    lose_an_interrupt()  # returns: the interrupt is lost
    assert [type(e) for e in unraisable] == [KeyboardInterrupt], "reported as 'Exception ignored', and dropped"


@pytest.mark.usefixtures("default_handler")
def test_a_lost_interrupt_is_remembered_and_raised_again(unraisable: list[BaseException | None]) -> None:
    with interrupts.catching():
        lose_an_interrupt()
        with pytest.raises(KeyboardInterrupt):
            interrupts.raise_if_interrupted()
    assert unraisable == [], "no 'Exception ignored' traceback for an interrupt that is remembered"


@pytest.mark.usefixtures("default_handler")
def test_an_interrupt_raised_where_it_came_still_propagates() -> None:
    with pytest.raises(KeyboardInterrupt), interrupts.catching():
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10_000):
            pass


@pytest.mark.usefixtures("default_handler")
def test_the_block_puts_back_what_it_changed() -> None:
    hook = sys.unraisablehook
    with interrupts.catching(signal.SIGTERM):
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        assert signal.getsignal(signal.SIGTERM) is signal.getsignal(signal.SIGINT)
        lose_an_interrupt()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert sys.unraisablehook is hook
    interrupts.raise_if_interrupted()  # nothing pending once the block has ended


def test_a_sigint_ignored_from_the_start_stays_ignored_unless_asked() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupts.catching():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        with interrupts.catching(even_if_ignored=True):
            assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("default_handler")
def test_other_unraisable_exceptions_are_still_reported(unraisable: list[BaseException | None]) -> None:
    def fail() -> None:
        raise ValueError("from a finalizer")

    with interrupts.catching():
        victim = Finalized()
        weakref.finalize(victim, fail)
        del victim
    assert [str(e) for e in unraisable] == ["from a finalizer"]


@pytest.mark.usefixtures("default_handler")
def test_a_build_whose_interrupt_was_lost_does_not_publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "project")
    assert cli.main(["--root", str(project), "--quiet"]) == 0
    (project / "site_src" / "letters" / "extra.txt").write_bytes(
        next((project / "site_src" / "letters").glob("*.txt")).read_bytes() + b"\nA copy.\n")
    before = tree_bytes(project / "output")
    real = build_module.build_archive

    def archive_with_ctrl_c(*args: Any) -> Any:
        lose_an_interrupt()
        return real(*args)

    monkeypatch.setattr(build_module, "build_archive", archive_with_ctrl_c)
    assert cli.main(["--root", str(project), "--quiet"]) == 130
    assert "interrupted; output/ was left as it was" in capsys.readouterr().err
    assert tree_bytes(project / "output") == before
    assert not list(project.glob(".output-*")), "the staging folder was left behind"


@pytest.mark.usefixtures("default_handler")
def test_a_ctrl_c_handed_to_another_thread_stops_the_preview_waiting_for_changes() -> None:
    """The system may give a process's SIGINT to any of its threads (the preview has a dozen); the main thread,
    waiting for a change, must still notice it."""
    collector = ChangeCollector()

    def ctrl_c_in_this_thread() -> None:
        time.sleep(0.5)  # the main thread is waiting by then
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        time.sleep(8)
        collector.changes.put(Path("unblocks a wait that never noticed the Ctrl-C"))

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), interrupts.catching():
        threading.Thread(target=ctrl_c_in_this_thread, daemon=True).start()
        collector.wait()
    assert time.monotonic() - started < 5


def _slowly() -> str:
    time.sleep(8)
    return "done"


@pytest.mark.usefixtures("default_handler")
def test_a_ctrl_c_handed_to_another_thread_stops_a_build_waiting_for_its_background_process() -> None:
    """The build waits for the search's process (seconds at 30,000 letters): Ctrl-C is noticed meanwhile."""
    def ctrl_c_in_this_thread() -> None:
        time.sleep(0.5)
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), interrupts.catching():
        background = parallel.Background(_slowly)
        threading.Thread(target=ctrl_c_in_this_thread, daemon=True).start()
        background.result()
    assert time.monotonic() - started < 5
    assert background._pool is None, "its process was stopped"
