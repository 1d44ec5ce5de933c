"""Property-based tests of the letter reader (hypothesis), on arbitrary bytes, letter-shaped text and real letters
mutated: reading and understanding a file either gives a letter or raises FoilogError, never anything else
(10,000 examples, each small so that the run stays short), and the page written from any letter can be read
back, rendered (as markdown-it renders it) and scanned (1,000 examples: writing YAML is the slow part).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foilog.config import SiteConfig
from foilog.errors import FoilogError, Report
from foilog.markdown import parser, render
from foilog.model import Letter
from foilog.pages import dump_page, front_matter, letter_body, split_page
from foilog.privacy import scan_text
from foilog.read import letter_from_bytes
from foilog.understand import understand

from .helpers import EXAMPLE_LETTERS, LETTER_FIXTURES

EXAMPLES = 10_000
PAGE_EXAMPLES = 1_000
REAL_LETTERS = [p.read_bytes() for p in sorted([*EXAMPLE_LETTERS.glob("*.txt"), *LETTER_FIXTURES.glob("*.txt")])]
CONFIG = SiteConfig(authority="Testshire County Council")
PATH = Path("site_src/letters/letter.txt")

# Examples are built from one string of random bytes each (hypothesis draws and shrinks it as a whole), which
# keeps generating them much cheaper than checking them.

# ---------------------------------------------------------------- letter-shaped text

WORDS = [
    "Council", "London Borough of Barnet", "Our ref:", "Your ref:", "Reference:", "FOI", "EIR 22/1304", "Dear Sir,",
    "Thank you for your request received on", "for the following information:", "You asked:", "Response",
    "Our response", "We have processed this request under the Freedom of Information Act 2000.",
    "Environmental Information Regulations", "section 40(2)", "s.43(2)", "regulation 12(5)(e)", "reg.13",
    "section 12", "exempt", "not held", "does not hold", "Yours sincerely", "Your rights", "Internal review",
    "Information Commissioner", "0303 123 1113", "foi@barnet.gov.uk", "jane.smith@gmail.com", "£1,234.56",
    "1.", "2)", "(a)", "Q1", "Question 3:", "- o", "- *", "**", "***", "#### **", "\\*", ":::", "{#q1}", "<script>",
    "17 April 2020", "31 February 2021", "1 January 99999", "29/02/2023", "2020-04-17", "Monday 3rd May 2021",
    "0", "99999999999999999999", "\t", "\u202e", "\u00a0", "é", "“", "”", "–", "\ufeff", "\x0c", "\\", "x" * 300,
    "Jane Smith", "Information Governance Officer", "AB 12 34 56 C", "943 476 5919", "[REDACTED]", "█", "\x81",
]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1"]


def letter_from_entropy(entropy: bytes) -> bytes:
    """Words of letters, line breaks and stray characters, in an order and encoding the bytes choose."""
    parts = []
    for byte in entropy[1:]:
        if byte < len(WORDS):
            parts.append(WORDS[byte])
        elif byte < 200:
            parts.append("\n" * (byte % 3 + 1))
        else:
            parts.append(chr(byte * 37 % 0x2FFF + 32))
    text = " ".join(parts)
    return text.encode(ENCODINGS[entropy[0] % len(ENCODINGS)] if entropy else "utf-8", errors="replace")


LETTER_SHAPED = st.binary(max_size=200).map(letter_from_entropy)

# ---------------------------------------------------------------- real letters, cut down and mutated


def mutate(letter: int, entropy: bytes) -> bytes:
    """A window of up to 40 lines of a real letter (small examples are fast), with lines deleted, repeated,
    swapped or inserted, bytes flipped and the end cut off, as the bytes choose."""
    lines = REAL_LETTERS[letter].split(b"\n")
    steps = iter(entropy)
    start = next(steps, 0) * len(lines) // 256
    lines = lines[start:start + next(steps, 40) % 40 + 1]
    for action, where, value in zip(steps, steps, steps, strict=False):
        index = where % len(lines) if lines else 0
        if action % 6 == 0 and lines:
            del lines[index]
        elif action % 6 == 1 and lines:
            lines.insert(index, lines[index])
        elif action % 6 == 2:
            lines.insert(index, WORDS[value % len(WORDS)].encode())
        elif action % 6 == 3 and lines:
            other = value % len(lines)
            lines[index], lines[other] = lines[other], lines[index]
        elif action % 6 == 4 and lines and lines[index]:
            line = bytearray(lines[index])
            line[value % len(line)] = action
            lines[index] = bytes(line)
        elif action % 6 == 5:
            joined = b"\n".join(lines)
            lines = joined[:len(joined) * value // 255].split(b"\n")
    return b"\n".join(lines)


MUTATED = st.tuples(st.integers(0, len(REAL_LETTERS) - 1), st.binary(max_size=32)).map(lambda args: mutate(*args))
ANY_LETTER = st.one_of(st.binary(max_size=400), LETTER_SHAPED, MUTATED)


def read_and_understand(data: bytes) -> Letter:
    """What a build does with one letter file's bytes. Raises FoilogError for a file that is not a letter."""
    letter = letter_from_bytes(data, PATH, "letters/letter.txt")
    return understand(letter, CONFIG, Report())


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ANY_LETTER)
def test_the_reader_returns_a_letter_or_raises_foilog_error(data: bytes) -> None:
    try:
        letter = read_and_understand(data)
    except FoilogError as exc:
        assert exc.file and exc.message and exc.hint, "a FoilogError must name the file and say what to do"
        return
    assert isinstance(letter, Letter)
    assert letter.outcome in ("successful", "partially-successful", "refused", "not-held")
    assert "\r" not in letter.text


@settings(max_examples=PAGE_EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ANY_LETTER)
def test_the_page_of_any_letter_reads_back_renders_and_scans(data: bytes) -> None:
    try:
        letter = read_and_understand(data)
    except FoilogError:
        return
    meta, body = split_page(dump_page(front_matter(letter), letter_body(letter)), PATH)
    assert meta["source_sha256"] == letter.sha256 and meta["title"] == letter.title
    assert meta["questions"] == [{"id": q.anchor, "label": q.label, "text": q.text} for q in letter.questions]
    assert render(body) == parser().render(body)  # what pages.py writes is rendered without markdown-it: the same
    scan_text(letter.text)
