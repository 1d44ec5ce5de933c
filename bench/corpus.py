"""A generated archive of realistic FOI response letters, for the search benchmark and the search tests.

Each letter is a `foilog.model.Letter` as the reader would have left it (facts, request, questions with answers,
folded closing sections), so its page body is written by foilog's own `pages.letter_body`. The text mixes a council's
vocabulary across twenty subjects with a long tail of place, street, company and personal names drawn from a Zipf
distribution, numbers, sums of money and dates, so that the vocabulary grows with the archive as a real one does.
The same seed gives the same letters.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from foilog.config import DEFAULT_TOPICS
from foilog.describe import find_topics
from foilog.model import Block, Letter, Question, Section
from foilog.pages import letter_body
from foilog.urls import letter_url, letter_year
from foilog.workdays import working_days_between

CONTENT = Path("content")
AUTHORITY = "London Borough of Eastwick"
ADDRESS = "Town Hall, 1 High Street, Eastwick EW1 1AA"

# subject: (title, request wording, questions, answer sentences, topic words)
SUBJECTS: dict[str, dict[str, list[str]]] = {
    "parking": {
        "titles": ["Parking fines", "Penalty charge notices", "Residents' parking permits", "Parking enforcement",
                   "Pay and display machines"],
        "questions": [
            "How many penalty charge notices were issued in {place} in {year}?",
            "How much income did the council receive from parking fines in each of the last {n} years?",
            "How many parking permits were issued to residents of {street}?",
            "How many appeals against parking fines were successful in {year}?",
            "Which company operates your civil parking enforcement, and what is the contract value?",
            "How many CCTV enforcement cars does the council operate?",
        ],
        "answers": [
            "In {year} the council issued {count} penalty charge notices in {place}.",
            "Parking income was £{money} in {year} and £{money} in {year2}.",
            "{count} residents' permits were issued for {street} in the period requested.",
            "Of {count} appeals heard by the adjudicator, {small} were allowed.",
            "Civil parking enforcement is delivered by {company} under a contract worth £{money} a year.",
            "The council operates {small} CCTV enforcement vehicles, mainly near schools and bus lanes.",
        ],
    },
    "roads": {
        "titles": ["Pothole repairs", "Road resurfacing", "Street lighting", "Winter gritting",
                   "Highway insurance claims"],
        "questions": [
            "How many potholes were reported on {street} in {year}?",
            "How much did the council spend on road resurfacing in {year}?",
            "How many highway insurance claims were paid for vehicle damage caused by potholes?",
            "How many street lights in {place} have been converted to LED?",
            "How many tonnes of grit salt did the council use last winter?",
        ],
        "answers": [
            "{count} potholes were reported on {street}; {small} were repaired within 24 hours.",
            "Resurfacing cost £{money} in {year}, covering {small} kilometres of carriageway.",
            "The council paid {small} claims totalling £{money} for pothole damage to vehicles.",
            "{count} of the {count2} street lights in {place} now use LED lanterns.",
            "The gritting fleet spread {count} tonnes of rock salt between November and March.",
        ],
    },
    "technology": {
        "titles": ["Video conferencing software", "Microsoft licences", "Laptops for staff",
                   "Cyber security incidents", "Website accessibility", "Document management system"],
        "questions": [
            "What video conferencing software does the council use (Zoom, Microsoft Teams, Webex or other)?",
            "How many Microsoft Office 365 licences does the council hold, and at what annual cost?",
            "How many laptops and tablets were purchased for staff in {year}?",
            "How many cyber security incidents or ransomware attacks did the council experience in {year}?",
            "Who supplies your document management system and when does the contract expire?",
            "Has your website been audited for accessibility against WCAG 2.1?",
        ],
        "answers": [
            "The council uses Microsoft Teams for internal meetings and Zoom for public webinars.",
            "We hold {count} Office 365 E3 licences at an annual cost of £{money}.",
            "{count} laptops and {small} tablets were bought from {company} in {year}.",
            "The council recorded {small} cyber security incidents in {year}; none resulted in data loss.",
            "Our document management system is supplied by {company}; the contract expires in {year2}.",
            "The website was audited by {company} in {year} and a statement is published on the website.",
        ],
    },
    "social_care": {
        "titles": ["Agency social workers", "Children in care", "Foster carers", "Safeguarding referrals",
                   "Adult social care packages"],
        "questions": [
            "How many agency social workers were employed by children's services on {date}?",
            "How many children were in the care of the council in {year}, and how many were placed outside the "
            "borough?",
            "How many foster carers were approved in {year}?",
            "How many safeguarding referrals did adult social care receive in {year}?",
            "What was the average weekly cost of a residential care placement for a child in {year}?",
        ],
        "answers": [
            "On {date} children's services employed {small} agency social workers, supplied by {company}.",
            "{count} children were looked after in {year}; {small} were placed outside the borough.",
            "{small} fostering households were approved during {year}.",
            "Adult social care received {count} safeguarding concerns in {year}.",
            "The average weekly cost of a residential placement was £{money}.",
        ],
    },
    "housing": {
        "titles": ["Empty homes", "Temporary accommodation", "Homelessness applications", "Council house repairs",
                   "Damp and mould complaints"],
        "questions": [
            "How many residential properties in {place} have been empty for more than six months?",
            "How many households were living in temporary accommodation on {date}?",
            "How many homelessness applications did the council receive in {year}?",
            "How many complaints about damp and mould in council homes were received in {year}?",
            "What is the average time taken to complete an urgent repair to a council tenancy?",
        ],
        "answers": [
            "{count} properties in {place} had been empty for more than six months on {date}.",
            "On {date} {count} households were in temporary accommodation, {small} of them in bed and breakfast.",
            "The council received {count} homelessness applications in {year}.",
            "{count} damp and mould complaints were logged in {year}; {small} remain open.",
            "Urgent repairs took an average of {small} days to complete in {year}.",
        ],
    },
    "environment": {
        "titles": ["Air quality monitoring", "Tree felling", "Fly-tipping", "Recycling rates", "Flood defences",
                   "Waste collection contract"],
        "questions": [
            "Where are the council's air quality monitoring stations, and what nitrogen dioxide levels were recorded "
            "at {street}?",
            "How many street trees were felled in {place} in {year}, and how many were replanted?",
            "How many fly-tipping incidents were reported in {year}, and how many fixed penalty notices were issued?",
            "What was the household recycling rate in {year}?",
            "How much has the council spent on flood defences along the {river}?",
            "Who holds the waste collection contract and what is its annual value?",
        ],
        "answers": [
            "Nitrogen dioxide at {street} averaged {small} micrograms per cubic metre in {year}.",
            "{count} street trees were removed in {place} and {count2} new trees were planted.",
            "{count} fly-tipping incidents were reported and {small} fixed penalty notices issued.",
            "The household recycling rate was {small} per cent in {year}.",
            "Flood defence works along the {river} cost £{money} between {year} and {year2}.",
            "Waste collection is provided by {company}; the contract is worth £{money} a year.",
        ],
    },
    "finance": {
        "titles": ["Consultancy spend", "Procurement card transactions", "Contract values", "Business rates",
                   "Council tax arrears"],
        "questions": [
            "How much did the council spend on management consultants in {year}?",
            "Please provide a list of procurement card transactions over £{money} in {year}.",
            "What is the value of the council's contract with {company}?",
            "How many businesses in {place} received small business rate relief in {year}?",
            "What was the total value of council tax arrears on {date}?",
        ],
        "answers": [
            "Spend on management consultancy was £{money} in {year}, mostly with {company}.",
            "The attached spreadsheet lists {count} procurement card transactions over £{money}.",
            "The contract with {company} is worth £{money} over {small} years.",
            "{count} businesses in {place} received small business rate relief.",
            "Council tax arrears stood at £{money} on {date}.",
        ],
    },
    "staff": {
        "titles": ["Senior staff salaries", "Sickness absence", "Agency workers", "Gender pay gap",
                   "Redundancy payments"],
        "questions": [
            "How many members of staff earned more than £{money} in {year}?",
            "What was the average number of sickness absence days per employee in {year}?",
            "How much did the council spend on agency workers supplied by {company}?",
            "What is the council's mean gender pay gap?",
            "How many redundancy payments over £{money} were made in {year}?",
        ],
        "answers": [
            "{small} employees earned more than £{money} in {year}.",
            "Sickness absence averaged {small} days per full-time equivalent employee in {year}.",
            "Spend on agency workers from {company} was £{money} in {year}.",
            "The mean gender pay gap was {small} per cent in favour of men.",
            "{small} redundancy payments over £{money} were made in {year}.",
        ],
    },
    "schools": {
        "titles": ["School meals", "Home to school transport", "School exclusions", "Special educational needs",
                   "Free school meals"],
        "questions": [
            "How many pupils in {place} were eligible for free school meals in {year}?",
            "What is the cost of a school meal in primary schools maintained by the council?",
            "How many permanent exclusions were issued by schools in {year}?",
            "How many education, health and care plans were issued within 20 weeks in {year}?",
            "How much did the council spend on home to school transport for pupils with special educational needs?",
        ],
        "answers": [
            "{count} pupils in {place} were eligible for free school meals in {year}.",
            "A primary school meal costs £{pounds}; the catering contract is held by {company}.",
            "Schools issued {small} permanent exclusions in {year}.",
            "{count} education, health and care plans were issued, {small} per cent within 20 weeks.",
            "Home to school transport for pupils with special educational needs cost £{money}.",
        ],
    },
    "licensing": {
        "titles": ["Taxi licensing", "Alcohol licences", "Houses in multiple occupation", "Street trading"],
        "questions": [
            "How many hackney carriage and private hire licences are currently issued?",
            "How many premises licences for the sale of alcohol were granted in {place} in {year}?",
            "How many houses in multiple occupation are licensed on {street}?",
            "How many street trading pitches are there in {place}, and what are the fees?",
        ],
        "answers": [
            "There are {small} hackney carriage and {count} private hire vehicle licences.",
            "{small} premises licences were granted in {place} in {year}.",
            "{small} houses in multiple occupation on {street} hold a licence.",
            "There are {small} street trading pitches in {place}; the annual fee is £{pounds}.",
        ],
    },
    "planning": {
        "titles": ["Planning applications", "Planning enforcement", "Section 106 agreements", "Conservation areas"],
        "questions": [
            "How many planning applications were received for {street} since {year}?",
            "How many planning enforcement complaints were investigated in {year}?",
            "How much section 106 money has been received and not spent?",
            "Which conservation areas have an up-to-date appraisal?",
        ],
        "answers": [
            "{small} planning applications were received for {street}; {small2} were approved.",
            "The planning enforcement team investigated {count} complaints in {year}.",
            "Unspent section 106 contributions totalled £{money} on {date}.",
            "The {place} conservation area appraisal was adopted in {year}.",
        ],
    },
    "leisure": {
        "titles": ["Library ebooks", "Leisure centre usage", "Parks maintenance", "Playground inspections"],
        "questions": [
            "How many ebooks and audiobooks were borrowed from the library service in {year}?",
            "How many visits were made to {place} leisure centre in {year}?",
            "How much did the council spend on maintaining parks in {year}?",
            "How often are playgrounds in {place} inspected?",
        ],
        "answers": [
            "Library members borrowed {count} ebooks and {count2} audiobooks in {year}.",
            "{place} leisure centre recorded {count} visits in {year}; it is run by {company}.",
            "Parks maintenance cost £{money} in {year}.",
            "Playgrounds in {place} are inspected weekly and independently audited each year.",
        ],
    },
    "coronavirus": {
        "titles": ["Covid business grants", "Personal protective equipment", "Working from home",
                   "Vaccination sites"],
        "questions": [
            "How much was paid in covid business support grants in {place}?",
            "How much did the council spend on personal protective equipment during the pandemic?",
            "How many staff were working from home during lockdown?",
            "Which council buildings were used as vaccination sites?",
        ],
        "answers": [
            "Covid business grants of £{money} were paid to {count} businesses in {place}.",
            "PPE purchases totalled £{money}; the main supplier was {company}.",
            "During lockdown around {count} staff worked from home.",
            "{place} library and the {street} community centre were used as vaccination sites.",
        ],
    },
    "energy": {
        "titles": ["Electric vehicle charging points", "Solar panels on council buildings", "Energy bills",
                   "Carbon emissions"],
        "questions": [
            "How many electric vehicle charging points has the council installed on {street}?",
            "How many council buildings have solar panels?",
            "How much did the council pay for gas and electricity in {year}?",
            "What were the council's carbon emissions in {year}?",
        ],
        "answers": [
            "{small} electric vehicle charging points are installed on {street}, operated by {company}.",
            "{small} council buildings have solar panels, generating {count} kilowatt hours a year.",
            "Energy bills came to £{money} in {year}.",
            "The council's own carbon emissions were {count} tonnes in {year}.",
        ],
    },
    "councillors": {
        "titles": ["Councillor expenses", "Gifts and hospitality", "Councillor meetings"],
        "questions": [
            "How much was claimed in councillors' expenses in {year}?",
            "Please provide the register of gifts and hospitality for senior officers for {year}.",
            "Have councillor meetings been held remotely, and are they recorded?",
        ],
        "answers": [
            "Councillors claimed £{money} in expenses in {year}.",
            "The register lists {small} entries for {year}, attached.",
            "Committee meetings are webcast and recordings are kept for {small} months.",
        ],
    },
    "legal": {
        "titles": ["Legal costs", "Employment tribunals", "Data breaches", "Subject access requests"],
        "questions": [
            "How much did the council spend on external legal advice from {company}?",
            "How many employment tribunal claims were brought against the council in {year}?",
            "How many data breaches were reported to the Information Commissioner in {year}?",
            "How many subject access requests were answered within one month in {year}?",
        ],
        "answers": [
            "External legal advice from {company} cost £{money}.",
            "{small} employment tribunal claims were lodged in {year}.",
            "The council reported {small} data breaches to the Information Commissioner's Office in {year}.",
            "{count} subject access requests were received; {small} per cent were answered within one month.",
        ],
    },
}

SYLLABLES = ["ash", "bar", "bel", "bran", "brook", "burn", "cal", "cam", "car", "chester", "cliff", "col", "dale",
             "den", "don", "east", "el", "fair", "fen", "field", "ford", "gate", "glen", "green", "ham", "har",
             "hart", "hay", "hill", "holm", "hurst", "ing", "ken", "kings", "lang", "lea", "ley", "lin", "low",
             "mar", "mead", "mere", "mill", "mor", "nor", "oak", "or", "pen", "ridge", "ros", "sal", "sand", "shaw",
             "stan", "stead", "stock", "stow", "sut", "thorn", "ton", "val", "wal", "well", "west", "wick", "win",
             "wood", "worth"]
STREET_KINDS = ["Road", "Street", "Avenue", "Lane", "Close", "Way", "Gardens", "Crescent", "Grove", "Drive"]
COMPANY_KINDS = ["Ltd", "plc", "Services Ltd", "Solutions", "Group", "Partnership", "Consulting", "Contracts Ltd"]
RIVERS = ["Brent", "Dollis Brook", "Silk Stream", "Pymmes Brook", "River Lea", "Wandle"]
EXEMPTIONS = {
    "refused": [("FOIA s.12", "The cost of locating and extracting the information would exceed the appropriate "
                 "limit of £450 set by section 12 of the Freedom of Information Act."),
                ("FOIA s.14", "The request is considered vexatious under section 14(1) of the Act."),
                ("FOIA s.43(2)", "The information is exempt under section 43(2) because its disclosure would be "
                 "likely to prejudice the commercial interests of {company}."),
                ("FOIA s.31", "Disclosure would prejudice the prevention or detection of crime, so section 31 "
                 "applies.")],
    "partially-successful": [("FOIA s.40(2)", "Names of junior officers have been withheld under section 40(2) as "
                              "personal data."),
                             ("FOIA s.21", "Some of this information is already published on our website, so "
                              "section 21 applies."),
                             ("FOIA s.43(2)", "Unit prices have been withheld under section 43(2) as commercially "
                              "sensitive.")],
}
GENERIC = [
    "Figures are taken from the council's case management system and may include duplicate records.",
    "Please note that figures for {year} are provisional and may change.",
    "The information is held by the {department} service.",
    "We have interpreted your request as covering the financial year {year} to {year2}.",
    "Numbers of fewer than five have been suppressed to protect the identity of individuals.",
    "A breakdown by ward is provided in the attached spreadsheet.",
    "The council does not hold this information in the format requested.",
    "This answer was provided by the {department} team on {date}.",
    "Dear requester, thank you for your patience while we gathered this information.",
    "Officers in the {department} team may be able to help further with queries about this service.",
]
DEPARTMENTS = ["Highways", "Parking Services", "Children's Services", "Adult Social Care", "Housing Needs",
               "Environmental Health", "Finance", "Human Resources", "Digital and IT", "Planning", "Licensing",
               "Libraries", "Legal Services", "Public Health", "Waste and Recycling"]
CLOSING = [
    ("Further information", ["If you are interested in the data that the council holds you may wish to visit "
                             "Open Eastwick, the council's data portal, at https://open.eastwick.example/."]),
    ("Advice and Assistance: Direct Marketing", [
        "If you are a company that intends to use the names and contact details of council officers provided in "
        "this response for direct marketing, you need to be registered with the Information Commissioner to "
        "process personal data for this purpose."]),
    ("Your rights", [
        "If you are unhappy with the way your request for information has been handled, you can request a review "
        "within the next 40 working days by writing to the Information Management Team at foi@eastwick.example.",
        "If, having exhausted our review procedure, you remain dissatisfied, you have a right to appeal to the "
        "Information Commissioner at Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF."]),
]


class Names:
    """Proper nouns from a Zipf distribution over a large pool, so rare names keep appearing as the archive grows."""

    def __init__(self, rng: random.Random, pool: int = 40_000) -> None:
        self.rng = rng
        self.pool = pool
        self.weights = [1 / (rank + 1) for rank in range(pool)]
        self.cumulative = list(_accumulate(self.weights))
        self.cache: dict[int, str] = {}

    def word(self) -> str:
        rank = bisect.bisect_left(self.cumulative, self.rng.random() * self.cumulative[-1])
        if rank not in self.cache:
            seeded = random.Random(rank)
            self.cache[rank] = "".join(seeded.choice(SYLLABLES) for _ in range(seeded.choice((2, 2, 3)))).title()
        return self.cache[rank]


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


class Generator:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.names = Names(self.rng)
        self.references: set[str] = set()

    def fill(self, template: str, year: int) -> str:
        """The template with each {slot} filled in (only the slots it has are drawn)."""
        return template.format_map(_Slots(self, year))

    def slot(self, name: str, year: int) -> str:
        rng, names = self.rng, self.names
        if name == "place":
            return names.word()
        if name == "street":
            return f"{names.word()} {rng.choice(STREET_KINDS)}"
        if name == "company":
            return f"{names.word()} {rng.choice(COMPANY_KINDS)}"
        if name in ("count", "count2"):
            return f"{rng.randint(100, 25_000):,}"
        if name == "money":
            return f"{rng.randint(1_000, 2_500_000):,}"
        if name == "date":
            return _long_date(dt.date(year, rng.randint(1, 12), rng.randint(1, 28)))
        return {
            "river": lambda: rng.choice(RIVERS), "year": lambda: str(year), "year2": lambda: str(year + 1),
            "n": lambda: str(rng.randint(2, 5)), "small": lambda: str(rng.randint(2, 99)),
            "small2": lambda: str(rng.randint(1, 40)), "department": lambda: rng.choice(DEPARTMENTS),
            "pounds": lambda: f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}",
        }[name]()

    def reference(self) -> str:
        while True:
            reference = str(self.rng.randint(4_000_000, 9_999_999))
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def letter(self, number: int) -> Letter:
        rng = self.rng
        key = rng.choice(sorted(SUBJECTS))
        subject = SUBJECTS[key]
        received = dt.date(2016, 1, 4) + dt.timedelta(days=rng.randint(0, 9 * 365))
        responded = received + dt.timedelta(days=rng.choice([2, 5, 9, 14, 20, 25, 27, 28, 30, 35, 45, 60]))
        year = received.year - rng.randint(0, 2)
        reference = self.reference()
        count = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8])
        templates = rng.sample(subject["questions"], min(count, len(subject["questions"])))
        while len(templates) < count:
            templates.append(rng.choice(SUBJECTS[rng.choice(sorted(SUBJECTS))]["questions"]))
        line = 10
        preamble = [Block("para", f"{AUTHORITY}, {ADDRESS} {_long_date(responded)} Our ref: {reference}", 1),
                    Block("para", f"Thank you for your request received on {_long_date(received)}, for the "
                          "following information:", 3)]
        request = [Block("para", rng.choice(["Dear Eastwick Council,", "Dear Sir or Madam,",
                                             "I would like to request the following information:",
                                             "Under the Freedom of Information Act, please provide:"]), 5)]
        outcome = rng.choice(["successful"] * 6 + ["partially-successful"] * 2 + ["refused", "not-held"])
        questions = []
        for index, template in enumerate(templates, start=1):
            text = self.fill(template, year)
            request.append(Block("item", text, line, label=str(index)))
            answer = [Block("para", self.fill(rng.choice(subject["answers"]), year), line + 2)]
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                answer.append(Block("para", self.fill(rng.choice(GENERIC + subject["answers"]), year), line + 3))
            if outcome == "not-held" and rng.random() < 0.6:
                answer = [Block("para", "The council does not hold this information.", line + 2)]
            questions.append(Question(anchor=f"q{index}", text=text, label=str(index), answer=answer, echoed=True))
            line += 6
        exemptions: list[str] = []
        response = [Block("para", "We have processed this request under the Freedom of Information Act 2000.", 8)]
        if outcome in EXEMPTIONS:
            code, explanation = rng.choice(EXEMPTIONS[outcome])
            exemptions.append(code)
            response.append(Block("para", self.fill(explanation, year), 9))
        elif outcome == "successful":
            response.append(Block("para", "The council holds the information requested and the answers to your "
                                  "questions are below.", 9))
        letter = Letter(source="", path=Path(f"generated/{number}.txt"), authority=AUTHORITY,
                        authority_address=ADDRESS, reference=reference, received=received, responded=responded,
                        regime="EIR" if key == "environment" and rng.random() < 0.7 else "FOIA",
                        preamble=preamble, request=request, response=response, questions=questions,
                        numbered_questions=len(questions), exemptions=exemptions, outcome=outcome,  # type: ignore[arg-type]
                        boilerplate=[Section(title, [Block("para", p, 90) for p in paras]) for title, paras in CLOSING])
        letter.working_days = working_days_between(received, responded)
        letter.late = letter.working_days > 20
        letter.title = rng.choice(subject["titles"])
        first = questions[0].text
        letter.summary = f"Questions about {letter.title.lower()}, including: {first}" if len(questions) > 1 \
            else first
        letter.topics = sorted({t for template in [request[0].text, *templates] for t in _topics(template)},
                               key=list(DEFAULT_TOPICS).index)
        letter.body = letter_body(letter)
        letter.page = CONTENT / "letters" / letter_year(letter) / f"{reference}.md"
        return letter


class _Slots(dict):  # type: ignore[type-arg]
    def __init__(self, generator: Generator, year: int) -> None:
        super().__init__()
        self.generator, self.year = generator, year

    def __missing__(self, name: str) -> str:
        return self.generator.slot(name, self.year)


@cache
def _topics(template: str) -> tuple[str, ...]:
    """The topics foilog's reader gives a request with this wording (the filled-in names never match a keyword)."""
    return tuple(find_topics(template, DEFAULT_TOPICS))


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def letters(count: int, seed: int = 1) -> list[Letter]:
    """`count` generated letters (the same ones for the same seed)."""
    generator = Generator(seed)
    return [generator.letter(number) for number in range(count)]


def urls(generated: list[Letter]) -> dict[str, str]:
    """Each generated letter's page URL, keyed as `build()` keys them."""
    return {str(letter.page): letter_url(letter.page, CONTENT) for letter in generated if letter.page}
