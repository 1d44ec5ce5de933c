"""The index and the browser see text the same way: `prepare` and its twin in search.js, and the stemmer port
against lunr.js's own stemmer, run in Node."""

from __future__ import annotations

import random
import string

import pytest

from bench import corpus
from foilog.searchtext import prepare, stem, words

from .helpers import EXAMPLE_LETTERS, LETTER_FIXTURES
from .searching import node

STEM_IN_NODE = """
const lunr = require('lunr')
const words = JSON.parse(require('fs').readFileSync(0, 'utf8'))
process.stdout.write(JSON.stringify(words.map(w => lunr.stemmer(new lunr.Token(w, {})).toString())))
"""
PREPARE_IN_NODE = """
const search = require('./foilog/static/search.js')
const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'))
process.stdout.write(JSON.stringify(texts.map(search.prepare)))
"""
PORTER_EDGES = [
    "may", "lay", "try", "cry", "say", "by", "yes", "yelling", "sky", "happy", "agreed", "feed", "bleed", "hopping",
    "hoping", "filing", "filling", "conferencing", "conference", "generalization", "relational", "rational",
    "ponies", "caresses", "cats", "ties", "fizzed", "failing", "sized", "controll", "roll", "rate", "cease", "yyy",
    "yay", "bye", "ys", "y", "eed", "ied", "ing", "sing", "dying", "electricity", "adjustment", "dependent",
    "adoption", "effective", "probate", "goodness", "hopeful", "formaliti", "sensibiliti", "triplicate",
    "anomalous", "replacement", "irritant", "homologou", "communism", "activate", "angulariti", "bowdlerize",
    "inference", "airliner", "gyroscopic", "defensible", "irritant", "adjustable", "2020", "s40", "covid19",
]


def vocabulary() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for folder in (EXAMPLE_LETTERS, LETTER_FIXTURES)
             for p in sorted(folder.glob("*.txt"))]
    texts += [letter.body for letter in corpus.letters(300, seed=5)]
    found = {w for text in texts for w in words(text)}
    rng = random.Random(7)
    letters = "aeiouybcdlmnrstgz"
    found |= {"".join(rng.choice(letters) for _ in range(rng.randint(1, 12))) for _ in range(20_000)}
    return sorted(found | set(PORTER_EDGES))


def test_the_stemmer_is_lunr_js_s_word_for_word() -> None:
    every = vocabulary()
    assert len(every) > 15_000
    theirs = node(STEM_IN_NODE, every)
    differ = [(w, ours, js) for w, js in zip(every, theirs, strict=True) if (ours := stem(w)) != js]
    assert not differ, f"{len(differ)} words stem differently from lunr.js, such as {differ[:10]}"


def test_words_lunr_py_stems_differently_are_stemmed_as_lunr_js_does() -> None:
    # lunr.py's Porter stemmer gives "mai" and "lai": the browser would never find them
    assert (stem("may"), stem("lay"), stem("try")) == ("may", "lay", "tri")


@pytest.mark.parametrize(("text", "prepared"), [
    ("Café CRÈME", "cafe creme"),
    ("the council's policy; the councils’ policies", "the councils policy the councils policies"),
    ("EIR 22/1187 and FOI-2023-0412", "eir 22 1187 and foi 2023 0412"),
    ("£1,234.56 — 10% of ½", "1 234 56 10 of 1 2"),
    ("Straße, Æsir, Øresund, Łódź, ﬁle", "strasse aesir oresund lodz file"),
    ("İstanbul ΑΘΗΝΑ Москва", "istanbul αθηνα москва"),
    ("smile 😀 𝐁old", "smile bold"),
    ("<b>bold</b> &amp; s.40(2)", "b bold b amp s 40 2"),
    ("  \t\n ", ""),
])
def test_prepare(text: str, prepared: str) -> None:
    assert prepare(text) == prepared
    assert words(text) == (prepared.split() if prepared else [])


def test_prepare_is_the_same_in_the_browser() -> None:
    rng = random.Random(11)
    alphabet = (string.printable + "£€–—’‘ʼ′“”…ßæœøłđðþıÆŒØẞİéÉñÑçÇüÜ\u00a0\u2003\u200b\ufeff\u0301\u0308"
                "αβγΔΣςπ жЖщ עברית عربي हिन्दी ไทย かなカナ 漢字 한국어 ﬁﬂ①²½™℡😀𝐀\U0001f1ec\u2028\x85\x1c")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += [letter.body for letter in corpus.letters(40, seed=3)]
    theirs = node(PREPARE_IN_NODE, texts)
    differ = [(t, ours, js) for t, js in zip(texts, theirs, strict=True) if (ours := prepare(t)) != js]
    assert not differ, f"{len(differ)} texts prepared differently in search.js, such as {differ[:5]}"
