"""A readable title, a one-sentence summary and topics, all derived from the request."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from .model import Block, Question

STOPWORDS = frozenset((
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "at", "by", "with", "from", "as", "is",
    "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "there",
    "their", "them", "they", "you", "your", "yours", "we", "our", "us", "i", "me", "my", "he", "she", "his",
    "her", "do", "does", "did", "done", "have", "has", "had", "can", "could", "would", "should", "will",
    "shall", "may", "might", "must", "not", "no", "yes", "if", "so", "than", "then", "what", "which", "who",
    "whom", "whose", "when", "where", "why", "how", "much", "many", "any", "all", "some", "each", "every",
    "per", "please", "provide", "tell", "know", "like", "would", "details", "detail", "number", "numbers",
    "information", "info", "council", "councils", "authority", "authorities", "local", "organisation",
    "organisations", "organization", "following", "question", "questions", "request", "requests", "currently",
    "use", "used", "using", "also", "other", "e", "g", "eg", "etc", "i.e", "ie", "about", "into", "over",
    "under", "since", "within", "between", "such", "only", "own", "just", "more", "most", "very", "new",
    "year", "years", "last", "month", "months",
))
_FIRST_PERSON = re.compile(
    r"^(?:under the freedom of information act( 2000)?,?\s*)?(?:i am writing (?:under .+? )?to (?:request|ask)(?: for)?"
    r"|i would (?:like|be grateful)(?: to (?:know|request|ask|receive))?(?: if you could (?:provide|tell me))?"
    r"|i wanted to find out(?: more)?|i wish to (?:request|know)|i am requesting|i request|i'd like to know"
    r"|please (?:can|could) you (?:provide|tell me|confirm|advise|supply|send me)"
    r"|please (?:provide|supply|confirm|send|advise|tell me)"
    r"|could you (?:please )?(?:provide|tell me|confirm|advise)|can you (?:please )?(?:provide|tell me|confirm))"
    r"\s*(?:me\s+)?(?:with\s+)?(?:the following\s+)?(?:information\s+)?(?:on|about|regarding|of|as to)?\s*", re.I)
_NOT_SUBSTANTIVE = re.compile(
    r"(freedom of information act|environmental information regulations|following questions|"
    r"list of questions|answer the following|questions below|as follows:?$|^thank you|^dear\b)", re.I)
_SUBJECT = re.compile(
    r"(?:questions?|request|enquiry|it) (?:relates?|relating|is|are) (?:to|about|regarding|concerning) (?P<a>[^.:?;]+)"
    r"|(?:information|details|data|figures|statistics|records) (?:about|on|regarding|relating to|in relation to|"
    r"concerning|with regard to|in respect of) (?P<b>[^.:?;]+)"
    r"|(?:researching|looking into|interested in|writing about) (?P<c>[^.:?;]+)", re.I)
_QUESTION_OPENING = re.compile(
    r"^(?:how (?:many|much)(?: of)?|what (?:is|are|was|were)(?: the)?|what|which(?: of)?"
    r"|who (?:is|are|supplies|provides)|"
    r"when (?:is|are|does|did)|(?:does|do|did|is|are|has|have|will|can) (?:the council|your (?:council|authority|"
    r"organisation)|you|it)(?: currently)?(?: \w+)?|for (?:each|every)|the number of|details of|a copy of|copies of|"
    r"the use of|the)\s+", re.I)
_YOUR = re.compile(r"^(?:the |your |this )?(?:(?:authority|council|organisation|organization)(?:'s|s'|s)?\s+)", re.I)


def describe(preamble: list[Block], request: list[Block], questions: list[Question]) -> tuple[str, str]:
    """The title and one-sentence summary of a request."""
    texts = [b.text.strip("“”\"‘’ ") for b in request if b.kind != "heading"]
    subject = find_subject([b.text for b in preamble[-3:]] + texts[:3])
    if not subject:
        subject = key_phrase(texts, " ".join(texts[:2]))
    if not subject or len(subject.split()) < 2:
        subject = topic_of(_as_statement(first_sentence(texts))) or subject
    groups = _unique([q.group for q in questions if q.group])
    title = subject or _shorten(first_sentence(texts) or "Request for information", 80)
    if subject and 2 <= len(groups) <= 3:
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
            phrase = re.split(r"\s+(?:since|please|which|that we|from \d|between \d|for the (?:last|past|period))\b|,",
                              phrase)[0]
            phrase = re.sub(r"^the use of\s+", "use of ", phrase, flags=re.I)
            words = phrase.split()
            if 1 <= len(words) <= 12:
                return phrase
    return ""


def key_phrase(texts: list[str], opening: str) -> str:
    """The most telling phrase the request repeats, extended from its first use when short."""
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        tokens = [_fold(t) for t in re.findall(r"[a-z0-9][a-z0-9'\-]*", text.lower())]
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
    best = _extend(best, counts)
    return _original_span(best, texts) or " ".join(best)


def _fold(token: str) -> str:
    """Fold a plural onto its singular, so "meals" and "meal" count as one word."""
    return token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token


def _extend(gram: tuple[str, ...], counts: Counter[tuple[str, ...]]) -> tuple[str, ...]:
    """Grow a phrase by a word either side while most of its uses share that word."""
    while len(gram) < 8:
        floor = max(2, (counts[gram] + 1) // 2)
        longer = [g for g in counts if len(g) == len(gram) + 1 and (g[1:] == gram or g[:-1] == gram)
                  and counts[g] >= floor]
        if not longer:
            return gram
        gram = max(longer, key=lambda g: (counts[g], g))
    return gram


def topic_of(sentence: str) -> str:
    """The subject of a question or request sentence: "How many X did …" -> "X"."""
    text = sentence.strip().rstrip(".?")
    for _ in range(3):
        stripped = _QUESTION_OPENING.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    text = _YOUR.sub("", text)
    text = re.split(r",| \(|\s+(?:and (?:what|how|when|which|whether)|between|since|did|do|does|were|was|are|is|"
                    r"that|which|who|in (?:each|the (?:last|past))|during|for (?:the|each))\b", text)[0].strip()
    words = text.split()
    if not 1 <= len(words) <= 12:
        return ""
    return text


def _original_span(gram: tuple[str, ...], texts: list[str]) -> str:
    pattern = re.compile(r"\b" + r"[^a-z0-9]+".join(re.escape(w) + "s?" for w in gram) + r"\b", re.I)
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
    return [topic for topic, words in taxonomy.items() if _keywords(tuple(words)).search(lowered)]


@cache
def _keywords(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a topic's keywords: each matches at the start of a word, and a keyword
    with a trailing space must match a whole word."""
    alternatives = [re.escape(w.lower().strip()) + (r"(?![a-z0-9])" if w.endswith(" ") else "") for w in words]
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + ")")
