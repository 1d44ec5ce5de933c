"""Work spread over the machine's cores: forked worker processes, results in the order of the input.

Forking lets each worker start with the parent's memory (the letters, the compiled templates) instead of
receiving it pickled. The parent works too, rather than wait. Workers ignore Ctrl-C: the parent gets it, stops
them, and the build is abandoned with output/ as it was. Small batches run in the parent alone, where starting
workers would cost more than it saves.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

AHEAD = 3  # batches handed to the workers ahead of the one the caller is waiting for, per worker
_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
_BACKGROUND: Callable[[], Any] | None = None
_FROZEN = 0  # how many `long_lived` blocks are open
_THRESHOLDS = gc.get_threshold()  # the collector's thresholds from before the first of them
SIGNAL_CHECK_SECONDS = 0.5  # the longest a wait goes before noticing a Ctrl-C handed to another thread
FULL_COLLECTION_EVERY = 100  # within them, a full collection at most every this many middle ones (Python's: 10)


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """The objects alive now are left out of the garbage collector's passes until the outermost block ends
    (`gc.freeze`), and with `settled()` the ones made since. A build holds hundreds of thousands of objects
    from start to end, and a full collection walks them all every time: seconds of a large build. Forked
    processes leave the memory pages they share with the parent unwritten too. Reference cycles among the frozen
    objects that become garbage are collected once the block ends."""
    global _FROZEN, _THRESHOLDS
    gc.freeze()
    if not _FROZEN:
        _THRESHOLDS = gc.get_threshold()
        gc.set_threshold(_THRESHOLDS[0], _THRESHOLDS[1], max(_THRESHOLDS[2], FULL_COLLECTION_EVERY))
    _FROZEN += 1
    try:
        yield
    finally:
        _FROZEN -= 1
        if not _FROZEN:  # (the blocks may end in any order: a map left unfinished ends when it is collected)
            gc.set_threshold(*_THRESHOLDS)
            gc.unfreeze()


def settled() -> None:
    """Within `long_lived()`: the objects made since are left out of the collector's passes too."""
    if _FROZEN:
        gc.freeze()


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(requested: int | None) -> int:
    """`--jobs N` if given (0 or less means one per core), else one per core."""
    if requested is None or requested <= 0:
        return available_cores()
    return requested


def map_in_order(function: Callable[[Item], Result], items: Sequence[Item], jobs: int, *, chunk: int = 64,
                 done: Callable[[int], None] | None = None) -> Iterator[Result]:
    """`function` over `items`, in `jobs` processes (this one and `jobs - 1` workers) when there is enough work,
    results in input order.

    This process works too: whenever the batch due next is still with a worker, it takes the next batch no worker
    has yet instead of waiting. One process fewer holds its own copy of the memory pages it writes to, and the
    results made here need not be sent between processes. `done(n)` is told as each batch of n items finishes
    (for a progress bar).
    """
    if jobs <= 1 or len(items) < 2 * chunk or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            yield function(item)
            if done:
                done(1)
        return
    global _WORK
    _WORK = (function, items)
    batches = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]
    # The inherited objects are frozen: the workers' collections leave their memory pages shared, not copied.
    try:
        with long_lived(), multiprocessing.get_context("fork").Pool(min(jobs - 1, len(batches)),
                                                                    initializer=_ignore_ctrl_c) as pool:
            yield from _shared_out(pool, batches, AHEAD * (jobs - 1), done)
    finally:
        _WORK = None


def _shared_out(pool: Any, batches: list[tuple[int, int]], ahead: int,
                done: Callable[[int], None] | None) -> Iterator[Any]:
    """The batches' results in order, made by the pool's workers and, while the one due is not ready, here.

    A few batches ahead per worker are handed out, no more, and this process makes at most as many ahead of the
    one due: results the caller has not taken yet (pages waiting to be written) are held here, so how many may
    wait is bounded, not the whole site.
    """
    waiting = deque(enumerate(batches))  # not yet handed to a worker nor made here
    handed: dict[int, Any] = {}
    made_here: dict[int, list[Any]] = {}
    for due in range(len(batches)):
        while waiting and len(handed) < ahead:
            number, batch = waiting.popleft()
            handed[number] = pool.apply_async(_run_batch, (batch,))
        while due not in made_here and not handed[due].ready() and waiting and len(made_here) < ahead:
            number, batch = waiting.popleft()
            made_here[number] = _run_batch(batch)
        results = made_here.pop(due) if due in made_here else waited(handed.pop(due))
        yield from results
        if done:
            done(len(results))


def waited(result: Any) -> Any:
    """A pool's result, waited for in short spells: a Ctrl-C that the system hands to one of the pool's threads
    sets Python's flag but wakes no lock, so the main thread notices it only when its wait ends."""
    while not result.ready():
        result.wait(SIGNAL_CHECK_SECONDS)
    return result.get()


def _ignore_ctrl_c() -> None:
    """Ctrl-C is the parent's to handle; the parent's own SIGTERM handler (serve has one) is not inherited."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_batch(batch: tuple[int, int]) -> list[Any]:
    assert _WORK is not None, "the work is inherited from the parent when the worker is forked"
    function, items = _WORK
    start, end = batch
    return [function(items[index]) for index in range(start, end)]


class Background(Generic[Result]):
    """`function()` worked out in a forked process while the caller goes on; `result()` waits for it.

    Without fork, or when not `enabled`, `result()` runs it in this process. `close()` stops the process if
    its result is no longer wanted (a build that failed meanwhile).
    """

    def __init__(self, function: Callable[[], Result], enabled: bool = True) -> None:
        self._function = function
        self._pool: Any = None
        self._pending: Any = None
        self._value: list[Result] = []
        if not enabled or "fork" not in multiprocessing.get_all_start_methods():
            return
        global _BACKGROUND
        _BACKGROUND = function
        try:
            with long_lived():
                self._pool = multiprocessing.get_context("fork").Pool(1, initializer=_ignore_ctrl_c)
        finally:
            _BACKGROUND = None
        self._pending = self._pool.apply_async(_run_background)
        self._pool.close()

    def result(self) -> Result:
        if not self._value:
            try:
                self._value.append(waited(self._pending) if self._pending is not None else self._function())
            finally:
                self.close()
        return self._value[0]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = self._pending = None


def _run_background() -> Any:
    assert _BACKGROUND is not None, "the work is inherited from the parent when the process is forked"
    return _BACKGROUND()
