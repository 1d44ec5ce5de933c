"""Fixtures shared by the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from .browser import Server, Tab, launch, open_tab, serve
from .helpers import REPO, THEME_NAMES, BuiltSite, build_project, make_project

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
