"""Text as the search sees it: one normalisation and lunr.js's own stemmer, identical here and in the browser.

The browser stems query words with lunr.js 2.3.9's `lunr.stemmer`; the index must hold the same stems. lunr.py's
stemmer is a different Porter implementation (it stems "may" to "mai" and "lay" to "lai", lunr.js leaves them), so
`stem()` is a line-for-line port of lunr.js's, checked word for word against lunr.js in Node by the tests.

`prepare()` runs before lunr's tokenizer on both sides (`prepare` in foilog/static/search.js is its twin): it
lower-cases, folds accents (café -> cafe), drops apostrophes (council's -> councils) and turns everything but
letters and digits into single spaces. After it, lunr.py's and lunr.js's tokenizers split identically, and
lunr's trimmer (which differs between the two) has nothing left to trim, so the index pipeline is just the stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that survive `prepare`: ASCII letters and digits, and the letters of some other scripts.
KEPT_BEYOND_ASCII = ("\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u1100-\u11ff"
                     "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af")
KEPT = "a-z0-9" + KEPT_BEYOND_ASCII
_DROPPED_BEYOND_ASCII = re.compile(f"[^\\x00-\\x7f{KEPT_BEYOND_ASCII}]+")
_MARKS = re.compile("[\u0300-\u036f]+")
_APOSTROPHES = re.compile("[\u2018\u2019\u02bc\u2032]+")
_FOLDED = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_TO_FOLD = re.compile(f"[{''.join(_FOLDED)}]")
# bytes of UTF-8 text: ASCII letters and digits kept, other ASCII becomes a space, bytes of other characters kept
_ASCII_SEPARATORS = bytes.maketrans(
    bytes(range(256)), bytes(c if chr(c).isdigit() or "a" <= chr(c) <= "z" or c >= 128 else 32 for c in range(256)))


def prepare(text: str) -> str:
    """Lower-case words separated by single spaces, as both sides of the search tokenize them."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """`prepare(text)` as a list of words (fast: this runs over every letter's whole text)."""
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text).lower())
        if _TO_FOLD.search(text):
            text = _TO_FOLD.sub(lambda m: _FOLDED[m.group()], text)
        text = _DROPPED_BEYOND_ASCII.sub(" ", _APOSTROPHES.sub("", text))
    else:
        text = text.lower()
    return text.replace("'", "").encode().translate(_ASCII_SEPARATORS).decode().split()


# ---------------------------------------------------------------- lunr.js 2.3.9's stemmer, ported

_STEP2 = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble", "alli": "al",
    "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate", "ator": "ate", "alism": "al",
    "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al", "iviti": "ive", "biliti": "ble",
    "logi": "log",
}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}

_c = "[^aeiou]"
_v = "[aeiouy]"
_C = _c + "[^aeiouy]*"
_V = _v + "[aeiou]*"
_MGR0 = re.compile("^(" + _C + ")?" + _V + _C)
_MEQ1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + r")?\Z")
_MGR1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)
_S_V = re.compile("^(" + _C + ")?" + _v)
_RE_1A = re.compile(r"^(.+?)(ss|i)es\Z")
_RE2_1A = re.compile(r"^(.+?)([^s])s\Z")
_RE_1B = re.compile(r"^(.+?)eed\Z")
_RE2_1B = re.compile(r"^(.+?)(ed|ing)\Z")
_RE2_1B_2 = re.compile(r"(at|bl|iz)\Z")
_RE3_1B_2 = re.compile(r"([^aeiouylsz])\1\Z")
_RE4_1B_2 = re.compile("^" + _C + _v + r"[^aeiouwxy]\Z")
_RE_1C = re.compile(r"^(.+?[^aeiou])y\Z")
_RE_2 = re.compile(r"^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism"
                   r"|iveness|fulness|ousness|aliti|iviti|biliti|logi)\Z")
_RE_3 = re.compile(r"^(.+?)(icate|ative|alize|iciti|ical|ful|ness)\Z")
_RE_4 = re.compile(r"^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)\Z")
_RE2_4 = re.compile(r"^(.+?)(s|t)(ion)\Z")
_RE_5 = re.compile(r"^(.+?)e\Z")
_RE_5_1 = re.compile(r"ll\Z")
_RE3_5 = re.compile("^" + _C + _v + r"[^aeiouwxy]\Z")


@lru_cache(maxsize=1 << 18)
def stem(w: str) -> str:
    """lunr.stemmer of lunr.js 2.3.9, for one prepared word."""
    if len(w) < 3:
        return w
    firstch = w[0]
    if firstch == "y":
        w = "Y" + w[1:]
    # step 1a
    if _RE_1A.search(w):
        w = _RE_1A.sub(r"\1\2", w, count=1)
    elif _RE2_1A.search(w):
        w = _RE2_1A.sub(r"\1\2", w, count=1)
    # step 1b
    match = _RE_1B.search(w)
    if match:
        if _MGR0.search(match.group(1)):
            w = w[:-1]
    else:
        match = _RE2_1B.search(w)
        if match and _S_V.search(match.group(1)):
            w = match.group(1)
            if _RE2_1B_2.search(w):
                w += "e"
            elif _RE3_1B_2.search(w):
                w = w[:-1]
            elif _RE4_1B_2.search(w):
                w += "e"
    # step 1c
    match = _RE_1C.search(w)
    if match:
        w = match.group(1) + "i"
    # steps 2 and 3
    for pattern, suffixes in ((_RE_2, _STEP2), (_RE_3, _STEP3)):
        match = pattern.search(w)
        if match and _MGR0.search(match.group(1)):
            w = match.group(1) + suffixes[match.group(2)]
    # step 4
    match = _RE_4.search(w)
    if match:
        if _MGR1.search(match.group(1)):
            w = match.group(1)
    else:
        match = _RE2_4.search(w)
        if match and _MGR1.search(match.group(1) + match.group(2)):
            w = match.group(1) + match.group(2)
    # step 5
    match = _RE_5.search(w)
    if match:
        rest = match.group(1)
        if _MGR1.search(rest) or (_MEQ1.search(rest) and not _RE3_5.search(rest)):
            w = rest
    if _RE_5_1.search(w) and _MGR1.search(w):
        w = w[:-1]
    if firstch == "y":
        w = "y" + w[1:]
    return w
