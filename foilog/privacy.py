"""Stage 5: hold back every letter page that shows personal data the council would not release.

Each page about to be published is scanned, line by line, as it will be published (front matter and body).
A page with findings is left out of the site and every finding is reported with its file, line and rule,
until a person redacts it or sets `personal_data_reviewed: true` in the page's front matter.

The rules look for: personal email addresses, UK phone numbers, National Insurance numbers, NHS numbers,
bank details (sort codes, account numbers, IBANs, card numbers) and names beside job titles. Team mailboxes
(foi@…, info@…) and the Information Commissioner's helpline are not personal data; anything else that may be
published goes in `allow` under `[privacy]` in site.toml. Redacted text ("[REDACTED]", "█████") never matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import Report
from .model import Letter

REVIEWED_KEY = "personal_data_reviewed"
ICO_HELPLINE = "0303 123 1113"
BUILT_IN_ALLOW = (ICO_HELPLINE,)
# Mailbox names (the part before @) of teams rather than people; a mailbox whose words are all here is a role.
ROLE_MAILBOXES = frozenset((
    "foi", "foia", "eir", "foirequests", "freedomofinformation", "info", "information", "enquiries", "enquiry",
    "contact", "contactus", "hello", "help", "helpdesk", "support", "general", "mail", "post", "office", "admin",
    "reception", "switchboard", "team", "services", "service", "customer", "customers", "customerservices",
    "complaints", "complaint", "feedback", "request", "requests", "governance", "informationgovernance",
    "rights", "informationrights", "records", "data", "dataprotection", "protection", "dpo", "privacy",
    "access", "sar", "transparency", "legal", "democratic", "democracy", "standards", "members", "councillors",
    "press", "media", "communications", "comms", "news", "planning", "licensing", "housing", "council", "tax",
    "counciltax", "benefits", "parking", "highways", "roads", "waste", "recycling", "environment",
    "environmental", "health", "social", "care", "children", "adults", "education", "schools", "finance",
    "payments", "accounts", "invoices", "procurement", "hr", "jobs", "recruitment", "payroll", "webmaster",
    "web", "website", "noreply", "donotreply", "no", "reply", "do", "not", "postmaster", "abuse", "security",
    "it", "ict", "digital", "review", "reviews", "internal", "appeals", "ombudsman", "casework", "unit",
))
# Addresses at these domains belong to a person whatever the mailbox is called.
PERSONAL_DOMAINS = frozenset((
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com", "live.com", "live.co.uk",
    "msn.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "aol.co.uk",
    "btinternet.com", "btopenworld.com", "sky.com", "virginmedia.com", "ntlworld.com", "blueyonder.co.uk",
    "talktalk.net", "tiscali.co.uk", "protonmail.com", "proton.me", "gmx.com", "gmx.co.uk", "mail.com",
    "fastmail.com", "zoho.com", "whatdotheyknow.com",
))


@dataclass
class PrivacySettings:
    """`[privacy]` in site.toml."""

    allow: list[str] = field(default_factory=list)
    role_addresses: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=lambda: list(RULES))


@dataclass(frozen=True)
class Finding:
    rule: str
    what: str  # "a UK phone number"
    text: str  # the personal data itself: what to redact
    line: int
    detail: str = ""  # e.g. the job title beside a name


@dataclass(frozen=True)
class Match:
    what: str
    text: str
    start: int
    end: int
    detail: str = ""


# ---------------------------------------------------------------- the stage

Scanner = Callable[[Path, "PrivacySettings"], list["Finding"]]


def hold_back(letters: list[Letter], read: dict[str, Letter], settings: PrivacySettings, report: Report,
              scan: Scanner | None = None) -> tuple[list[Letter], list[Letter]]:
    """Split the letters to publish into (clean or reviewed, held back); report every finding.

    `scan` finds personal data in a page (scan_page, or one that remembers its answers between builds)."""
    publish, held = [], []
    for letter in letters:
        findings = [] if letter.meta.get(REVIEWED_KEY) is True or letter.page is None else \
            (scan or scan_page)(letter.page, settings)
        if not findings:
            publish.append(letter)
            continue
        held.append(letter)
        source = read.get(letter.source)
        for finding in findings:
            _report(finding, letter.page, source, report)
    return publish, held


def _report(finding: Finding, page: Path | None, source: Letter | None, report: Report) -> None:
    letter_line = _line_in(source.text, finding.text) if source is not None else None
    detail = f", {finding.detail}" if finding.detail else ""
    message = (f"personal data: {finding.what} ({mask(finding.text)}{detail}) [rule: {finding.rule}]; "
               "this letter is held back from the site")
    where_in_page = f"its page {page}, line {finding.line}"
    if source is not None and letter_line is not None:
        file, line, redact = source.source, letter_line, f"redact it in the letter (or in {where_in_page})"
    else:
        file, line, redact = str(page), finding.line, "redact it in the page"
    report.error(message, file=file, line=line,
                 hint=f"{redact}; or, after checking that it may be published, add `{REVIEWED_KEY}: true` to the "
                      "page's front matter (or list it in `allow` under [privacy] in site.toml)")


def _line_in(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            return number
    return None


def mask(text: str) -> str:
    """The finding as the report shows it: enough to find it again, not enough to repeat it in a public log."""
    kept = 0
    out = []
    for char in text:
        if char.isalnum():
            out.append(char if kept < 2 else "•")
            kept += 1
        else:
            out.append(char)
    return "".join(out)


# ---------------------------------------------------------------- scanning

_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_NOT_PUBLISHED = {"source_sha256", "derived", "reader_version", "encoding", "reader_warnings", REVIEWED_KEY}


def scan_page(page: Path, settings: PrivacySettings) -> list[Finding]:
    """Every finding in a page as it will be published (markdown escapes undone), with the page's line numbers."""
    return scan_page_text(page.read_text(encoding="utf-8-sig"), settings)


def scan_page_text(text: str, settings: PrivacySettings) -> list[Finding]:
    """`scan_page` for a page's text, already read."""
    return scan_lines(published_lines(text), settings)


def published_lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines of a page that reach the site, with their numbers: not foilog's bookkeeping keys."""
    lines = text.split("\n")
    body_start = 0
    if lines and lines[0].strip() == "---":
        key = ""
        for number, line in enumerate(lines[1:], start=2):
            if line.strip() == "---":
                body_start = number
                break
            match = _FRONT_KEY.match(line)
            key = match.group(1) if match else key
            if key not in _NOT_PUBLISHED:
                yield number, _MARKDOWN_ESCAPE.sub(r"\1", line)
        else:
            return
    if body_start < len(lines):
        body = _MARKDOWN_ESCAPE.sub(r"\1", "\n".join(lines[body_start:]))  # no escape spans a line's end
        yield from enumerate(body.split("\n"), start=body_start + 1)


def scan_text(text: str, settings: PrivacySettings | None = None) -> list[Finding]:
    """Every finding in plain text (a letter as written)."""
    return scan_lines(enumerate(text.split("\n"), start=1), settings or PrivacySettings())


def scan_lines(lines: Iterable[tuple[int, str]], settings: PrivacySettings) -> list[Finding]:
    scanner = _line_scanner(tuple(settings.rules), tuple(settings.allow), tuple(settings.role_addresses))
    numbered = list(lines)
    findings = []
    for index, (number, line) in enumerate(numbered):
        found = scanner(line, numbered[index + 1][1] if index + 1 < len(numbered) else "")
        if found:
            findings += [Finding(name, match.what, match.text, number, match.detail) for name, match in found]
    return findings


_REMEMBERED_LINES = 16384


@cache
def _line_scanner(rules: tuple[str, ...], allow: tuple[str, ...],
                  role_addresses: tuple[str, ...]) -> Callable[[str, str], list[tuple[str, Match]]]:
    """What the rules find in one line (with the line after it), remembered: the same closing paragraphs and
    front matter lines come in page after page."""
    allowed = {allow_key(entry) for entry in (*BUILT_IN_ALLOW, *allow)}
    roles = ROLE_MAILBOXES | {r.lower() for r in role_addresses}
    active = [(name, rule) for name, rule in RULES.items() if name in rules]
    seen: dict[str | tuple[str, str], list[tuple[str, Match]]] = {}  # a line, or (a line, the next) for a line
    # that reads the next: it is then remembered as `_READS_FOLLOWING`

    def scan(line: str, following: str) -> list[tuple[str, Match]]:
        known = seen.get(line)
        if known is None:
            if not reads_following(line):
                return remember(line, find(line, following))
            known = remember(line, _READS_FOLLOWING)
        if known is not _READS_FOLLOWING:
            return known
        pair = seen.get((line, following))
        return pair if pair is not None else remember((line, following), find(line, following))

    def remember(key: str | tuple[str, str], found: list[tuple[str, Match]]) -> list[tuple[str, Match]]:
        if len(seen) >= _REMEMBERED_LINES:
            seen.clear()
        seen[key] = found
        return found

    def find(line: str, following: str) -> list[tuple[str, Match]]:
        found: list[tuple[str, Match]] = []
        taken: list[tuple[int, int]] = []
        for name, rule in active:
            for match in rule(line, roles, following):
                if allow_key(match.text) in allowed or any(match.start < e and s < match.end for s, e in taken):
                    continue
                taken.append((match.start, match.end))
                found.append((name, match))
        return found

    return scan


_READS_FOLLOWING: list[tuple[str, Match]] = []  # (compared by identity)


def allow_key(text: str) -> str:
    """How an allow-list entry and a finding are compared: numbers by their digits, the rest by their words."""
    if "@" in text:
        return text.strip().lower()
    if not re.search(r"[^\W\d_]", text) or re.fullmatch(r"[+\d\s().-]+", text.strip()):
        digits = re.sub(r"\D", "", text)
        if text.strip().startswith("+44"):
            national = digits[2:]
            return national if national.startswith("0") else "0" + national
        return digits
    return " ".join(text.casefold().replace(".", " ").split())


# ---------------------------------------------------------------- the rules

_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]*)@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?![\w-])")


def find_emails(line: str, roles: frozenset[str], following: str) -> Iterator[Match]:
    if "@" not in line:
        return
    for match in _EMAIL.finditer(line):
        mailbox, domain = match.group(1).lower(), match.group(2).lower()
        words = [w for w in re.split(r"[._+\-\d]+", mailbox) if w]
        is_role = mailbox in roles or (bool(words) and all(w in roles for w in words))
        if domain in PERSONAL_DOMAINS or not is_role:
            yield Match("a personal email address", match.group(0), match.start(), match.end())


_DIGITS = re.compile(r"\d\d")  # every number rule needs two digits together: lines without are skipped at once
_NUMBER_START = r"(?<![\w£$€#/.,+-])"
_NUMBER_END = r"(?![\w/-]|[.,]\d)"
_PHONE = re.compile(
    _NUMBER_START + r"(?P<number>(?:\+44\s?(?:\(0\)\s?)?\d{2,5}|\(0\d{2,5}\)|0\d{2,5})(?:[ \u00a0-]?\d{3,6}){1,3})"
    + _NUMBER_END)
_REFERENCE_LABEL = re.compile(
    r"\b(?:ref(?:erence)?|case|request|invoice|order|account|acc|a/c|application|licence|permit|claim|"
    r"policy|serial|id)\b(?: (?:no|number))?\.?\s*[:#]?\s*$", re.I)


def find_phone_numbers(line: str, roles: frozenset[str], following: str) -> Iterator[Match]:
    if not _DIGITS.search(line):
        return
    for match in _PHONE.finditer(line):
        number = match.group("number")
        digits = allow_key(number)
        if len(digits) not in (10, 11) or digits[1] not in "1235789":
            continue
        if _REFERENCE_LABEL.search(line[max(0, match.start() - 30):match.start()]):
            continue
        yield Match("a UK phone number", number, match.start(), match.end())


_NI_NUMBER = re.compile(
    r"(?<![\w])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D](?!\w)", re.I)


def find_ni_numbers(line: str, roles: frozenset[str], following: str) -> Iterator[Match]:
    if not _DIGITS.search(line):
        return
    for match in _NI_NUMBER.finditer(line):
        yield Match("a National Insurance number", match.group(0), match.start(), match.end())


_NHS_NUMBER = re.compile(_NUMBER_START + r"(\d{3})([ -]?)(\d{3})\2(\d{4})" + _NUMBER_END)
_NHS_CONTEXT = re.compile(r"\b(?:NHS|CHI|H&C|health)\b", re.I)


def find_nhs_numbers(line: str, roles: frozenset[str], following: str) -> Iterator[Match]:
    if not _DIGITS.search(line):
        return
    for match in _NHS_NUMBER.finditer(line):
        digits = match.group(1) + match.group(3) + match.group(4)
        if not nhs_checksum_ok(digits):
            continue
        if not match.group(2) and not _NHS_CONTEXT.search(line):
            continue  # ten bare digits are an NHS number only where the line says so
        yield Match("an NHS number", match.group(0), match.start(), match.end())


def nhs_checksum_ok(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and (0 if check == 11 else check) == int(digits[9])


_SORT_CODE = re.compile(_NUMBER_START + r"\d{2}([ -])\d{2}\1\d{2}" + _NUMBER_END + r"|(?<!\d)\d{6}(?!\d)")
_SORT_CODE_LABEL = re.compile(r"\bsort[\s-]?code\b", re.I)
_ACCOUNT_NUMBER = re.compile(r"(?<![\w£$€])\d{8}(?![\w])")
_ACCOUNT_LABEL = re.compile(r"\b(?:account|acc|a/c)\.?\s*(?:no|number|num)?\.?\s*[:#]?\s*$", re.I)
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")
_CARD = re.compile(_NUMBER_START + r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?" + _NUMBER_END)


def find_bank_details(line: str, roles: frozenset[str], following: str) -> Iterator[Match]:
    if not _DIGITS.search(line):
        return
    if _SORT_CODE_LABEL.search(line):
        for match in _SORT_CODE.finditer(line):
            yield Match("a bank sort code", match.group(0), match.start(), match.end())
    for match in _ACCOUNT_NUMBER.finditer(line):
        if _ACCOUNT_LABEL.search(line[max(0, match.start() - 25):match.start()]):
            yield Match("a bank account number", match.group(0), match.start(), match.end())
    for match in _IBAN.finditer(line):
        if iban_checksum_ok(match.group(0)):
            yield Match("an IBAN", match.group(0), match.start(), match.end())
    for match in _CARD.finditer(line):
        if luhn_ok(re.sub(r"\D", "", match.group(0))):
            yield Match("a payment card number", match.group(0), match.start(), match.end())


def iban_checksum_ok(iban: str) -> bool:
    compact = iban.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return len(compact) >= 15 and int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


# Names beside job titles. A name is two or three capitalised words (the first may be an initial), or an
# honorific and a surname; a title is capitalised words ending in a word such as Officer, or "Head of …".
_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Cllr|Councillor|Sir|Dame|Rev|Revd)\.?"
_WORD = r"[A-Z][a-z]*(?:[A-Z][a-z]+)?(?:[-'’][A-Z][a-z]*(?:[A-Z][a-z]+)?)*"
_NAME = (rf"(?<![\w'’-])(?P<name>{_HONORIFIC}\s+(?:[A-Z]\.?\s+)?(?:{_WORD}\s+){{0,2}}{_WORD}"
         rf"|(?:[A-Z]\.?\s+|{_WORD}\s+)(?:{_WORD}\s+)?{_WORD})")
_TITLE_HEADS = (
    "Officer", "Manager", "Director", "Adviser", "Advisor", "Assistant", "Co-ordinator", "Coordinator",
    "Administrator", "Clerk", "Analyst", "Practitioner", "Worker", "Executive", "Consultant", "Solicitor",
    "Lawyer", "Engineer", "Planner", "Inspector", "Surveyor", "Specialist", "Supervisor", "Controller",
    "Secretary", "Auditor", "Accountant", "Caseworker", "Librarian", "Warden", "Architect", "Paralegal",
    "Team Leader", "Team Lead", "Lead",
)
_HEAD_OF = r"(?:Deputy\s+|Assistant\s+)?Head\s+of\s+[A-Z][\w'’-]*(?:\s+(?:and\s+|&\s+|of\s+)?[A-Z][\w'’-]*){0,5}"
_ROLE = r"(?:[A-Z][\w'’/&-]*\s+(?:(?:and|of|for|&)\s+)?){0,5}(?:" + "|".join(_TITLE_HEADS) + r")(?![\w-])"
_ANY_TITLE = re.compile(r"\b(?:Head\s+of|" + "|".join(_TITLE_HEADS) + r")\b")  # lines without are skipped
_TITLE = rf"(?P<title>(?!(?:The|A|An|Our|Your|This|That|Dear|Yours)\b)(?:{_HEAD_OF}|{_ROLE}))"
_SIGN_OFF = r"(?:^[\s>*_#-]*|(?:Yours\s+(?:sincerely|faithfully)|(?:Kind\s+|Best\s+)?[Rr]egards)[,.]?\s+)"
_NAME_THEN_TITLE = re.compile(rf"{_NAME}\s*(?:,|\(|\s[-–—]\s)\s*{_TITLE}")
_TITLE_THEN_NAME = re.compile(rf"{_TITLE}\s*:\s*{_NAME}(?![\w])")
_SIGNATURE = re.compile(rf"{_SIGN_OFF}{_NAME}\s+{_TITLE}")  # "Jane Smith Information Governance Officer"
_NAME_ALONE = re.compile(rf"[\s>*_-]*{_NAME}[\s*_,.]*")
# Capitalised words that are not part of a person's name: teams, places, titles, months, greetings.
_NOT_NAME_WORDS = """
    The A An This That These Those Our Your My His Her Their Its Dear Yours Sincerely Faithfully Regards Kind Best
    Thank Thanks Please Re Subject Date Ref Reference Request Requests Response Contact Information Management
    Governance Team Unit Service Services Council Borough County City District Town Parish London Royal Department
    Directorate Division Section Office Officer Manager Data Protection Rights Freedom Act Regulations
    Environmental Environment Monitoring Legal Democratic Planning Senior Principal Chief Deputy Assistant Acting
    Interim Head Customer Centre Center FOI EIR Commissioner Policy Corporate Strategic Finance Financial Housing
    Highways Transport Education Children Adult Adults Social Care Health Public Records Complaints Compliance
    Resilience Transparency Street Road Avenue Lane House Hall Building Court Square Waste Contract Contracts
    Procurement Parking Enforcement Licensing Library Libraries Schools School Property Estates Revenues Benefits
    Audit Risk Insurance Human Resources Communications Digital Technology Projects Project Programme Trading
    Standards Control Development Climate Emergency Community Communities Safety Neighbourhood Registration
    Electoral Elections Members Member Cabinet Committee Mayor Leader Executive Director Group Business Support
    Operations Operational Programmes Improvement Performance Quality Partnership Partnerships Commissioning
    National Local Government Authority Agency Trust Police Fire Board Ministry Parliament Assembly Welsh Scottish
    English British United Kingdom North South East West Northern Southern Eastern Western Central Greater
    Metropolitan Combined January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Yes No Not None All Any Each Every Both Other New
    Appeals Review Internal External Case Lead Caseworker Caseworkers Solicitor Solicitors Worker Workers
    Customers Residents Resident Tenant Tenants Applicant Requester Requestor Sir Madam
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


def reads_following(line: str) -> bool:
    """Whether what the rules find in a line depends on the line after it: a name alone on its line."""
    return bool(_NAME_ALONE.fullmatch(line))


def find_names_with_titles(line: str, roles: frozenset[str], following: str) -> Iterator[Match]:
    """Names beside titles on the line, and a name alone on its line above a title (a signature block)."""
    if reads_following(line) and following.strip():
        line = f"{line.rstrip()} {following.strip()}"
    if not _ANY_TITLE.search(line):
        return
    for pattern in (_NAME_THEN_TITLE, _TITLE_THEN_NAME, _SIGNATURE):
        for match in pattern.finditer(line):
            words = list(re.finditer(r"\S+", match.group("name")))
            name = person_name([w.group(0) for w in words], title_may_follow=pattern is _SIGNATURE)
            if not name:
                continue
            first = next(i for i, w in enumerate(words) if w.group(0) == name[0])
            start = match.start("name") + words[first].start()
            end = match.start("name") + words[first + len(name) - 1].end()
            title = " ".join([w.group(0) for w in words[first + len(name):]] + match.group("title").split())
            yield Match("a name beside a job title", line[start:end], start, end, title)


def person_name(words: list[str], title_may_follow: bool = False) -> list[str]:
    """The words that are a person's name, or [] when they are a team, a place or a title.

    Leading words such as "Regards" or "Contact" are dropped; when a title may follow the name directly (a
    signature: "Jane Smith Information Governance Officer"), the name ends where the title's words begin.
    """
    while words and words[0].strip(".,") in _NOT_NAMES:
        words = words[1:]
    cut = next((i for i, w in enumerate(words) if i and w.strip(".,") in _NOT_NAMES), len(words))
    if cut < len(words) and not title_may_follow:
        return []
    words = words[:cut]
    if not words:
        return []
    if re.fullmatch(_HONORIFIC, words[0]):
        return words if len(words) >= 2 else []
    if len(words) < 2 or all(len(w.strip(".")) == 1 for w in words):
        return []
    return words


Rule = Callable[[str, frozenset[str], str], Iterator[Match]]  # (line, role mailboxes, the line after it)
RULES: dict[str, Rule] = {
    "email": find_emails,
    "phone": find_phone_numbers,
    "ni-number": find_ni_numbers,
    "nhs-number": find_nhs_numbers,
    "bank-details": find_bank_details,
    "name-with-job-title": find_names_with_titles,
}
