"""A made-up archive of any size: letter pages written straight into content/, as a person might write them.

Deterministic for a given seed. Used by the tests of browse pages, statistics, feeds and open data (where the
five example letters are too few to show much), and for measuring build time on large archives:

    .venv/bin/python tests/synthetic.py /tmp/big 10000 && .venv/bin/python build.py --root /tmp/big
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
from pathlib import Path

import yaml

SUBJECTS = {
    "Housing": ["council homes", "housing waiting list", "homeless families", "temporary accommodation", "tenants"],
    "Roads and transport": ["potholes", "parking fines", "road safety", "traffic wardens", "cycle lanes"],
    "Technology and digital": ["software licences", "laptops", "cyber security", "the website", "video calls"],
    "Staff and HR": ["agency workers", "staff sickness", "salaries over 100000", "recruitment", "staff training"],
    "Planning and environment": ["planning applications", "air quality", "trees felled", "flood defences",
                                 "recycling rates"],
    "Children and social care": ["children in care", "fostering", "social workers", "safeguarding referrals",
                                 "adult social care"],
}
EXEMPTIONS = ["FOIA s.12", "FOIA s.21", "FOIA s.31(1)(a)", "FOIA s.40(2)", "FOIA s.43(2)", "EIR reg.12(4)(a)",
              "EIR reg.12(5)(e)", "EIR reg.13"]
OUTCOMES = ["successful", "partially-successful", "refused", "not-held"]
ANSWERS = ["The figures are in the attached spreadsheet.", "We do not hold this information.",
           "This information is withheld under the exemption explained below.", "None."]
ASKS = ["How many {s} were there in each of the last three years?", "What did the council spend on {s} in {y}?",
        "Please provide any policy or guidance on {s}.", "Which suppliers does the council use for {s}?",
        "How many complaints about {s} did you receive?", "Who is responsible for {s} at the council?"]


def add_working_days(start: dt.date, days: int) -> dt.date:
    """Weekdays only (no bank holidays): close enough for made-up dates, and the page states its own count."""
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def letter_page(number: int, rng: random.Random) -> tuple[str, dict[str, object], str]:
    """One made-up letter page: its year folder, its front matter and its body."""
    topic = rng.choice(sorted(SUBJECTS))
    second = rng.choice(sorted(SUBJECTS)) if rng.random() < 0.2 else None
    subject = rng.choice(SUBJECTS[topic])
    received = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
    days = rng.choice([rng.randrange(1, 21)] * 8 + [rng.randrange(21, 60)])
    responded = add_working_days(received, days) if rng.random() > 0.02 else None
    outcome = rng.choices(OUTCOMES, weights=[6, 3, 2, 1])[0]
    exemptions = sorted(rng.sample(EXEMPTIONS, rng.choice([1, 1, 2]))) if outcome in OUTCOMES[1:3] else []
    asks = [rng.choice(ASKS).format(s=subject, y=received.year - 1) for _ in range(rng.randrange(1, 4))]
    meta: dict[str, object] = {
        "title": f"{subject.capitalize()} ({number})", "summary": asks[0], "authority": "Example Council",
        "reference": f"FOI-{number:06d}", "received": received, "responded": responded,
        "regime": "EIR" if any(e.startswith("EIR") for e in exemptions) else "FOIA",
        "working_days": days if responded else None, "late": days > 20 if responded else None,
        "outcome": outcome, "exemptions": exemptions, "topics": [topic] + ([second] if second and second != topic
                                                                          else []),
        "questions": [{"id": f"q{i}", "label": str(i), "text": ask} for i, ask in enumerate(asks, start=1)],
    }
    body = "## Request\n\n" + "\n\n".join(f"**{i}.** {ask}" for i, ask in enumerate(asks, start=1))
    body += f"\n\n## Response\n\nWe have answered your questions about {subject} below.\n\n"
    body += "\n".join(f"{{#q{i} .question}}\n### {i}\\. {ask}\n\n{rng.choice(ANSWERS)}\n"
                      for i, ask in enumerate(asks, start=1))
    return str((responded or received).year), meta, body


def write_archive(root: Path, count: int, seed: int = 5, themes: Path | None = None) -> Path:
    """A project at `root` with `count` made-up letter pages in content/ and no letters in site_src/."""
    rng = random.Random(seed)
    (root / "site_src" / "letters").mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        year, meta, body = letter_page(number, rng)
        page = root / "content" / "letters" / year / f"foi-{number:06d}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
        page.write_text(f"---\n{text}---\n\n{body}", encoding="utf-8")
    if themes is not None:
        shutil.copytree(themes, root / "themes")
    return root


if __name__ == "__main__":
    target, size = Path(sys.argv[1]), int(sys.argv[2])
    repo = Path(__file__).resolve().parents[1]
    write_archive(target, size, themes=repo / "themes")
    (target / "site_src" / "site.toml").write_text('base_url = "https://foi.example.org/"\n', encoding="utf-8")
    print(f"wrote {size} letter pages under {target / 'content'}")
