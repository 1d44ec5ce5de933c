"""A readable title, a one-sentence summary and topics, all derived from the request."""

from __future__ import annotations

import re
from collections import Counter

from .model import Block, Question

STOPWORDS = frozenset(
    "a an the and or of to in on for at by with from as is are was were be been being it its this that "
    "these those there their them they you your yours we our us i me my he she his her do does did done "
    "have has had can could would should will shall may might must not no yes if so than then what which "
    "who whom whose when where why how much many any all some each every per please provide tell know "
    "like would details detail number numbers information info council councils authority authorities "
    "local organisation organisations organization following question questions request requests "
    "currently use used using also other e g eg etc i.e ie about into over under since within between "
    "such only own just more most very new year years last month months".split())
_FIRST_PERSON = re.compile(
    r"^(?:under the freedom of information act( 2000)?,?\s*)?(?:i am writing (?:under .+? )?to (?:request|ask)(?: for)?"
    r"|i would (?:like|be grateful)(?: to (?:know|request|ask|receive))?(?: if you could (?:provide|tell me))?"
    r"|i wanted to find out(?: more)?|i wish to (?:request|know)|i am requesting|i request|i'd like to know"
    r"|please (?:can|could) you (?:provide|tell me|confirm|advise|supply|send me)|please (?:provide|supply|confirm|send|advise|tell me)"
    r"|could you (?:please )?(?:provide|tell me|confirm|advise)|can you (?:please )?(?:provide|tell me|confirm))"
    r"\s*(?:me\s+)?(?:with\s+)?(?:the following\s+)?(?:information\s+)?(?:on|about|regarding|of|as to)?\s*", re.I)
_NOT_SUBSTANTIVE = re.compile(
    r"(freedom of information act|environmental information regulations|following questions|"
    r"list of questions|answer the following|questions below|as follows:?$|^thank you|^dear\b)", re.I)
_SUBJECT = re.compile(
    r"(?:questions?|request|enquiry|it) (?:relates?|relating|is|are) (?:to|about|regarding|concerning) (?P<a>[^.:?;]+)"
    r"|(?:information|details|data|figures|statistics|records) (?:about|on|regarding|relating to|in relation to|"
    r"concerning|with regard to|in respect of) (?P<b>[^.:?;]+)", re.I)
_YOUR = re.compile(r"^(?:the |your |this )?(?:(?:authority|council|organisation|organization)(?:'s|s'|s)?\s+)", re.I)


def describe(preamble: list[Block], request: list[Block], questions: list[Question]) -> tuple[str, str]:
    """The title and one-sentence summary of a request."""
    texts = [b.text for b in request if b.kind != "heading"]
    subject = find_subject([b.text for b in preamble[-1:]] + texts[:3])
    if not subject:
        subject = key_phrase(texts, " ".join(texts[:2]))
    groups = _unique([q.group for q in questions if q.group] + [b.text for b in request if b.kind == "heading"])
    title = subject or _shorten(first_sentence(texts) or "Request for information", 80)
    if groups and subject and len(groups) <= 3:
        title = f"{subject}: " + _join_words([g.lower() if not g.isupper() else g for g in groups])
    summary = _as_statement(first_sentence(texts) or title)
    if len(summary.split()) < 7 and questions:
        about = summary.rstrip(".")
        about = about if about.lower().startswith("questions") else f"Questions about {about}"
        summary = f"{about}, including: {questions[0].text}"
    return _sentence_case(_shorten(title, 110)), _shorten(summary, 220)


def find_subject(texts: list[str]) -> str:
    for text in texts:
        for match in _SUBJECT.finditer(text):
            phrase = (match.group("a") or match.group("b") or "").strip(" ,")
            if re.search(r"\bfollowing\b|\bbelow\b", phrase, re.I):
                continue
            phrase = _YOUR.sub("", phrase)
            phrase = re.sub(r"^(?:the|your|a|an)\s+", "", phrase, flags=re.I)
            phrase = re.split(r"\s+(?:since|please|from \d|between \d|for the (?:last|past|period))\b|,", phrase)[0]
            words = phrase.split()
            if 1 <= len(words) <= 9:
                return phrase
    return ""


def key_phrase(texts: list[str], opening: str) -> str:
    """The most telling phrase the request repeats, extended from its first use when short."""
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        tokens = re.findall(r"[a-z0-9][a-z0-9'\-]*", text.lower())
        seen: set[tuple[str, ...]] = set()
        for size in range(2, 9):
            for start in range(len(tokens) - size + 1):
                gram = tuple(tokens[start:start + size])
                if gram[0] in STOPWORDS or gram[-1] in STOPWORDS or gram in seen:
                    continue
                seen.add(gram)
                counts[gram] += 1
    repeated = [(g, c) for g, c in counts.items() if c >= 2]
    if not repeated:
        return ""
    best = max(repeated, key=lambda gc: (gc[1] * sum(w not in STOPWORDS for w in gc[0]), len(gc[0])))[0]
    return _original_span(best, texts) or " ".join(best)


def _original_span(gram: tuple[str, ...], texts: list[str]) -> str:
    pattern = re.compile(r"\b" + r"[^a-z0-9]+".join(re.escape(w) for w in gram) + r"\b", re.I)
    for text in texts:
        match = pattern.search(text)
        if match:
            span = match.group(0)
            if span.count("(") != span.count(")"):
                span = span.replace("(", "").replace(")", "")
            return span
    return ""


def first_sentence(texts: list[str]) -> str:
    for text in texts:
        for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z])", text):
            sentence = sentence.strip()
            if len(sentence.split()) >= 4 and not _NOT_SUBSTANTIVE.search(sentence):
                return sentence
    return ""


def _as_statement(sentence: str) -> str:
    stripped = _FIRST_PERSON.sub("", sentence).strip()
    if stripped and stripped != sentence and len(stripped.split()) >= 3:
        sentence = stripped
    sentence = re.sub(r"^my questions relate to\s+", "Questions about ", sentence, flags=re.I)
    sentence = _YOUR.sub("", sentence.strip())
    sentence = re.sub(r"[,\s]+please(?=[.?!]?$)", "", sentence, flags=re.I)
    sentence = re.sub(r"[:;,]$", ".", sentence)
    sentence = sentence[0].upper() + sentence[1:] if sentence else sentence
    return sentence if re.search(r"[.?!…]$", sentence) else sentence + "."


def _shorten(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:(-")
    return cut + "…"


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def find_topics(text: str, taxonomy: dict[str, list[str]]) -> list[str]:
    """Topics whose keywords occur in the text (a keyword matches at the start of a word)."""
    lowered = text.lower()
    return [topic for topic, words in taxonomy.items()
            if any(re.search(r"(?<![a-z0-9])" + re.escape(w.lower().strip()), lowered) for w in words)]
