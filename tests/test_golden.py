"""The whole site, checked against a small golden build (refresh: `make golden`)."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def _load_refresh():
    spec = importlib.util.spec_from_file_location("golden_refresh", GOLDEN / "refresh.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _explain(name: str, want: bytes, got: bytes) -> str:
    diff = difflib.unified_diff(want.decode(errors="replace").splitlines(), got.decode(errors="replace").splitlines(),
                                f"expected/{name}", f"built/{name}", lineterm="", n=2)
    return "\n".join(list(diff)[:60])


def test_golden_site_matches(tmp_path: Path) -> None:
    paths = _load_refresh().build_golden(tmp_path)
    for tree in ("content", "output"):
        expected = _files(GOLDEN / "expected" / tree)
        built = _files(getattr(paths, tree))
        assert sorted(built) == sorted(expected), (
            f"{tree}/ files differ: missing {sorted(set(expected) - set(built))}, "
            f"unexpected {sorted(set(built) - set(expected))}; if intended, run `make golden`")
        for name, want in expected.items():
            assert built[name] == want, (f"{tree}/{name} differs from the golden site "
                                         f"(if intended, run `make golden`):\n" + _explain(name, want, built[name]))
