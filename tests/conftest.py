"""Fixtures shared by the tests."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from .helpers import REPO, BuiltSite, build_project, make_project

# No example database on disk; in CI the same examples every run, so a failure can be reproduced.
settings.register_profile("foilog", database=None, deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("foilog")
set_hypothesis_home_dir(str(REPO / ".pytest_cache" / "hypothesis"))  # git-ignored, unlike .hypothesis/


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example site (all of site_src/, content/ generated afresh), built once. Treat as read-only."""
    root = make_project(tmp_path_factory.mktemp("example") / "project", whole_example=True)
    result = build_project(root)
    return BuiltSite(root, result)
