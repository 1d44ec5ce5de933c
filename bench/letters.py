"""Generated FOI response letters as plain text, the way councils export them, for the build benchmark.

Each letter has a letterhead, a date and a reference, the date the request was received, numbered questions
(echoed in the response with their answers), sometimes an exemption, and the standard closing sections. The text
mixes twelve subjects' vocabulary with a long tail of names (streets, places, companies) drawn from a Zipf
distribution, numbers, sums of money and dates, so the vocabulary grows with the archive as a real one does.
The same seed and count give the same letters, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

AUTHORITY_LINES = ["London Borough of Eastwick,", "Town Hall,", "1 High Street,", "Eastwick EW1 1AA"]

SUBJECTS: dict[str, tuple[list[str], list[str]]] = {
    # subject: (questions, answers); {placeholders} are filled from the long tail
    "parking": ([
        "How many penalty charge notices were issued on {street} in {year}?",
        "How much income did the council receive from parking fines in each of the last {small} years?",
        "How many residents' parking permits were issued in {place} in {year}?",
        "Which company operates civil parking enforcement for the council, and what is the contract value?",
        "How many appeals against parking fines were successful in {year}?",
    ], [
        "In {year} the council issued {count} penalty charge notices on {street}.",
        "Parking income was £{money} in {year} and £{money2} the year after.",
        "{count} permits were issued to residents of {place}.",
        "Civil parking enforcement is delivered by {company} under a contract worth £{money} a year.",
        "Of {count} appeals, {small} were allowed by the adjudicator.",
    ]),
    "roads": ([
        "How many potholes were reported on {street} in {year}, and how many were repaired within 24 hours?",
        "How much did the council spend on road resurfacing in {place} in {year}?",
        "How many highway insurance claims for vehicle damage were paid in {year}?",
        "How many street lights in {place} have been converted to LED lanterns?",
    ], [
        "{count} potholes were reported on {street}; {small} were repaired within 24 hours.",
        "Resurfacing in {place} cost £{money}, covering {small} kilometres of carriageway.",
        "The council paid {small} claims totalling £{money} for damage caused by potholes.",
        "{count} of the street lights in {place} now use LED lanterns.",
    ]),
    "technology": ([
        "What video conferencing software does the council use, such as Zoom, Microsoft Teams or Webex?",
        "How many Microsoft Office 365 licences does the council hold, and at what annual cost?",
        "How many laptops and tablets were purchased for staff in {year}?",
        "How many cyber security incidents did the council record in {year}?",
        "Who supplies the council's document management system, and when does the contract expire?",
    ], [
        "The council uses Microsoft Teams for internal meetings and Zoom for public webinars.",
        "The council holds {count} Office 365 licences at an annual cost of £{money}.",
        "{count} laptops and {small} tablets were bought from {company} in {year}.",
        "{small} incidents were recorded in {year}; none led to a loss of personal data.",
        "The document management system is supplied by {company}; the contract ends on {date}.",
    ]),
    "housing": ([
        "How many households were placed in temporary accommodation in {place} in {year}?",
        "How many council homes have been empty for more than six months?",
        "How many reports of damp and mould in council homes were received in {year}?",
        "How much did the council spend on bed and breakfast accommodation in {year}?",
    ], [
        "{count} households were placed in temporary accommodation in {year}.",
        "{small} council homes in {place} have been empty for more than six months.",
        "The council received {count} reports of damp and mould; {small} remain open.",
        "Spending on bed and breakfast accommodation was £{money} in {year}.",
    ]),
    "social care": ([
        "How many children were in the care of the council on 31 March {year}?",
        "How many foster carers were approved by the council in {year}?",
        "How many social workers did the council employ, and how many were agency staff?",
        "How many safeguarding referrals for adults were received in {year}?",
    ], [
        "On 31 March {year} the council looked after {count} children.",
        "{small} foster carers were approved in {year}.",
        "The council employed {count} social workers, of whom {small} were agency staff.",
        "{count} adult safeguarding referrals were received in {year}.",
    ]),
    "waste": ([
        "How many missed bin collections were reported on {street} in {year}?",
        "What percentage of household waste was recycled in {year}?",
        "How many fly-tipping incidents were recorded in {place} in {year}?",
        "Which contractor collects household waste, and what is the value of the contract?",
    ], [
        "{count} missed collections were reported on {street} in {year}.",
        "{small} per cent of household waste was recycled or composted in {year}.",
        "{count} fly-tipping incidents were recorded in {place}; {small} led to fixed penalty notices.",
        "Household waste is collected by {company} under a contract worth £{money} a year.",
    ]),
    "planning": ([
        "How many planning applications were received for {street} in {year}?",
        "How many planning enforcement complaints were investigated in {place}?",
        "How many tree preservation orders were made in {year}?",
        "How many planning appeals were allowed by the Planning Inspectorate in {year}?",
    ], [
        "{count} planning applications were received for {street} in {year}.",
        "{small} enforcement complaints were investigated in {place}.",
        "The council made {small} tree preservation orders in {year}.",
        "{small} appeals were allowed and {count} dismissed by the Planning Inspectorate.",
    ]),
    "finance": ([
        "How much did the council spend with {company} in {year}?",
        "What was the council's total spend on consultants in {year}?",
        "How many invoices were paid later than 30 days in {year}?",
        "What is the value of the council's contract with {company}?",
    ], [
        "The council spent £{money} with {company} in {year}.",
        "Spending on consultants was £{money} in {year}.",
        "{count} invoices were paid later than 30 days, {small} per cent of the total.",
        "The contract with {company} is worth £{money} over {small} years.",
    ]),
    "staff": ([
        "How many staff were paid more than £100,000 in {year}?",
        "How many staff left the council in {year}, and what was the turnover rate?",
        "How much did the council spend on agency workers in {year}?",
        "How many days were lost to staff sickness absence in {year}?",
    ], [
        "{small} members of staff were paid more than £100,000 in {year}.",
        "{count} staff left in {year}, a turnover rate of {small} per cent.",
        "Spending on agency workers was £{money} in {year}.",
        "{count} working days were lost to sickness absence in {year}.",
    ]),
    "environment": ([
        "What were the nitrogen dioxide readings at the monitoring station on {street} in {year}?",
        "How many trees did the council plant in {place} in {year}?",
        "What flood defence works are planned along the {river}?",
        "How much carbon did the council's buildings emit in {year}?",
    ], [
        "The annual mean nitrogen dioxide reading on {street} was {small} micrograms per cubic metre.",
        "The council planted {count} trees in {place} in {year}.",
        "Works along the {river} will cost £{money} and are due to finish on {date}.",
        "The council's buildings emitted {count} tonnes of carbon dioxide in {year}.",
    ]),
    "schools": ([
        "How many applications for school places in {place} were received for September {year}?",
        "How many children with education, health and care plans live in the borough?",
        "How much was spent on home to school transport in {year}?",
    ], [
        "{count} applications were received for places in {place} for September {year}.",
        "{count} children and young people have an education, health and care plan.",
        "Home to school transport cost £{money} in {year}.",
    ]),
    "libraries": ([
        "How many books were borrowed from {place} library in {year}?",
        "What are the opening hours of the libraries in {place}?",
        "How many library visits were recorded in {year}?",
    ], [
        "{count} books were borrowed from {place} library in {year}.",
        "{place} library opens from 9am to 5pm, Monday to Saturday.",
        "Libraries recorded {count} visits in {year}.",
    ]),
}

SYLLABLES = ["ash", "bury", "cot", "dene", "ford", "gate", "ham", "ley", "mere", "ton", "wick", "wood", "brook",
             "field", "stead", "well", "bourne", "combe", "hurst", "low", "marsh", "moor", "ridge", "thorn", "vale"]
STARTS = ["Al", "Bar", "Carl", "Dun", "El", "Fen", "Gar", "Hal", "Kel", "Lang", "Mar", "Nor", "Ock", "Pen", "Red",
          "Sal", "Tan", "Ux", "Wal", "Yar", "Brad", "Chel", "Dor", "Glen", "Hat", "Lyn", "Mill", "Oak", "Stan", "Wes"]
STREET_KINDS = ["Road", "Street", "Avenue", "Lane", "Close", "Crescent", "Way", "Gardens", "Grove", "Hill"]
COMPANY_KINDS = ["Ltd", "Services Ltd", "Group plc", "Partnership", "Solutions Ltd", "Contracting Ltd"]
RIVERS = ["River Brent", "River Wandle", "Silk Stream", "Dollis Brook", "River Lea", "Pymmes Brook"]
EXEMPTIONS = [
    ("The names of junior officers are withheld under section 40(2) of the Act: this is personal data, and "
     "disclosing it would breach the data protection principles.", "partially-successful"),
    ("The contract prices are withheld under section 43(2) of the Act, as disclosure would be likely to prejudice "
     "the commercial interests of the council and of {company}.", "partially-successful"),
    ("We are refusing this request under section 12 of the Act: finding the information would exceed the "
     "appropriate limit of £450.", "refused"),
    ("This information is exempt under section 21 of the Act, as it is reasonably accessible to you on the "
     "council's website. We are therefore refusing your request.", "refused"),
]
CLOSING = "\n\n".join([
    "Your rights",
    "If you are unhappy with the way your request for information has been handled, you can request a review "
    "within the next 40 working days by writing to the Information Management Team at foi@eastwick.gov.uk.",
    "If, having exhausted our review procedure, you remain dissatisfied with the handling of your request, you will "
    "have a right to appeal to the Information Commissioner at: The Information Commissioner's Office, Wycliffe "
    "House, Water Lane, Wilmslow, Cheshire, SK9 5AF (telephone: 0303 123 1113; website www.ico.org.uk). There is no "
    "charge for making an appeal.",
    "Copyright and re-use",
    "The information supplied to you is owned by the council and is subject to copyright. You may re-use it under "
    "the Open Government Licence, provided you acknowledge the source.",
]) + "\n"


class Names:
    """Invented place and company names, used with Zipf-like frequency: a few often, most rarely."""

    def __init__(self, rng: random.Random, size: int) -> None:
        self.rng = rng
        self.words = sorted({rng.choice(STARTS) + rng.choice(SYLLABLES) + rng.choice(["", "", rng.choice(SYLLABLES)])
                             for _ in range(size)})
        rng.shuffle(self.words)
        self.weights = [1 / (rank + 1) for rank in range(len(self.words))]

    def pick(self) -> str:
        return self.rng.choices(self.words, self.weights)[0]


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class LetterWriter:
    def __init__(self, seed: int, count: int) -> None:
        self.rng = random.Random(seed)
        self.names = Names(self.rng, max(200, count // 2))
        self.references: set[int] = set()

    def fill(self, template: str, year: int) -> str:
        rng = self.rng
        return template.format(
            street=f"{self.names.pick()} {rng.choice(STREET_KINDS)}", place=self.names.pick(),
            company=f"{self.names.pick()} {rng.choice(COMPANY_KINDS)}", river=rng.choice(RIVERS), year=year,
            small=rng.randint(2, 99), count=f"{rng.randint(100, 25_000):,}", money=f"{rng.randint(1_000, 2_500_000):,}",
            money2=f"{rng.randint(1_000, 2_500_000):,}",
            date=long_date(dt.date(year + 1, rng.randint(1, 12), rng.randint(1, 28))))

    def reference(self) -> int:
        while True:
            reference = self.rng.randint(4_000_000, 9_999_999)
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def letter(self) -> str:
        rng = self.rng
        subject = rng.choice(sorted(SUBJECTS))
        questions_of, answers_of = SUBJECTS[subject]
        received = dt.date(2016, 1, 4) + dt.timedelta(days=rng.randint(0, 9 * 365))
        responded = received + dt.timedelta(days=rng.choice([1, 2, 5, 9, 14, 20, 25, 27, 28, 30, 35, 45]))
        year = received.year - rng.randint(0, 2)
        count = rng.choice([1, 2, 2, 3, 3, 3, 4, 5, 6])
        picked = rng.sample(range(len(questions_of)), min(count, len(questions_of)))
        questions = [self.fill(questions_of[i], year) for i in picked]
        law = "the Environmental Information Regulations 2004" if subject == "environment" and rng.random() < 0.7 \
            else "the Freedom of Information Act 2000"
        exemption = rng.choice(EXEMPTIONS) if rng.random() < 0.25 else None
        lines = ["", *AUTHORITY_LINES, long_date(responded), f"Our ref: {self.reference()}", "",
                 f"Thank you for your request received on {long_date(received)}, for the following information:", ""]
        lines += [rng.choice(["Under the Freedom of Information Act, please provide the following.",
                              f"I am researching {subject} in {self.names.pick()} and would like to know:",
                              "Please could you tell me:"]), ""]
        lines += [line for n, q in enumerate(questions, 1) for line in (f"{n}. {q}", "")]
        lines += [f"We have processed this request under {law}.", "", "Response", ""]
        if exemption and exemption[1] == "refused":
            lines += [self.fill(exemption[0], year), ""]
        else:
            lines += ["The council holds the information requested and the answers to your questions are below.", ""]
            for n, (index, question) in enumerate(zip(picked, questions, strict=True), 1):
                lines += [f"{n}. {question}", "", self.fill(answers_of[index], year), ""]
                for _ in range(rng.choice([0, 0, 1, 2])):
                    lines += [self.fill(rng.choice(answers_of), year), ""]
            if exemption:
                lines += [self.fill(exemption[0], year), ""]
        return "\n".join(lines) + "\n" + CLOSING


def write_letters(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Write `count` letters into `folder` (made afresh), a hundred to a subfolder as archives keep them."""
    writer = LetterWriter(seed, count)
    written = []
    for number in range(count):
        path = folder / f"{number // 100:03d}" / f"letter-{number:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(writer.letter(), encoding="utf-8")
        written.append(path)
    return written
