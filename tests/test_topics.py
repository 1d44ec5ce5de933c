"""Topics: keywords from the taxonomy matched against the request, at the start of a word."""

from __future__ import annotations

import pytest

from foilog.config import SiteConfig
from foilog.describe import find_topics

TAXONOMY = {"Roads": ["pothole", "road safety"], "Licences": ["licen"], "AI": ["ai "]}


@pytest.mark.parametrize(("text", "topics"), [
    ("How many potholes were reported?", ["Roads"]),
    ("POTHOLE repairs", ["Roads"]),
    ("Road Safety schemes", ["Roads"]),
    ("software licensing and licences", ["Licences"]),
    ("relicensing", []),                      # not at the start of a word
    ("Do you use AI to triage requests?", ["AI"]),
    ("air quality monitoring", []),           # "ai " with its space is the word AI, not the start of "air"
    ("nothing relevant", []),
])
def test_keywords_match_at_the_start_of_a_word(text: str, topics: list[str]) -> None:
    assert find_topics(text, TAXONOMY) == topics


def test_default_taxonomy_does_not_call_air_quality_technology() -> None:
    topics = find_topics("Please provide your air quality monitoring results for 2022.", SiteConfig().topics)
    assert topics == ["Planning and environment"]


def test_topics_follow_the_taxonomy_order() -> None:
    assert find_topics("pothole licences", TAXONOMY) == ["Roads", "Licences"]


def test_a_topic_with_no_keywords_matches_nothing() -> None:
    assert find_topics("anything at all", {"Empty": [], "Roads": ["road"]}) == []
