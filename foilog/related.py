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
from .parallel import map_in_order

RELATED_COUNT = 5
MIN_SIMILARITY = 0.05
CELLS_PER_CHUNK = 2_000_000  # rows x letters compared at once (8 MB of float32)
SCORE_STEPS = 1_000_000  # scores are compared to six decimal places, so ties are ties on every machine
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
    each letter asked); the letters compared a chunk at a time across `jobs` processes.

    Ties go to the letter with the lower reference, so the same letters always give the same answer.
    """
    order = sorted(letters, key=lambda le: (le.reference, le.source, str(le.page)))
    related: dict[int, list[Letter]] = {id(le): [] for le in order}
    texts = [text(le) for le in order]
    if len(order) < 2:
        return related
    matrix = _tfidf(texts)
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
    """Each row's `count` highest-scoring columns above MIN_SIMILARITY, itself excluded; ties by column."""
    rows, columns = scores.shape
    scores[np.arange(rows), np.arange(start, start + rows)] = -1.0
    pool = min(count + 8, columns)
    if pool < columns:
        candidates = np.argpartition(-scores, pool - 1, axis=1)[:, :pool]
    else:
        candidates = np.broadcast_to(np.arange(columns), (rows, columns))
    return [_pick(scores[row], candidates[row], count, complete=pool == columns) for row in range(rows)]


def _pick(row: np.ndarray, candidates: np.ndarray, count: int, complete: bool) -> list[int]:
    """The best `count` of one row's candidates, by score to six places and then by column.

    The candidates are the row's highest scores. When the last place is tied with a score that may have been
    left out of them, the tied columns are looked up in the whole row, so the tie-break is exact.
    """
    steps = np.rint(row[candidates].astype(np.float64) * SCORE_STEPS).astype(np.int64)
    ranked = sorted(zip(steps.tolist(), candidates.tolist(), strict=True), key=lambda sc: (-sc[0], sc[1]))
    threshold = round(MIN_SIMILARITY * SCORE_STEPS)
    if not complete and len(ranked) > count and threshold <= ranked[count - 1][0] <= ranked[-1][0]:
        last = ranked[count - 1][0]
        above = [column for step, column in ranked if step > last]
        every = np.rint(row.astype(np.float64) * SCORE_STEPS).astype(np.int64)
        tied = np.flatnonzero(every == last)[: count - len(above)]
        return above + tied.tolist()
    return [column for step, column in ranked[:count] if step >= threshold]
