"""The worker processes and how the build spares the garbage collector."""

from __future__ import annotations

import gc
import os
import time
import types
import weakref
from pathlib import Path

from foilog.build import _understand
from foilog.config import SiteConfig
from foilog.model import Letter
from foilog.parallel import FULL_COLLECTION_EVERY, Background, long_lived, map_in_order, settled

from .helpers import REPO, build_project, make_project


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> weakref.ref[Node]:
    """A reference cycle only the collector can free; a weak reference to see when it has."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_long_lived_freezes_until_the_outermost_block_ends() -> None:
    thresholds = gc.get_threshold()
    with long_lived():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[2] == max(thresholds[2], FULL_COLLECTION_EVERY)
        with long_lived():
            pass
        assert gc.get_freeze_count() > 0, "an inner block leaves the outer one's objects frozen"
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


def test_blocks_ending_out_of_order_still_restore_the_collector() -> None:
    thresholds = gc.get_threshold()
    outer, inner = long_lived(), long_lived()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)
    assert gc.get_freeze_count() > 0
    inner.__exit__(None, None, None)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


def test_cycles_frozen_in_a_block_are_collected_once_it_ends() -> None:
    with long_lived():
        kept = cycle()
        settled()
        gc.collect()
        assert kept() is not None, "frozen: the collector leaves it alone"
    gc.collect()
    assert kept() is None


def test_cycles_made_and_dropped_between_checkpoints_are_still_collected() -> None:
    with long_lived():
        dropped = cycle()
        gc.collect()
        assert dropped() is None


def test_a_build_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    assert build_project(make_project(tmp_path / "project"), jobs=2).published
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


def test_map_in_order_gives_results_in_order_from_workers_and_unfreezes() -> None:
    items = list(range(500))
    assert list(map_in_order(lambda n: n * n, items, jobs=2, chunk=7)) == [n * n for n in items]
    assert gc.get_freeze_count() == 0


def slow_pid(n: int) -> tuple[int, int]:
    time.sleep(0.002)
    return n, os.getpid()


def test_map_in_order_works_in_this_process_too_while_the_workers_are_busy() -> None:
    items = list(range(300))
    results = list(map_in_order(slow_pid, items, jobs=2, chunk=5))
    assert [n for n, _ in results] == items
    by = {pid for _, pid in results}
    assert os.getpid() in by, "this process takes batches instead of waiting"
    assert len(by) == 2, "jobs=2: this process and one worker"


def test_a_map_left_half_way_unfreezes() -> None:
    results = map_in_order(lambda n: n + 1, list(range(500)), jobs=2, chunk=7)
    assert isinstance(results, types.GeneratorType)
    assert next(results) == 1
    results.close()
    assert gc.get_freeze_count() == 0


def test_background_work_gives_its_result_and_unfreezes() -> None:
    job = Background(lambda: sum(range(1000)))
    assert gc.get_freeze_count() == 0
    assert job.result() == 499500


def test_understanding_a_letter_here_leaves_the_scanned_letter_as_it_was() -> None:
    """Letters are understood in this process too: the scanned letter the work list holds must stay slim, or the
    stage would keep every letter this process understood, text and blocks and all, to its end."""
    source = sorted((REPO / "site_src" / "letters").glob("*.txt"))[0]
    scanned = Letter(source=source.name, path=source)
    understood, problem, failure = _understand(scanned, SiteConfig())
    assert problem is None and failure is None
    assert understood.text and understood.request and understood.reference
    assert scanned == Letter(source=source.name, path=source)
