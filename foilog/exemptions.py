"""Exemptions a letter applies, told apart from sections it only mentions, and what each means."""

from __future__ import annotations

import re

from .model import Block

FOIA_MEANINGS: dict[str, str] = {
    "12": "Complying would cost more than the appropriate limit (£450 for councils, £600 for central government).",
    "14": "The request is vexatious, or repeats one already answered.",
    "21": "The information is already reasonably accessible to the requester by other means.",
    "22": "The information is intended for future publication.",
    "22A": "The information comes from an ongoing research programme.",
    "23": "The information was supplied by, or relates to, the security bodies.",
    "24": "Withholding the information is required to safeguard national security.",
    "26": "Disclosure would prejudice defence.",
    "27": "Disclosure would prejudice international relations.",
    "28": "Disclosure would prejudice relations between the UK's administrations.",
    "29": "Disclosure would prejudice the economy.",
    "30": "The information is held for investigations and proceedings by public authorities.",
    "31": "Disclosure would prejudice law enforcement, such as the prevention or detection of crime.",
    "32": "The information is held only in court records.",
    "33": "Disclosure would prejudice audit functions.",
    "34": "Withholding is required to avoid infringing parliamentary privilege.",
    "35": "The information relates to the formulation of government policy.",
    "36": "Disclosure would prejudice the effective conduct of public affairs.",
    "37": "The information concerns communications with the Royal Family or honours.",
    "38": "Disclosure would endanger someone's physical or mental health or safety.",
    "39": "The information is environmental and is handled under the EIR instead.",
    "40": "The information is personal data.",
    "40(1)": "The information is the requester's own personal data (ask for it as a subject access request).",
    "40(2)": "The information is personal data about someone else, and releasing it would breach data protection law.",
    "41": "The information was provided in confidence.",
    "42": "The information is covered by legal professional privilege.",
    "43": "Disclosure would prejudice someone's commercial interests, or reveal a trade secret.",
    "43(1)": "The information is a trade secret.",
    "43(2)": "Disclosure would, or would be likely to, prejudice someone's commercial interests.",
    "44": "Another law prohibits disclosure.",
}
EIR_MEANINGS: dict[str, str] = {
    "12(4)(a)": "The authority does not hold the information.",
    "12(4)(b)": "The request is manifestly unreasonable (for example, too costly or vexatious).",
    "12(4)(c)": "The request is too general, and the authority has offered help to narrow it.",
    "12(4)(d)": "The request is for unfinished documents or material still being completed.",
    "12(4)(e)": "The request is for the authority's internal communications.",
    "12(5)(a)": "Disclosure would harm international relations, defence, national security or public safety.",
    "12(5)(b)": "Disclosure would harm the course of justice or a fair trial.",
    "12(5)(c)": "Disclosure would harm intellectual property rights.",
    "12(5)(d)": "Disclosure would harm the confidentiality of the authority's proceedings.",
    "12(5)(e)": "Disclosure would harm the confidentiality of commercial or industrial information.",
    "12(5)(f)": "Disclosure would harm the interests of the person who volunteered the information.",
    "12(5)(g)": "Disclosure would harm the protection of the environment.",
    "13": "The information is personal data about someone else.",
}
_FOIA_EXEMPT_SECTIONS = {"12", "14", *(str(n) for n in range(21, 45)), "22A"}

_SUB = r"(?:\s?\(\s?[0-9a-z]{1,4}\s?\))*"
_FOIA_REF = re.compile(
    rf"\b(?:sections?|s\.|s(?=\d)|sec\.)\s*(?P<list>\d{{1,2}}A?{_SUB}(?:\s*(?:,|and|&|or)\s*\d{{1,2}}A?{_SUB})*)",
    re.I)
_EIR_REF = re.compile(
    rf"\b(?:regulations?|regs?\.?|r\.)\s*(?P<list>1[23]{_SUB}(?:\s*(?:,|and|&|or)\s*1[23]{_SUB})*)", re.I)
_ONE = re.compile(rf"\d{{1,2}}A?{_SUB}", re.I)
_OTHER_ACT = re.compile(
    r"^\W{0,3}(?:of|under|in)\s+(?:the\s+)?(?!(?:the\s+)?(?:act|regulations)\b)"
    r"(?!freedom of information|foi|environmental information|eir)"
    r"(?:data protection|dpa\b|gdpr|uk gdpr|general data|(?:[\w'()-]+\s){1,6}(?:act|regulations)\b)", re.I)
_APPLY_CUES = re.compile(
    r"exempt|exemption|exception|withh[oe]ld|refus|engag|rel(?:y|ied|ying) (?:on|upon)|appl(?:y|ied|ies|ying)|"
    r"cost limit|appropriate limit|vexatious|neither confirm nor deny|not obliged|redact", re.I)
_NEGATIVE_CUES = re.compile(
    r"(?:does|do|did|would) not (?:apply|engage)|not (?:been )?(?:applied|engaged)|not applicable|"
    r"considered whether|no exemptions?|concluded that .{0,40}(?:does|do) not|have not applied|"
    r"right to|you (?:can|may) (?:complain|appeal|ask)|gives you|entitles you|under section 1\b", re.I)
_APPLY_HEADING = re.compile(r"refus|exempt|exception|withh|redact", re.I)


def find_exemptions(blocks: list[Block], regime: str) -> list[str]:
    """Normalised exemptions the letter applies, e.g. ["FOIA s.40(2)", "EIR reg.12(5)(e)"]."""
    found: set[str] = set()
    heading_applies = False
    for block in blocks:
        if block.kind == "heading":
            heading_applies = bool(_APPLY_HEADING.search(block.text))
            if heading_applies:
                found.update(_references(block.text, regime))
            continue
        for sentence in re.split(r"(?<=[.;!?])\s+(?=[A-Z(])", block.text):
            refs = _references(sentence, regime)
            if not refs or _NEGATIVE_CUES.search(sentence):
                continue
            if _APPLY_CUES.search(sentence) or (heading_applies and len(sentence) < 200):
                found.update(refs)
    return sorted(_most_specific(found))


def _references(text: str, regime: str) -> set[str]:
    refs: set[str] = set()
    for match in _FOIA_REF.finditer(text):
        if _OTHER_ACT.match(text[match.end():match.end() + 40]):
            continue
        for one in _ONE.findall(match.group("list")):
            ref = re.sub(r"\s+", "", one)
            section = re.match(r"\d+A?", ref)
            if section and section.group(0).upper() in _FOIA_EXEMPT_SECTIONS:
                refs.add("FOIA s." + ref)
    for match in _EIR_REF.finditer(text):
        if _OTHER_ACT.match(text[match.end():match.end() + 40]):
            continue
        for one in _ONE.findall(match.group("list")):
            ref = re.sub(r"\s+", "", one).lower()
            if ref == "13" or ref.startswith("13(") or re.match(r"12\((4|5)\)\([a-g]\)", ref):
                refs.add("EIR reg." + ref)
    return refs


def _most_specific(found: set[str]) -> set[str]:
    """Drop "FOIA s.40" when "FOIA s.40(2)" is also applied."""
    return {ref for ref in found if not any(other != ref and other.startswith(ref + "(") for other in found)}


def meaning(exemption: str) -> str:
    """A plain-English line on what an exemption means."""
    law, _, ref = exemption.partition(" ")
    key = ref.removeprefix("s.").removeprefix("reg.")
    table = EIR_MEANINGS if law == "EIR" else FOIA_MEANINGS
    while key:
        if key in table:
            return table[key]
        if "(" not in key:
            break
        key = key[: key.rfind("(")]
    return "An exemption from the duty to disclose."


def legislation_url(exemption: str) -> str:
    law, _, ref = exemption.partition(" ")
    number = re.match(r"(?:s\.|reg\.)(\d+A?)", ref)
    if not number:
        return ""
    if law == "EIR":
        return f"https://www.legislation.gov.uk/uksi/2004/3391/regulation/{number.group(1)}"
    return f"https://www.legislation.gov.uk/ukpga/2000/36/section/{number.group(1)}"
