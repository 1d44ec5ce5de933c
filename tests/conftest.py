"""Fixtures shared by the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from .browser import Server, Tab, launch, open_tab, serve
from .helpers import REPO, THEME_NAMES, THEMES, BuiltSite, build_project, make_project
from .synthetic import write_archive

SYNTHETIC_LETTERS = 90
SYNTHETIC_TOML = """\
title = "Made-up archive"
authority = "Example Council"
base_url = "https://foi.example.org/archive/"
per_page = 8
feed_entries = 12
licence = "Open Government Licence v3.0"
licence_url = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
"""

# No example database on disk; in CI the same examples every run, so a failure can be reproduced.
settings.register_profile("foilog", database=None, deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("foilog")
set_hypothesis_home_dir(str(REPO / ".pytest_cache" / "hypothesis"))  # git-ignored, unlike .hypothesis/


@pytest.fixture(scope="session", params=THEME_NAMES)
def example_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example site (all of site_src/, content/ generated afresh) in each theme, built once. Treat as read-only."""
    root = make_project(tmp_path_factory.mktemp(f"example-{request.param}") / "project", whole_example=True)
    result = build_project(root, theme=request.param)
    return BuiltSite(root, result, theme=request.param)


@pytest.fixture(scope="session")
def server(example_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The example site served under a sub-path."""
    with serve(example_site.output, tmp_path_factory.mktemp("served")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Tab]:
    yield from open_tab(browser, 1280, 900)


@pytest.fixture
def phone(browser: Any) -> Iterator[Tab]:
    yield from open_tab(browser, 375, 740)


@pytest.fixture(scope="session")
def synthetic_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuiltSite]:
    """A made-up archive of 90 letter pages (tests/synthetic.py), eight to a list page, built in each theme.

    Big enough for every browse group to paginate and every chart to have several bars. Treat as read-only.
    """
    sites = {}
    for theme in THEME_NAMES:
        root = write_archive(tmp_path_factory.mktemp(f"synthetic-{theme}") / "project", SYNTHETIC_LETTERS,
                             themes=THEMES)
        (root / "site_src" / "site.toml").write_text(SYNTHETIC_TOML, encoding="utf-8")
        sites[theme] = BuiltSite(root, build_project(root, theme=theme), theme=theme)
    return sites


@pytest.fixture(scope="session")
def synthetic_site(synthetic_sites: dict[str, BuiltSite]) -> BuiltSite:
    """The made-up archive in the default theme."""
    return synthetic_sites[THEME_NAMES[0]]
