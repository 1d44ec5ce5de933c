"""Rebuild the golden site and replace tests/golden/expected with the result."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from foilog.build import Options, Paths, build  # noqa: E402
from foilog.errors import Report  # noqa: E402


def build_golden(workdir: Path) -> Paths:
    """Build the golden site in `workdir`; its content/ and output/ are what the test compares."""
    paths = Paths(root=workdir, site_src=HERE / "site_src", content=workdir / "content",
                  output=workdir / "output", themes=REPO / "themes")
    report = Report()
    build(paths, Options(progress=False), report)
    if report.problems:
        raise SystemExit("the golden site must build cleanly:\n" + "\n".join(map(str, report.problems)))
    return paths


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = build_golden(Path(tmp))
        expected = HERE / "expected"
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(paths.content, expected / "content")
        shutil.copytree(paths.output, expected / "output")
    print(f"refreshed {expected.relative_to(REPO)}; review it with: git diff -- {expected.relative_to(REPO)}")


if __name__ == "__main__":
    main()
