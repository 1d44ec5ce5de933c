"""Fixtures shared by the tests."""

from __future__ import annotations

import pytest

from .helpers import BuiltSite, build_project, make_project


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example site, built once for the session with the default settings. Treat as read-only."""
    root = make_project(tmp_path_factory.mktemp("example") / "project")
    result = build_project(root)
    return BuiltSite(root, result)
