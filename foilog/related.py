"""Related requests: for each letter, the letters whose request text is most alike (TF-IDF cosine).

The similarity matrix is never held whole: rows are compared with every letter a chunk at a time, and
only each row's best matches are kept, so memory stays flat however many letters there are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .model import Letter
from .parallel import Background, map_in_order

RELATED_COUNT = 5
MIN_SIMILARITY = 0.05
CELLS_PER_CHUNK = 2_000_000  # rows x letters compared at once (8 MB of float32)
SCORE_STEPS = 1_000_000  # scores are compared to six decimal places, so ties are ties on every machine
MARGIN = 2 / SCORE_STEPS  # wider than one step: a score that rounds to a step at or above another is never less by this
BLOCK = 64  # columns whose highest score bounds each row's candidates
# Words every FOI request uses, and the months its dates name: they say nothing about what it is about.
FOI_STOP_WORDS = frozenset((
    "act", "advise", "answer", "authority", "confirm", "copy", "council", "councils", "currently", "data", "dear",
    "details", "eir", "environmental", "foi", "foia", "following", "freedom", "grateful", "held", "hold",
    "information", "kind", "know", "like", "madam", "number", "numbers", "organisation", "organisations",
    "please", "provide", "question", "questions", "received", "regard", "regarding", "regards", "regulations",
    "request", "requested", "requesting", "requests", "sir", "thank", "thanks", "wanted", "writing", "year",
    "years", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
))
_REQUEST = re.compile(r"^## Request\s*$(.*?)(?=^## Response\s*$|\Z)", re.M | re.S)
_ACKNOWLEDGEMENT = re.compile(r"^thank you for your (?:request|email|letter)\b.*$", re.M | re.I)
_MARKUP = re.compile(r"\\(.)|\*\*|\{#[^}]*\}|^:::.*$|^#+\s", re.M)


def request_text(letter: Letter, body: str | None = None) -> str:
    """What was asked: the page's Request section, else its title, summary and questions (`body`: the page's
    body, if the letter was loaded without it)."""
    match = _REQUEST.search((letter.body if body is None else body) or "")
    text = match.group(1) if match else ""
    if not text.strip():
        text = " ".join([letter.title, letter.summary] + [q.text for q in letter.questions])
    return _ACKNOWLEDGEMENT.sub(" ", _MARKUP.sub(lambda m: m.group(1) or " ", text))


def find_related(letters: list[Letter], count: int = RELATED_COUNT, cells_per_chunk: int = CELLS_PER_CHUNK,
                 text: Callable[[Letter], str] = request_text, jobs: int = 1) -> dict[int, list[Letter]]:
    """For each letter (by id()), up to `count` other letters most alike, most alike first (by `text`: what
    each letter asked); the letters compared a chunk at a time across `jobs` processes. With more than one job,
    the TF-IDF weights are worked out in a process of their own: scikit-learn (70 MB once imported) and what it
    makes on the way stay out of this process, which the render workers are later forked from.

    Ties go to the letter with the lower reference, so the same letters always give the same answer.
    """
    order = sorted(letters, key=lambda le: (le.reference, le.source, str(le.page)))
    related: dict[int, list[Letter]] = {id(le): [] for le in order}
    texts = [text(le) for le in order]
    if len(order) < 2:
        return related
    matrix = Background(lambda: _tfidf(texts), enabled=jobs > 1).result()  # scikit-learn is not kept here
    if matrix is None:
        return related
    transposed = matrix.T.tocsr()
    rows = max(1, cells_per_chunk // len(order))
    starts = range(0, len(order), rows)

    def best_of_chunk(start: int) -> list[list[int]]:
        return _best((matrix[start:start + rows] @ transposed).toarray(), start, count)

    for start, chunk in zip(starts, map_in_order(best_of_chunk, starts, jobs, chunk=1), strict=True):
        for offset, best in enumerate(chunk):
            related[id(order[start + offset])] = [order[i] for i in best]
    return related


def _tfidf(texts: list[str]) -> Any:
    """Rows of L2-normalised TF-IDF weights, one per text; None when no text has a usable word."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer  # slow to import: only when used

    many = len(texts) >= 50
    vectorizer = TfidfVectorizer(
        lowercase=True, strip_accents="unicode", token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
        stop_words=sorted(ENGLISH_STOP_WORDS | FOI_STOP_WORDS), sublinear_tf=True, dtype=np.float32,
        max_df=0.5 if many else 1.0, min_df=2 if many else 1)
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # an empty vocabulary: nothing to compare
        return None


def _best(scores: np.ndarray, start: int, count: int) -> list[list[int]]:
    """Each row's `count` highest-scoring columns above MIN_SIMILARITY, itself excluded; ties by column.

    The columns are taken in blocks of BLOCK. A row's `count`-th highest block maximum is at most its `count`-th
    highest score, so only the blocks whose maximum reaches that bound (less a margin wider than a rounding
    step) can hold a column of the answer, ties at the last place included; only their columns are ranked.
    """
    rows, columns = scores.shape
    scores[np.arange(rows), np.arange(start, start + rows)] = -1.0
    blocks, whole = -(-columns // BLOCK), columns // BLOCK * BLOCK
    maxima = np.empty((rows, blocks), dtype=scores.dtype)
    maxima[:, :whole // BLOCK] = scores[:, :whole].reshape(rows, -1, BLOCK).max(axis=2)
    if whole < columns:
        maxima[:, -1] = scores[:, whole:].max(axis=1)
    bounds = np.full(rows, MIN_SIMILARITY - MARGIN, dtype=scores.dtype)
    if blocks >= count:
        np.maximum(bounds, np.partition(maxima, blocks - count, axis=1)[:, blocks - count] - MARGIN, out=bounds)
    row_of, block = np.nonzero(maxima >= bounds[:, None])
    column = (block * BLOCK)[:, None] + np.arange(BLOCK)
    value = scores[row_of[:, None], np.minimum(column, columns - 1)]
    kept = (column < columns) & (value >= bounds[row_of][:, None])
    return _ranked(np.broadcast_to(row_of[:, None], column.shape)[kept], column[kept], value[kept], rows, count)


def _ranked(row_of: np.ndarray, column: np.ndarray, value: np.ndarray, rows: int, count: int) -> list[list[int]]:
    """Each row's first `count` candidates (row, column, score) by score to six places and then by column,
    those at MIN_SIMILARITY or more."""
    steps = np.rint(value.astype(np.float64) * SCORE_STEPS).astype(np.int64)
    order = np.lexsort((column, -steps, row_of))
    row_of, column, steps = row_of[order], column[order], steps[order]
    rank = np.arange(len(row_of)) - np.searchsorted(row_of, row_of)
    kept = (rank < count) & (steps >= round(MIN_SIMILARITY * SCORE_STEPS))
    ends = np.searchsorted(row_of[kept], np.arange(1, rows + 1)).tolist()
    chosen = column[kept].tolist()
    return [chosen[begin:end] for begin, end in zip([0, *ends[:-1]], ends, strict=True)]
