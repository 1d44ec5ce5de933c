"""Helpers for the search tests: Node, lunr.py's unsharded index over the same documents, the shards read back,
and letters made by hand."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import lunr
import pytest
from lunr.pipeline import Pipeline
from lunr.stemmer import stemmer as lunr_py_stemmer

from foilog import index
from foilog.model import Block, Letter, Question, Section
from foilog.output import Staging
from foilog.pages import dump_page, front_matter, letter_body
from foilog.searchtext import stem
from foilog.urls import letter_year

from .helpers import REPO

SEARCH_JS = REPO / "foilog" / "static" / "search.js"
LUNR_JS = REPO / "node_modules" / "lunr" / "lunr.js"


def node(script: str, data: object) -> Any:
    """Run JavaScript in Node with `data` as JSON on standard input; the script prints its answer as JSON."""
    executable = shutil.which("node")
    if executable is None or not LUNR_JS.is_file():
        reason = "node is missing" if executable is None else "node_modules/lunr is missing (run npm ci)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: the search tests must run in CI (make test runs npm ci)")
        pytest.skip(f"{reason}; run `make test`")
    done = subprocess.run([executable, "-e", script], input=json.dumps(data), capture_output=True, text=True,
                          cwd=REPO, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _stem_token(token: Any, i: int | None = None, tokens: Any = None) -> Any:
    return token.update(lambda text, metadata=None: stem(text))


Pipeline.register_function(_stem_token, "foilog-test-stemmer")


def lunr_reference(docs: list[index.SearchDoc]) -> dict[str, Any]:
    """lunr.py's serialized index over the same documents: the same fields, boosts, refs and (prepared) text."""
    builder = lunr.builder.Builder()
    builder.pipeline.add(_stem_token)          # lunr.js's stemmer, as the index holds it
    builder.search_pipeline.add(lunr_py_stemmer)  # serialized as "stemmer": lunr.js then uses its own
    builder.ref("id")
    for name, boost in index.FIELDS:
        builder.field(name, boost)
    for doc in docs:
        fields = index.field_words(doc)
        builder.add({"id": str(doc.number), **{name: " ".join(words)
                                               for (name, _), words in zip(index.FIELDS, fields, strict=True)}})
    return builder.build().serialize()


def reassemble(site: Path) -> dict[str, Any]:
    """The written shards put back together as one lunr serialized index (empty field vectors left out)."""
    manifest = json.loads((site / "search" / "data" / "manifest.json").read_text(encoding="utf-8"))
    fields = manifest["fields"]
    build = site / "search" / "data" / manifest["build"]
    inverted: dict[str, Any] = {}
    vectors: dict[str, list[tuple[int, float]]] = {}
    for number in range(len(manifest["shards"])):
        shard = json.loads((build / "shards" / f"{number}.json").read_text(encoding="utf-8"))
        for term, term_index, *per_field in shard:
            posting: dict[str, Any] = {"_index": term_index}
            for field, flat in zip(fields, per_field, strict=True):
                half = len(flat) // 2
                refs: dict[str, Any] = {}
                document = 0
                for delta, score in zip(flat[:half], flat[half:], strict=True):
                    document += delta
                    refs[str(document)] = {}
                    vectors.setdefault(f"{field}/{document}", []).append((term_index, score / 1000))
                posting[field] = refs
            inverted[term] = posting
    return {
        "version": manifest["lunr"],
        "fields": fields,
        "fieldVectors": sorted([ref, [x for pair in sorted(pairs) for x in pair]] for ref, pairs in vectors.items()),
        "invertedIndex": sorted(inverted.items()),
        "pipeline": ["stemmer"],
    }


def data_file(site: Path, name: str) -> Any:
    """A file of the built search index: the manifest, or (by its path inside the build's folder) any other."""
    folder = site / "search" / "data"
    if name != "manifest.json":
        folder /= json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["build"]
    return json.loads((folder / name).read_text(encoding="utf-8"))


def comparable(serialized: dict[str, Any]) -> dict[str, Any]:
    """A serialized lunr index with its postings' metadata and its empty field vectors dropped, vectors sorted."""
    return {
        "fields": serialized["fields"],
        "fieldVectors": sorted([ref, vector] for ref, vector in serialized["fieldVectors"] if vector),
        "invertedIndex": [[term, {k: (v if k == "_index" else sorted(v)) for k, v in posting.items()}]
                          for term, posting in serialized["invertedIndex"]],
    }


def write_index(search_index: index.SearchIndex, folder: Path) -> Path:
    """Write the index's files into `folder` (which must not exist yet); returns the folder."""
    with Staging(folder) as staging:
        search_index.write(staging)
        staging.publish()
    return folder


def letter(reference: str, title: str, questions: list[tuple[str, str]], *, responded: dt.date,
           request: str = "Please provide the following information.", outcome: str = "successful",
           exemptions: list[str] | None = None, shared: list[str] | None = None,
           topics: list[str] | None = None, late: bool = False) -> Letter:
    """A letter as the reader would have understood it: questions with their answers, a folded closing section."""
    items = [Block("item", text, 10 + 5 * i, label=str(i + 1)) for i, (text, _) in enumerate(questions)]
    made = Letter(source=f"letters/{reference}.txt", path=Path(f"{reference}.txt"), authority="Test Borough Council",
                  reference=reference, received=responded - dt.timedelta(days=7), responded=responded,
                  preamble=[Block("para", f"Test Borough Council. Our ref: {reference}", 1),
                            Block("para", "Thank you for your request, for the following information:", 3)],
                  request=[Block("para", request, 5), *items],
                  response=[Block("para", text, 50 + i) for i, text in enumerate(shared or [])],
                  questions=[Question(anchor=f"q{i + 1}", text=q, label=str(i + 1),
                                      answer=[Block("para", a, 12 + 5 * i)], echoed=True)
                             for i, (q, a) in enumerate(questions)],
                  numbered_questions=len(questions), exemptions=exemptions or [], outcome=outcome,  # type: ignore[arg-type]
                  boilerplate=[Section("Your rights", [Block("para", "You may ask the Information Commissioner "
                                                                     "to review our decision.", 90)])],
                  working_days=25 if late else 5, late=late, title=title, summary=questions[0][0],
                  topics=topics or [])
    made.body = letter_body(made)
    return made


def write_pages(letters: list[Letter], content: Path) -> None:
    """Write letters as pages in content/letters/<year>/<reference>.md, as stage 3 would."""
    for made in letters:
        page = content / "letters" / letter_year(made) / f"{made.reference}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        meta = front_matter(made)
        meta["source"] = ""
        page.write_text(dump_page(meta, made.body), encoding="utf-8")
