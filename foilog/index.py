"""Stage 5: the search index, sharded by term so that a query fetches only the few files it needs.

What a query scores against is exactly what one lunr.js 2.3.9 index over all the letters would hold: the same terms,
the same `_index` numbers, the same BM25 field-vector values (lunr.py's formula and rounding). lunr keeps idf inside
the document vectors and divides a match's score only by the query vector's length, so the vector entries of the
terms a query uses are all it needs; the browser (foilog/static/search.js) loads the shards holding those terms,
builds a small `lunr.Index` from them and lets lunr.js score it. The tests prove the scores and order identical to
an unsharded index built by lunr.py. lunr.py itself takes about a minute for 10,000 letters; this builder computes
the same numbers in a few seconds.

Files written under `search/data/` (see docs/search.md): `manifest.json` (fields, shard boundaries, facet names,
common words, the names of the other folders); in a folder named after the build, `shards/N.json` (the postings of
a run of terms), `words/L.json` (the letters' words of length L, for the typo-tolerant retry) and `facets.json`
(each letter's year, topics, exemptions, outcome, law and timeliness, packed); and, in folders of 1,000 letters
named after their own content, `docs/B-H/N.json` (one letter's title, facts and text passages, for its result and
snippet).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import orjson

from .bodytext import Passage, passages
from .browse import by_answered
from .config import SiteConfig
from .errors import FoilogError
from .model import OUTCOME_LABELS, OUTCOMES, Letter
from .output import Staging
from .read import BIDI_CONTROLS
from .render import format_date
from .searchtext import stem, words
from .urls import (
    DOCS_PER_FOLDER,
    SEARCH_DATA_URL,
    SEARCH_MANIFEST_URL,
    SEARCH_SCRIPTS,
    letter_key,
    letter_year,
    output_path,
    search_build_url,
    search_doc_path,
    search_docs_url,
    search_shard_path,
    search_words_path,
)

FORMAT_VERSION = 2
LUNR_VERSION = "2.3.9"
# Field name and boost, in lunr's field order. A reference match outweighs any other field's (the tests hold it).
FIELDS: tuple[tuple[str, int], ...] = (("reference", 30), ("title", 10), ("summary", 3), ("request", 1),
                                       ("response", 1))
BOOSTS = [boost for _, boost in FIELDS]
K1 = 1.2
B = 0.75
ENTRIES_PER_BATCH = 100_000  # postings whose scores are computed together, at most (or one term's)
SHARD_BYTES = 48_000          # uncompressed JSON per shard, before the term that overflows it
SHARED_PARAGRAPH_SHARE = 0.1  # a paragraph in at least this share of letters (and in 3 or more) is boilerplate
SHARED_PARAGRAPH_MIN = 3
COMMON_SHARE = 0.3            # words in more letters than this (and in 500 or more) are left out of longer queries
COMMON_MIN = 500
FUZZY_MAX_DIGITS = 2          # the retry corrects at most 2 letters, so words with more digits are never reached
REPO = Path(__file__).resolve().parents[1]
STATIC = Path(__file__).resolve().parent / "static"
LUNR_JS = REPO / "node_modules" / "lunr" / "lunr.min.js"
_MONTHS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b")
_NUMBERS = re.compile(r"\d+")


# ---------------------------------------------------------------- documents

@dataclass
class Section:
    """A passage of a letter as its search result quotes it."""

    part: str          # "summary", "request" or "response"
    text: str
    anchor: str = ""   # a question's anchor on the letter page
    heading: str = ""  # the question


TemplateKeys = list[list[bytes]]  # a letter's paragraphs' template keys, passage by passage


@dataclass
class SearchDoc:
    number: int
    letter: Letter
    url: str
    read: Callable[[], list[Passage]] = field(repr=False)  # reads the letter's passages
    passages: list[Passage] | None = field(default=None, repr=False)  # None: not read yet
    keys: TemplateKeys = field(default_factory=list, repr=False)  # each passage's paragraphs' template keys
    shared: set[bytes] = field(default_factory=set, repr=False)  # the template keys of boilerplate paragraphs

    @cached_property
    def sections(self) -> list[Section]:
        """What the letter's search record quotes (worked out when asked for: a rebuild that finds its terms
        remembered asks only for the records it writes)."""
        made = sections(self.letter, self.read() if self.passages is None else self.passages, self.keys, self.shared)
        self.passages, self.keys = [], []  # not needed again: at 30,000 letters, tens of megabytes
        return made


# A letter's template keys, remembered or else made (by the function given, which reads its passages).
KeysOf = Callable[[Letter, Callable[[], TemplateKeys]], TemplateKeys]


def documents(letters: list[Letter], urls: dict[str, str],
              passages_of: Callable[[Letter], list[Passage]] | None = None) -> list[SearchDoc]:
    """The letters as search documents, newest first (a document's number is its place in that order)."""
    return documents_and_boilerplate(letters, urls, passages_of)[0]


def documents_and_boilerplate(letters: list[Letter], urls: dict[str, str],
                              passages_of: Callable[[Letter], list[Passage]] | None = None,
                              keys_of: KeysOf | None = None) -> tuple[list[SearchDoc], set[bytes]]:
    """`documents`, and the paragraphs left out of them as shared by too many letters (their template keys).

    A letter whose template keys `keys_of` remembers has its passages read only if its search record is asked
    for."""
    read = passages_of or _passages_of_body
    docs = []
    for number, letter in enumerate(sorted(letters, key=by_answered)):
        found: list[list[Passage]] = []

        def made(letter: Letter = letter, found: list[list[Passage]] = found) -> TemplateKeys:
            found.append(read(letter))
            return paragraph_keys(found[0])
        keys = keys_of(letter, made) if keys_of else made()
        docs.append(SearchDoc(number, letter, urls[letter_key(letter)], functools.partial(read, letter),
                              found[0] if found else None, keys))
    shared = shared_paragraphs([doc.keys for doc in docs])
    for doc in docs:
        doc.shared = shared
    return docs, shared


def _passages_of_body(letter: Letter) -> list[Passage]:
    return passages(letter.body)


def paragraph_keys(found: list[Passage]) -> TemplateKeys:
    return [[template_key(paragraph) for paragraph in passage.paragraphs] for passage in found]


def sections(letter: Letter, found: list[Passage], keys: TemplateKeys, shared: set[bytes]) -> list[Section]:
    """The summary, then the request and response with each question apart, without shared paragraphs."""
    out = [Section("summary", letter.summary)] if letter.summary else []
    for passage, passage_keys in zip(found, keys, strict=True):
        kept = [p for p, key in zip(passage.paragraphs, passage_keys, strict=True) if key not in shared]
        if passage.anchor:
            out.append(Section(passage.part, "\n".join(kept), passage.anchor, passage.heading))
        elif kept and out and out[-1].part == passage.part and not out[-1].anchor:
            out[-1].text += "\n" + "\n".join(kept)
        elif kept:
            out.append(Section(passage.part, "\n".join(kept)))
    return out


def field_words(doc: SearchDoc) -> list[list[str]]:
    """The prepared words of each of FIELDS."""
    request: list[str] = []
    response: list[str] = []
    for section in doc.sections:
        if section.part != "summary":
            target = request if section.part == "request" else response
            target += words(section.heading) + words(section.text) if section.heading else words(section.text)
    letter = doc.letter
    return [words(str(letter.reference)), words(letter.title), words(letter.summary), request, response]


TEMPLATE_KEY_BYTES = 12
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_MONTH_NAMES = [m.encode() for m in ("january", "february", "march", "april", "may", "june", "july", "august",
                                     "september", "october", "november", "december")]


def template_key(paragraph: str) -> bytes:
    """A paragraph with its numbers and month names blanked, so the filled-in copies of a template compare equal."""
    key = " ".join(paragraph.lower().split()).encode().translate(_DIGITS_TO_ZERO)
    if b"0" in key:
        for month in _MONTH_NAMES:
            key = key.replace(month, b"m")
    return hashlib.blake2b(key, digest_size=TEMPLATE_KEY_BYTES).digest()


def shared_paragraphs(keys: list[TemplateKeys]) -> set[bytes]:
    """Paragraphs (as template keys, per letter and passage) that so many letters contain that they say nothing
    about any one of them."""
    counts: Counter[bytes] = Counter()
    for letter_keys in keys:
        counts.update({key for passage_keys in letter_keys for key in passage_keys})
    threshold = max(SHARED_PARAGRAPH_MIN, math.ceil(SHARED_PARAGRAPH_SHARE * len(keys)))
    return {key for key, count in counts.items() if count >= threshold}


# ---------------------------------------------------------------- the inverted index

@dataclass
class Postings:
    """What lunr's Builder computes: terms numbered in order of first appearance, and who holds each term."""

    documents: int
    terms: dict[str, int] = field(default_factory=dict)
    # per term: entries packed as (document << 24 | field << 21 | term frequency), in document order
    entries: list[array] = field(default_factory=list)
    lengths: list[array] = field(default_factory=list)  # per field: each document's number of tokens
    norms: list[list[float]] = field(default_factory=list)  # per field and document: BM25's length factor
    words: set[str] = field(default_factory=set)  # every word of the letters

    def finish(self) -> None:
        """lunr's `k1 * (1 - b + b * (fieldLength / averageFieldLength))`, computed as lunr.py does."""
        for lengths in self.lengths:
            average = sum(lengths) / self.documents if self.documents else 0.0
            if not average:  # no letter has a word in this field, so no score uses its norms (lunr.js: NaN)
                self.norms.append([K1 * (1 - B)] * len(lengths))
                continue
            self.norms.append([K1 * (1 - B + B * (length / average)) for length in lengths])

    @cached_property
    def norm_matrix(self) -> np.ndarray:
        """The norms as a (field, document) array."""
        return np.array(self.norms, dtype=np.float64).reshape(len(self.norms), self.documents)


# What the index holds of one letter, as the build cache keeps it between builds: per field, its number of tokens,
# its terms in order of first appearance (separated by spaces) and their frequencies (an array("I")'s bytes); and
# the letter's words, separated by spaces.
DocTerms = tuple[tuple[int, ...], tuple[str, ...], tuple[bytes, ...], str]


class TermReader:
    """What the index holds of one letter after another (`DocTerms`), each word stemmed once."""

    def __init__(self) -> None:
        self.stems: dict[str, str] = {}

    def __call__(self, doc: SearchDoc) -> DocTerms:
        lengths, names, counts = [], [], []
        found: set[str] = set()
        for tokens in field_words(doc):
            del tokens[MAX_FREQUENCY:]
            lengths.append(len(tokens))
            distinct = set(tokens)
            found |= distinct
            for token in distinct.difference(self.stems):
                self.stems[token] = stem(token)
            frequencies = Counter(map(self.stems.__getitem__, tokens))  # terms in order of first appearance
            names.append(" ".join(frequencies))
            counts.append(array("I", frequencies.values()).tobytes())
        return tuple(lengths), tuple(names), tuple(counts), " ".join(found)


def invert(docs: list[SearchDoc], terms_of: Callable[[SearchDoc], DocTerms] | None = None) -> Postings:
    """lunr's Builder's inverted index of the letters; `terms_of` gives what it holds of each (a `TermReader`, or
    one that finds most of them remembered)."""
    postings = Postings(len(docs), lengths=[array("I") for _ in FIELDS])
    terms, entries, words = postings.terms, postings.entries, postings.words
    for doc, (lengths, names, counts, doc_words) in zip(docs, map(terms_of or TermReader(), docs), strict=True):
        words.update(doc_words.split())
        for number, length in enumerate(lengths):
            postings.lengths[number].append(length)
            field_terms = names[number].split()
            if not all(map(terms.__contains__, field_terms)):
                for term in field_terms:
                    if term not in terms:
                        terms[term] = len(entries)
                        entries.append(array("Q"))
            frequencies = array("I")
            frequencies.frombytes(counts[number])
            packed = doc.number << 24 | number << 21
            for term, count in zip(field_terms, frequencies, strict=True):
                entries[terms[term]].append(packed | count)
    postings.finish()
    return postings


MAX_FREQUENCY = (1 << 21) - 1


def terms_json(postings: Postings, terms: list[str], indexes: list[int]) -> list[str]:
    """Some terms' lunr field-vector values, each term as `["term",_index,[docs as deltas…, scores…] per field]`:
    per field, its documents in order (the first a number, the others as steps from the one before) and their
    values in thousandths.

    The arithmetic is lunr.py's Builder._create_field_vectors, operation for operation (numpy's float64
    operations are IEEE's, as Python's are), so the rounded values are the ones it would serialize; a value `n`
    here stands for the JSON number n/1000 (the same double).
    """
    arrays = [postings.entries[index] for index in indexes]
    counts = [len(entries) for entries in arrays]
    values = np.frombuffer(b"".join(entries.tobytes() for entries in arrays), dtype=np.uint64)
    documents = (values >> np.uint64(24)).astype(np.int64)
    fields = ((values >> np.uint64(21)) & np.uint64(7)).astype(np.intp)
    tf = (values & np.uint64(MAX_FREQUENCY)).astype(np.float64)
    idf = np.repeat(np.array([_idf(postings.documents, count) for count in counts], dtype=np.float64), counts)
    score = idf * ((K1 + 1) * tf) / (postings.norm_matrix[fields, documents] + tf)
    score *= np.array(BOOSTS, dtype=np.float64)[fields]
    scaled = score * 1000
    rounded = np.rint(scaled)  # halves to even, as Python's round()
    thousandths = rounded.astype(np.int64)
    for tie in np.flatnonzero(np.abs(np.abs(scaled - rounded) - 0.5) < 1e-6).tolist():
        thousandths[tie] = round(round(float(score[tie]), 3) * 1000)  # near a tie: round as lunr.py does, exactly
    # each term's entries by field, in document order within a field (lexsort is stable)
    term_of = np.repeat(np.arange(len(indexes), dtype=np.intp), counts)
    order = np.lexsort((fields, term_of))
    group_sizes = np.bincount(term_of * len(FIELDS) + fields, minlength=len(indexes) * len(FIELDS))
    in_order = documents[order]
    steps = np.diff(in_order, prepend=0)
    starts = (np.cumsum(group_sizes) - group_sizes)[group_sizes > 0]
    steps[starts] = in_order[starts]  # each field's first document as it is
    steps_list, scores_list, sizes = steps.tolist(), thousandths[order].tolist(), group_sizes.tolist()
    out = []
    at = 0
    for number, (term, index) in enumerate(zip(terms, indexes, strict=True)):
        parts: list[object] = [term, index]
        for size in sizes[number * len(FIELDS):(number + 1) * len(FIELDS)]:
            parts.append(steps_list[at:at + size] + scores_list[at:at + size])
            at += size
        out.append(orjson.dumps(parts).decode())  # (the terms are prepared words: nothing JSON must escape)
    return out


def _idf(documents: int, documents_with_term: int) -> float:
    """lunr's idf, which counts (field, document) pairs."""
    x = (documents - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))


# ---------------------------------------------------------------- the stage

@dataclass
class KeptRecords:
    """How `SearchIndex.data_files` finds the folders of letters' records the last site has, made from the same
    inputs, so that they need not be made again, and what it found."""

    context: str  # a digest of what every record is made from besides its letter (site.toml)
    inputs_of: Callable[[SearchDoc], str]  # what a letter's record is made from: its number, URL and page's digest
    # a folder's inputs (a digest) -> its URL and the site paths of its files, when the last site has them all
    published: Callable[[str], tuple[str, list[str]] | None]
    folders: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # the same for every folder, as built


@dataclass
class SearchIndex:
    """Everything the search page needs, ready to write into the site."""

    docs: list[SearchDoc]
    postings: Postings
    config: SiteConfig
    shard_bytes: int = SHARD_BYTES
    written: dict[str, int] = field(default_factory=dict)  # output path -> bytes
    boilerplate: str = ""  # a digest of the paragraphs left out of every letter's record as shared by too many

    def write(self, staging: Staging) -> None:
        """Write the search's scripts and data files straight into a site (the build makes them outputs)."""
        staging.write_files(self.scripts())
        staging.write_files(self.data_files())

    def scripts(self) -> dict[str, bytes]:
        files = search_scripts()
        self.written.update({url: len(files[output_path(url)]) for url in SEARCH_SCRIPTS})
        return files

    def data_files(self, kept: KeptRecords | None = None) -> dict[str, bytes]:
        """The search's data files, by their place in the site.

        The letters' records go into folders of DOCS_PER_FOLDER, each named after a hash of its files
        (search/data/docs/<bucket>-<hash>/); the rest into one folder named after a hash of everything
        (search/data/<build>/). Only the manifest, which names the folders, has a fixed address. A browser holding
        an old manifest or old shards in its cache can then never mix two builds, and a rebuild after one letter
        changed writes the records of its folder only. With `kept`, a folder of records the last site has, made
        from the same inputs, is named but not made again (its files are left out of those returned).
        """
        digest = hashlib.sha256()
        data: dict[str, bytes] = {}

        def add(path: str, content: bytes) -> None:
            digest.update(path.encode() + b"\0" + content)
            data[path] = content

        records = self.doc_files(kept)
        for folder in records:
            digest.update(folder.encode() + b"\0")
        add("facets.json", _json(facet_data(self.docs, self.facets)))
        boundaries = []
        for number, shard in enumerate(self.shards()):
            boundaries.append(shard[0][0])
            add(search_shard_path(number), ("[" + ",\n".join(text for _, text in shard) + "]\n").encode())
        for length, terms in sorted(self.dictionary.items()):
            add(search_words_path(length), _json(terms))
        build = digest.hexdigest()[:16]
        folder = search_build_url(build)
        placed = {folder + path: content for path, content in data.items()}
        placed.update((docs + path, content) for docs, files in records.items() if files is not None
                      for path, content in files.items())
        files = {output_path(url): content for url, content in placed.items()}
        doc_folders = [docs.removeprefix(SEARCH_DATA_URL) for docs in records]
        files[output_path(SEARCH_MANIFEST_URL)] = self.manifest(build, boundaries, doc_folders)
        self.written.update({url: len(content) for url, content in placed.items()})
        self.written[SEARCH_MANIFEST_URL] = len(files[output_path(SEARCH_MANIFEST_URL)])
        return files

    def doc_files(self, kept: KeptRecords | None = None) -> dict[str, dict[str, bytes] | None]:
        """Each folder of letters' records (its URL) with its files, in document order; None for a folder `kept`."""
        folders: dict[str, dict[str, bytes] | None] = {}
        for start in range(0, len(self.docs), DOCS_PER_FOLDER):
            bucket = self.docs[start:start + DOCS_PER_FOLDER]
            inputs = ""
            if kept is not None:
                inputs = hashlib.sha256(
                    "\0".join([kept.context, self.boilerplate, *map(kept.inputs_of, bucket)]).encode()).hexdigest()
                found = kept.published(inputs)
                if found is not None:
                    folders[found[0]] = None
                    kept.folders[inputs] = found
                    continue
            files = {search_doc_path(doc.number): _json(doc_record(doc), without_bidi=True) for doc in bucket}
            content = hashlib.sha256()
            for path, record in files.items():
                content.update(path.encode() + b"\0" + record)
            url = search_docs_url(start // DOCS_PER_FOLDER, content.hexdigest()[:16])
            folders[url] = files
            if kept is not None:
                kept.folders[inputs] = (url, [output_path(url + path) for path in files])
        return folders

    @cached_property
    def sorted_terms(self) -> list[str]:
        return sorted(self.postings.terms)

    def shards(self) -> Iterator[list[tuple[str, str]]]:
        """Runs of (term, JSON) in term order, each run about `shard_bytes` of JSON."""
        shard: list[tuple[str, str]] = []
        size = 0
        for terms in self.term_batches():
            indexes = [self.postings.terms[term] for term in terms]
            for term, text in zip(terms, terms_json(self.postings, terms, indexes), strict=True):
                if shard and size + len(text) > self.shard_bytes:
                    yield shard
                    shard, size = [], 0
                shard.append((term, text))
                size += len(text) + 2
        if shard:
            yield shard

    def term_batches(self) -> Iterator[list[str]]:
        """The terms in order, in runs of at most ENTRIES_PER_BATCH postings (a term with more is a run alone): the
        memory scoring a run takes stays the same however many letters hold its terms."""
        batch: list[str] = []
        entries = 0
        for term in self.sorted_terms:
            count = len(self.postings.entries[self.postings.terms[term]])
            if batch and entries + count > ENTRIES_PER_BATCH:
                yield batch
                batch, entries = [], 0
            batch.append(term)
            entries += count
        if batch:
            yield batch

    @cached_property
    def dictionary(self) -> dict[int, list[str]]:
        """The letters' words (as written, not stemmed) that the typo-tolerant retry can correct a query word to:
        those with at most two digits, by length."""
        by_length: dict[int, list[str]] = {}
        for word in sorted(self.postings.words):
            if sum(c.isdigit() for c in word) <= FUZZY_MAX_DIGITS:
                by_length.setdefault(len(word), []).append(word)
        return by_length

    @cached_property
    def facets(self) -> list[Facet]:
        return facets(self.docs, self.config)

    def common_terms(self) -> list[str]:
        """Terms in so many letters that a query with other words does better without them."""
        threshold = max(COMMON_MIN, COMMON_SHARE * self.postings.documents)
        common = []
        for term in self.sorted_terms:
            entries = self.postings.entries[self.postings.terms[term]]
            if len(entries) > threshold and len({value >> 24 for value in entries}) > threshold:
                common.append(term)
        return common

    def manifest(self, build: str, boundaries: list[str], doc_folders: list[str]) -> bytes:
        return _json({
            "format": FORMAT_VERSION,
            "lunr": LUNR_VERSION,
            "build": build,
            "documents": len(self.docs),
            "docsPerFolder": DOCS_PER_FOLDER,
            "docs": doc_folders,
            "fields": [name for name, _ in FIELDS],
            "shards": boundaries,
            "words": sorted(self.dictionary),
            "common": self.common_terms(),
            "facets": [{"key": f.key, "name": f.name, "multiple": f.multiple,
                        "values": [{"value": v, "label": label} for v, label in f.values]} for f in self.facets],
        })


def search_scripts() -> dict[str, bytes]:
    """lunr.js and the search page's script, among the theme's assets (a theme may replace them)."""
    if not LUNR_JS.is_file():
        raise FoilogError(f"lunr.js is missing ({LUNR_JS})", hint="run `npm ci` in the foilog folder "
                          "(`make site` does it) to install it from package-lock.json")
    return {output_path(url): source.read_bytes()
            for url, source in zip(SEARCH_SCRIPTS, (LUNR_JS, STATIC / "search.js"), strict=True)}


def build_index(letters: list[Letter], urls: dict[str, str], config: SiteConfig,
                passages_of: Callable[[Letter], list[Passage]] | None = None,
                terms_for: Callable[[str], Callable[[SearchDoc], DocTerms]] | None = None,
                keys_of: KeysOf | None = None) -> SearchIndex:
    """Read every published letter's page into the search index (written later, with the site); `passages_of`
    gives a letter's passages (they are read from its body by default), `keys_of` its paragraphs' template keys
    if remembered, `terms_for(boilerplate)` what the index holds of each letter, given a digest of the
    boilerplate paragraphs (they are read from its passages by default)."""
    docs, shared = documents_and_boilerplate(letters, urls, passages_of, keys_of)
    boilerplate = hashlib.sha256(b"".join(sorted(shared))).hexdigest()
    return SearchIndex(docs, invert(docs, terms_for(boilerplate) if terms_for else None), config,
                       boilerplate=boilerplate)


def _json(value: object, without_bidi: bool = False) -> bytes:
    """Compact JSON; `without_bidi`: without the direction overrides any of its strings holds (JSON writes them as
    they are, never escaped, so they are taken out of the text)."""
    data = orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)  # (json.dumps's compact UTF-8, several times faster)
    if without_bidi and not data.isascii():
        text = data.decode()
        if BIDI_CONTROLS.search(text):
            return BIDI_CONTROLS.sub("", text).encode()
    return data


# ---------------------------------------------------------------- per-letter records and facets

def doc_record(doc: SearchDoc) -> dict[str, object]:
    """What a search result shows of a letter, and the passages its snippet is cut from (written without
    direction overrides, as on the letter's page)."""
    letter = doc.letter
    return {
        "url": doc.url,
        "title": letter.title,
        "reference": str(letter.reference),
        "date": _date_line(letter),
        "outcome": letter.outcome,
        "outcomeLabel": OUTCOME_LABELS.get(letter.outcome, letter.outcome),
        "late": letter.late,
        "sections": [{"part": s.part, "id": s.anchor, "heading": s.heading, "text": s.text}
                     for s in doc.sections],
    }


def _date_line(letter: Letter) -> str:
    if letter.responded:
        return f"Answered {format_date(letter.responded)}"
    if letter.received:
        return f"Received {format_date(letter.received)}"
    return ""


@dataclass
class Facet:
    key: str           # the search page's URL parameter
    name: str
    multiple: bool
    values: list[tuple[str, str]]  # (value, label) in display order
    of_letter: dict[int, list[int]]  # document number -> positions in `values`


def facets(docs: list[SearchDoc], config: SiteConfig) -> list[Facet]:
    def facet(key: str, name: str, per_doc: list[list[str]], order: Iterable[str], labels: dict[str, str],
              multiple: bool = False) -> Facet:
        present = {v for values in per_doc for v in values}
        ordered = [v for v in dict.fromkeys(order) if v in present]
        ordered += sorted(present - set(ordered), key=_natural)
        position = {v: i for i, v in enumerate(ordered)}
        return Facet(key, name, multiple, [(v, labels.get(v, v)) for v in ordered],
                     {doc.number: [position[v] for v in values] for doc, values in zip(docs, per_doc, strict=True)})

    letters = [doc.letter for doc in docs]
    years = [[letter_year(le)] for le in letters]
    return [
        facet("year", "Year", years, sorted({y[0] for y in years if y[0] != "undated"}, reverse=True), {}),
        facet("topic", "Topic", [list(le.topics) for le in letters], config.topics, {}, multiple=True),
        facet("exemption", "Exemption", [list(le.exemptions) for le in letters], [], {}, multiple=True),
        facet("outcome", "Outcome", [[le.outcome] for le in letters], OUTCOMES, OUTCOME_LABELS),
        facet("law", "Law", [[le.regime] for le in letters], ("FOIA", "EIR"),
              {"FOIA": "Freedom of Information Act", "EIR": "Environmental Information Regulations"}),
        facet("timeliness", "Answered in time", [[] if le.late is None else ["late" if le.late else "on-time"]
                                                 for le in letters], ("on-time", "late"),
              {"on-time": "On time", "late": "Late"}),
    ]


def facet_data(docs: list[SearchDoc], all_facets: list[Facet]) -> dict[str, str]:
    """Each facet's values for every letter, in document order: one character per value (chr(48 + position)),
    letters separated by commas."""
    chars = [chr(48 + p) for p in range(max((len(f.values) for f in all_facets), default=0))]
    return {f.key: ",".join(["".join([chars[p] for p in f.of_letter[doc.number]]) for doc in docs])
            for f in all_facets}


def _natural(text: str) -> list[object]:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]
