"""The sharded index, queried by search.js in Chromium, gives exactly what one unsharded lunr index gives.

The unsharded index is built by lunr.py over the same documents and loaded with lunr.js's own `lunr.Index.load`;
both are queried in the same page with the same query plan (search.js's `plan`), so any difference in the results,
their scores or their order comes from the sharding.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from bench import corpus
from foilog import index
from foilog.config import SiteConfig
from foilog.searchtext import words

from .browser import open_tab, serve
from .searching import lunr_reference, write_index

pytestmark = pytest.mark.browser

HARNESS = """<!doctype html><meta charset="utf-8"><title>search harness</title><link rel="icon" href="data:,">
<script src="site/assets/lunr.min.js"></script><script src="site/assets/search.js"></script>"""

COMPARE = """async ([queries]) => {
  const S = window.FoilogSearch
  const engine = await S.Engine.load('site/search/data/')
  const full = lunr.Index.load(await (await fetch('full.json')).json())
  const out = []
  for (const [query, partial] of queries) {
    const plan = S.plan(query, engine.manifest, { partial })
    await engine.correct(plan) // the words each query word may be a typo of, for the retry (fuzzy) runs
    for (const fuzzy of [false, true]) {
      const sharded = (await engine.run(plan, fuzzy)).results.map(r => [r.ref, r.score])
      const whole = S.searchIndex(full, plan, fuzzy).results.map(r => [r.ref, r.score])
      out.push({ query, partial, fuzzy, same: JSON.stringify(sharded) === JSON.stringify(whole),
                 prefix: plan.words.some(w => w.prefix),
                 sharded: sharded.slice(0, 4), whole: whole.slice(0, 4), count: whole.length,
                 ties: whole.filter((r, i) => i && r[1] === whole[i - 1][1]).length })
    }
  }
  return { results: out, shardsLoaded: engine.shards.size, shards: engine.manifest.shards.length }
}"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], Path]:
    """400 generated letters indexed in small shards, lunr.py's unsharded index beside them, and a harness page."""
    letters = corpus.letters(400, seed=31)
    search_index = index.build_index(letters, corpus.urls(letters), SiteConfig())
    search_index.shard_bytes = 3000
    served = tmp_path_factory.mktemp("equivalence")
    write_index(search_index, served / "site")
    (served / "full.json").write_text(json.dumps(lunr_reference(search_index.docs)), encoding="utf-8")
    (served / "harness.html").write_text(HARNESS, encoding="utf-8")
    return search_index.docs, served


def queries(docs: list[Any]) -> list[tuple[str, bool]]:
    """Single words, pairs and triples from the letters, partly typed words, typos, references and oddities."""
    rng = random.Random(97)
    texts = [" ".join(s.text for s in d.sections) for d in docs]
    pool = sorted({w for text in texts for w in words(text) if not w.isdigit()})
    long_words = [w for w in pool if len(w) >= 6]
    found: list[tuple[str, bool]] = []
    found += [(rng.choice(pool), False) for _ in range(60)]
    found += [(" ".join(rng.sample(words(rng.choice(texts)), 2)), False) for _ in range(40)]
    found += [(" ".join(rng.sample(words(rng.choice(texts)), 3)), False) for _ in range(20)]
    for _ in range(40):
        word = rng.choice(long_words)
        found.append((word[: rng.randint(3, len(word) - 1)], True))
        found.append((rng.choice(pool) + " " + word[: rng.randint(3, len(word))], True))
    for _ in range(40):
        word = list(rng.choice(long_words))
        at = rng.randrange(1, len(word) - 1)
        edit = rng.choice(("drop", "swap", "change", "add"))
        if edit == "drop":
            del word[at]
        elif edit == "swap":
            word[at - 1], word[at] = word[at], word[at - 1]
        elif edit == "change":
            word[at] = rng.choice("aeioustr")
        else:
            word.insert(at, rng.choice("aeioustr"))
        found.append(("".join(word), rng.random() < 0.3))
    found += [(str(d.letter.reference), False) for d in rng.sample(docs, 10)]
    found += [(q, False) for q in ("the council", "may", "dear", "information commissioner", "conferencing",
                                   "Parking FINES in 2021", "£1,234", "qqqzzzxx", "", "!!!", "café", "s.40(2)",
                                   "how many potholes were reported on the road in the last five years please")]
    return found


def test_sharded_search_gives_exactly_the_unsharded_results(browser: Any, archive: tuple[list[Any], Path],
                                                            tmp_path: Path) -> None:
    docs, served = archive
    asked = queries(docs)
    with serve(served, tmp_path / "served") as server:
        for tab in open_tab(browser, 1280, 900):
            tab.page.set_default_timeout(120_000)
            tab.open(server.base + "harness.html")
            answer = tab.page.evaluate(COMPARE, [asked])
            tab.assert_clean()
    results = answer["results"]
    differ = [r for r in results if not r["same"]]
    assert not differ, f"{len(differ)} of {len(results)} queries differ, such as {differ[:3]}"
    assert len(results) == 2 * len(asked) > 500
    found = [r for r in results if r["count"]]
    assert len(found) > 0.7 * len(results), "most queries should find something, or the comparison proves little"
    assert sum(r["ties"] for r in results) > 50, "equal scores must occur, so that their order is compared too"
    assert any(r["count"] > 100 for r in results)
    assert any(r["fuzzy"] and r["count"] and not next(x for x in results if x["query"] == r["query"]
                                                       and x["partial"] == r["partial"] and not x["fuzzy"])["count"]
               for r in results), "some typos should be found only by the typo-tolerant retry"
    assert answer["shardsLoaded"] < answer["shards"], "queries must not need every shard"
    assert sum(r["prefix"] and r["count"] > 0 for r in results) > 60, "partly typed words must be compared too"


def test_a_one_word_query_fetches_one_shard(browser: Any, archive: tuple[list[Any], Path], tmp_path: Path) -> None:
    _, served = archive
    with serve(served, tmp_path / "served") as server:
        for tab in open_tab(browser, 1280, 900):
            tab.open(server.base + "harness.html")
            requests: list[str] = []
            tab.page.on("request", lambda request, seen=requests: seen.append(request.url))
            count = tab.page.evaluate("""async () => {
              const engine = await FoilogSearch.Engine.load('site/search/data/')
              return (await engine.search('potholes')).results.length
            }""")
            fetched = [url.split("/search/data/")[1] for url in requests if "/search/data/" in url]
            tab.assert_clean()
    assert count > 0
    assert fetched[0] == "manifest.json", fetched
    assert len([f for f in fetched if "/shards/" in f]) == 1, fetched
