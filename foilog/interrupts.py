"""Ctrl-C that is never lost.

Python runs a signal's handler between any two bytecodes of the main thread, including inside a weakref callback
or a finalizer that the garbage collector or a dropped reference happens to run. A KeyboardInterrupt raised there
is reported as "Exception ignored" and dropped, and the build goes on as if no key had been pressed. Within
`catching()`, the handler also remembers the interrupt, and `raise_if_interrupted()` raises it again where it must
not be missed: before a build publishes, and when the preview server finishes a rebuild.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

_pending = False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    global _pending
    _pending = True
    raise KeyboardInterrupt


def _quiet_about_interrupts(previous: Any) -> Any:
    """An unraisable-exception hook that drops the remembered interrupts and passes anything else on."""

    def hook(unraisable: Any) -> None:
        if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and _pending):
            previous(unraisable)

    return hook


@contextlib.contextmanager
def catching(*signals: signal.Signals, even_if_ignored: bool = False) -> Iterator[None]:
    """Within the block, SIGINT (and the other `signals` given) raise KeyboardInterrupt and are remembered.

    A SIGINT the process was started ignoring (a job run in the background by a script) stays ignored, unless
    `even_if_ignored`. Outside the main thread, where handlers cannot be set, the block runs as it is.
    """
    global _pending
    _pending = False
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [number for number in (signal.SIGINT, *signals)
              if even_if_ignored or signal.getsignal(number) is not signal.SIG_IGN]
    previous = {number: signal.signal(number, _interrupt) for number in wanted}
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _quiet_about_interrupts(previous_hook)
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        for number, handler in previous.items():
            signal.signal(number, handler)
        _pending = False


def raise_if_interrupted() -> None:
    """KeyboardInterrupt if an interrupt came and was lost where it was raised."""
    if _pending:
        raise KeyboardInterrupt


def ignore_further() -> None:
    """Further Ctrl-Cs are ignored (while stopping); `catching()` puts the handler back when its block ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
