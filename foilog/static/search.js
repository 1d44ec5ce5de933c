/* foilog search: the search page's script, shared by every theme (see docs/theming-search.md).
 *
 * The index is sharded by term (see foilog/index.py and docs/search.md). For a query this script works out which
 * index terms the query can match, fetches only the shards holding them, builds a small lunr.Index from those terms'
 * postings and field-vector entries, and lets lunr.js 2.3.9 score it: the scores and order are those of one lunr
 * index over the whole archive (the tests compare the two on many queries).
 *
 * Everything from a letter is put on the page as text (textContent), never as markup.
 * Works in Node too (require('./search.js')), for the tests.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory(require('lunr'))
  } else {
    root.FoilogSearch = factory(root.lunr)
  }
})(typeof self !== 'undefined' ? self : this, function (lunr) {
  'use strict'

  // ------------------------------------------------------------------ text (twin of foilog/searchtext.py)

  var KEPT_BEYOND_ASCII = '\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u0dff\u0e00-\u0e7f' +
    '\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af'
  var NOT_KEPT = new RegExp('[^a-z0-9' + KEPT_BEYOND_ASCII + ']+', 'g')
  var MARKS = /[\u0300-\u036f]+/g
  var APOSTROPHES = /['\u2018\u2019\u02bc\u2032]+/g
  var FOLDED = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'ł': 'l', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ı': 'i' }
  var TO_FOLD = /[ßæœøłđðþı]/g
  // A word as it appears in a letter's text, for highlighting: letters, digits, marks and apostrophes.
  var LABEL = /^(\S{1,12}?)[.)]\s+/ // a question's own number at the start of its heading: "1. " or "2a) "
  var WORD_RUN = /[\p{L}\p{N}\p{M}'\u2018\u2019\u02bc\u2032]+/gu

  /** Lower-case words separated by single spaces, exactly as foilog/searchtext.py's prepare(). */
  function prepare (text) {
    return String(text).normalize('NFKD').toLowerCase().replace(MARKS, '')
      .replace(TO_FOLD, function (c) { return FOLDED[c] })
      .replace(APOSTROPHES, '').replace(NOT_KEPT, ' ').trim()
  }

  function words (text) {
    var prepared = prepare(text)
    return prepared ? prepared.split(' ') : []
  }

  var stems = new Map()
  /** lunr.js's own stemmer (the index's search pipeline), remembered. */
  function stem (word) {
    var found = stems.get(word)
    if (found === undefined) {
      found = lunr.stemmer(new lunr.Token(word, {})).toString()
      if (stems.size > 50000) stems.clear()
      stems.set(word, found)
    }
    return found
  }

  // ------------------------------------------------------------------ what a query asks for

  var MAX_WORDS = 12
  var PREFIX_MIN = 3      // a partly typed last word of 3 or more letters also matches longer words,
  var PREFIX_SHARDS = 3   // unless the words it begins are spread over more than 3 shards (too many to be useful)
  var FUZZY_MIN = 4       // the retry corrects one typo in a word of 4 or more letters,
  var FUZZY_TWO = 8       // and two in a word of 8 or more
  var BOOST = { exact: 10, variant: 5, prefix: 1, typo: 1 }

  /**
   * The words of a query and how each may match. `partial`: the last word may be unfinished (unless the text
   * ends with a space), so it also matches longer words.
   * Words that are in most letters (manifest.common) are left out when the query has other words.
   */
  function plan (text, manifest, options) {
    var partial = options && options.partial && !/\s$/.test(text)
    var seen = new Set()
    var all = []
    words(text).slice(0, MAX_WORDS).forEach(function (word) {
      var s = stem(word)
      if (!seen.has(s)) {
        seen.add(s)
        all.push({ word: word, stem: s, prefix: false, variants: variants(word, s), corrections: [] })
      }
    })
    var common = new Set(manifest.common || [])
    var kept = all.filter(function (w) { return !common.has(w.stem) })
    if (!kept.length) kept = all
    var last = all[all.length - 1]
    if (partial && last && kept.indexOf(last) >= 0 && last.word.length >= PREFIX_MIN &&
        shardOf(manifest, last.word + '\uffff') - shardOf(manifest, last.word) < PREFIX_SHARDS) {
      last.prefix = true
    }
    return {
      words: kept,
      ignored: all.filter(function (w) { return kept.indexOf(w) < 0 }).map(function (w) { return w.word })
    }
  }

  /**
   * Other forms worth searching for: Porter stems "conferencing" to "conferenc" but "conference" to "confer", so
   * a word ending in -ing or -ed is also searched with its "e" restored.
   */
  function variants (word, s) {
    var ending = /(?:ing|ed)$/.exec(word)
    if (!ending || word.length - ending[0].length < 4) return []
    var base = word.slice(0, -ending[0].length) + 'e'
    return stem(base) !== s ? [base] : []
  }

  /** The number of the shard whose run of terms would hold `term`. */
  function shardOf (manifest, term) {
    var bounds = manifest.shards
    var lo = 0
    var hi = bounds.length - 1
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1
      if (bounds[mid] <= term) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** How many typos the retry may correct in a word (none in words with digits). */
  function fuzzyDistance (w) {
    if (/[0-9]/.test(w.word)) return 0
    return w.word.length >= FUZZY_TWO ? 2 : w.word.length >= FUZZY_MIN ? 1 : 0
  }

  /**
   * The words of the letters within `distance` edits of `word` (lunr's own fuzzy matching), from `dictionary`:
   * sorted words of the lengths such words can have.
   */
  function corrections (word, distance, dictionary) {
    if (!dictionary.length) return []
    var found = lunr.TokenSet.fromArray(dictionary).intersect(lunr.TokenSet.fromFuzzyString(word, distance))
    return found.toArray().filter(function (w) { return w !== word }).sort()
  }

  /**
   * The lunr query clauses for one word: its stem, other forms, its prefix while typed, and on the retry the
   * stems of the letters' words it may be a typo of.
   */
  function specs (w, fuzzy) {
    var out = [{ kind: 'exact', term: w.word }]
    w.variants.forEach(function (variant) { out.push({ kind: 'variant', term: variant }) })
    if (w.prefix) out.push({ kind: 'prefix', term: w.word })
    if (fuzzy) w.corrections.forEach(function (word) { out.push({ kind: 'typo', term: word }) })
    return out
  }

  function clauseOptions (spec) {
    if (spec.kind === 'prefix') {
      return { usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING, boost: BOOST.prefix }
    }
    return { usePipeline: true, boost: BOOST[spec.kind] }
  }

  /** The index terms a clause matches within `tokenSet`, computed as lunr.Index#query computes them. */
  function expand (tokenSet, spec) {
    var clause = { term: spec.kind === 'prefix' ? spec.term + '*' : stem(spec.term) }
    return tokenSet.intersect(lunr.TokenSet.fromClause(clause)).toArray()
  }

  /**
   * Run the clauses on a lunr.Index and keep the documents that match every word (by any of its clauses).
   * Gives {results: [{ref, score, terms}] best first, wordTerms: for each word, the index terms that match it}.
   */
  function runQuery (index, wordSpecs, expansions) {
    var results = index.query(function (q) {
      wordSpecs.forEach(function (list) {
        list.forEach(function (spec) { q.term(spec.term, clauseOptions(spec)) })
      })
    })
    var needed = expansions.map(function (perSpec) {
      var terms = new Set()
      perSpec.forEach(function (list) { list.forEach(function (t) { terms.add(t) }) })
      return terms
    })
    var kept = results.filter(function (result) {
      var matched = Object.keys(result.matchData.metadata)
      return needed.every(function (terms) {
        return matched.some(function (t) { return terms.has(t) })
      })
    }).map(function (result) {
      return { ref: result.ref, score: result.score, terms: Object.keys(result.matchData.metadata) }
    })
    return { results: kept, wordTerms: needed }
  }

  /** The same search on a whole, unsharded lunr.Index (the tests compare the sharded engine with this). */
  function searchIndex (index, queryPlan, fuzzy) {
    if (!queryPlan.words.length) return { results: [], wordTerms: [] } // as the engine: no words, no results
    var wordSpecs = queryPlan.words.map(function (w) { return specs(w, fuzzy) })
    var expansions = wordSpecs.map(function (list) {
      return list.map(function (spec) { return expand(index.tokenSet, spec) })
    })
    return runQuery(index, wordSpecs, expansions)
  }

  // ------------------------------------------------------------------ the sharded index

  var EMPTY = Object.freeze({})

  function Engine (base, manifest, fetcher) {
    this.base = base
    this.manifest = manifest
    this.fetcher = fetcher || defaultFetch
    this.shards = new Map()
    this.buckets = new Map()
    this.records = new Map()
    this.facets = null
    this.pipeline = lunr.Pipeline.load(['stemmer'])
  }

  function defaultFetch (url, init) {
    return fetch(url, Object.assign({ credentials: 'same-origin', mode: 'cors' }, init)).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status + ' for ' + url)
      return response.json()
    })
  }

  /**
   * The manifest: it names the folders of the current build's files. The page preloads it; if a cached copy is
   * out of date, its build's files are gone and `Engine#get` fetches it again.
   */
  function loadManifest (base, get, cache) {
    return get(base + 'manifest.json', cache ? { cache: cache } : undefined).then(function (manifest) {
      if (manifest.format !== 2) throw new Error('this page cannot read search index format ' + manifest.format)
      return manifest
    })
  }

  Engine.load = function (base, fetcher) {
    var get = fetcher || defaultFetch
    return loadManifest(base, get).then(function (manifest) { return new Engine(base, manifest, get) })
  }

  /**
   * A file of this build, by its path in the index's folder. If it cannot be had and the site has been rebuilt
   * meanwhile (the old build's files are gone), fail with `error.manifest` set to the new manifest, so the page can
   * start again with it.
   */
  Engine.prototype.get = function (path) {
    var engine = this
    return this.fetcher(this.base + path).catch(function (error) {
      return loadManifest(engine.base, engine.fetcher, 'reload').then(function (manifest) {
        if (manifest.build === engine.manifest.build) throw error
        var rebuilt = new Error('the search index was rebuilt while this page was open')
        rebuilt.manifest = manifest
        throw rebuilt
      })
    })
  }

  /** A file of the build's own folder (the shards, word lists and facets; not the letters' records). */
  Engine.prototype.fromBuild = function (path) {
    return this.get(this.manifest.build + '/' + path)
  }

  /** The shard whose run of terms would hold `term`. */
  Engine.prototype.shardOf = function (term) {
    return shardOf(this.manifest, term)
  }

  Engine.prototype.shard = function (number) {
    var engine = this
    if (!this.shards.has(number)) {
      this.shards.set(number, this.fromBuild('shards/' + number + '.json').then(function (entries) {
        return parseShard(entries, engine.manifest.fields.length)
      }))
    }
    return this.shards.get(number)
  }

  /** A shard's terms in order, and each term's postings, decoded when first asked for. */
  function parseShard (entries, fieldCount) {
    var raw = new Map()
    var decoded = new Map()
    entries.forEach(function (entry) { raw.set(entry[0], entry) })
    return {
      terms: entries.map(function (entry) { return entry[0] }),
      has: function (term) { return raw.has(term) },
      posting: function (term) {
        if (!decoded.has(term)) decoded.set(term, decode(raw.get(term), fieldCount))
        return decoded.get(term)
      }
    }
  }

  /** `["term", _index, [docs as deltas…, scores in thousandths…] per field]` as typed arrays. */
  function decode (entry, fieldCount) {
    var fields = []
    for (var f = 0; f < fieldCount; f++) {
      var flat = entry[2 + f]
      var n = flat.length / 2
      var docs = new Int32Array(n)
      var scores = new Float64Array(n)
      var doc = 0
      for (var i = 0; i < n; i++) {
        doc += flat[i]
        docs[i] = doc
        scores[i] = flat[n + i] / 1000 // the same double as the JSON number lunr would have stored
      }
      fields.push({ docs: docs, scores: scores })
    }
    return { index: entry[1], fields: fields }
  }

  /** The letters' words of one length (those the typo-tolerant retry may correct a word to). */
  Engine.prototype.bucket = function (length) {
    if (this.manifest.words.indexOf(length) < 0) return Promise.resolve([])
    if (!this.buckets.has(length)) this.buckets.set(length, this.fromBuild('words/' + length + '.json'))
    return this.buckets.get(length)
  }

  /** Find, for each word of the plan, the letters' words it may be a typo of (sets `corrections`). */
  Engine.prototype.correct = function (queryPlan) {
    var engine = this
    return Promise.all(queryPlan.words.map(function (w) {
      var distance = fuzzyDistance(w)
      if (!distance) return null
      var lengths = []
      for (var l = Math.max(1, w.word.length - distance); l <= w.word.length + distance; l++) lengths.push(l)
      return Promise.all(lengths.map(function (length) { return engine.bucket(length) })).then(function (lists) {
        w.corrections = corrections(w.word, distance, [].concat.apply([], lists).sort())
      })
    })).then(function () {
      return queryPlan.words.some(function (w) { return w.corrections.length })
    })
  }

  /** Sorted terms among which every index term a clause could match is found. */
  /** The index terms a clause matches (exactly as lunr would expand it over the whole index). */
  Engine.prototype.expansions = function (spec) {
    var engine = this
    if (spec.kind !== 'prefix') {
      var term = stem(spec.term)
      return this.shard(this.shardOf(term)).then(function (shard) { return shard.has(term) ? [term] : [] })
    }
    var numbers = []
    for (var n = this.shardOf(spec.term); n <= this.shardOf(spec.term + '\uffff'); n++) numbers.push(n)
    return Promise.all(numbers.map(function (number) { return engine.shard(number) })).then(function (shards) {
      var begun = []
      shards.forEach(function (shard) {
        shard.terms.forEach(function (t) { if (t.lastIndexOf(spec.term, 0) === 0) begun.push(t) })
      })
      return begun.length ? expand(lunr.TokenSet.fromArray(begun), spec) : []
    })
  }

  /** The loaded postings of each term (every term must be in a shard already fetched). */
  Engine.prototype.postings = function (terms) {
    var engine = this
    return Promise.all(terms.map(function (t) { return engine.shard(engine.shardOf(t)) })).then(function (shards) {
      return terms.map(function (term, t) { return shards[t].posting(term) })
    })
  }

  /**
   * A lunr.Index holding just `terms`, with their postings and field-vector entries for the documents in `keep`
   * (a Uint8Array by document number). Every term stays in the index, so lunr builds the same query vector.
   */
  Engine.prototype.indexOf = function (terms, postings, keep) {
    var fields = this.manifest.fields
    var invertedIndex = Object.create(null)
    var entries = Object.create(null)
    terms.forEach(function (term, t) {
      var found = postings[t]
      var posting = { _index: found.index }
      fields.forEach(function (field, f) {
        var refs = {}
        var docs = found.fields[f].docs
        var scores = found.fields[f].scores
        for (var i = 0; i < docs.length; i++) {
          var doc = docs[i]
          if (!keep[doc]) continue
          refs[doc] = EMPTY
          var key = field + '/' + doc
          var list = entries[key] || (entries[key] = [])
          list.push(found.index, scores[i])
        }
        posting[field] = refs
      })
      invertedIndex[term] = posting
    })
    var fieldVectors = Object.create(null)
    Object.keys(entries).forEach(function (key) {
      fieldVectors[key] = new lunr.Vector(sortPairs(entries[key]))
    })
    return new lunr.Index({
      invertedIndex: invertedIndex,
      fieldVectors: fieldVectors,
      tokenSet: lunr.TokenSet.fromArray(terms),
      fields: fields,
      pipeline: this.pipeline
    })
  }

  /**
   * The documents holding every word (some term of each word's clauses, in any field), as a Uint8Array.
   * Only they can be results, and a document's lunr score depends only on its own field vectors and the query's
   * vector, so leaving the others out of the index changes no result's score or place: it only saves lunr the
   * work of scoring documents that the every-word rule would drop.
   */
  function documentsWithEveryWord (expansions, byTerm, count) {
    var hits = new Uint16Array(count)
    var seen = new Uint8Array(count)
    expansions.forEach(function (perSpec, w) {
      perSpec.forEach(function (list) {
        list.forEach(function (term) {
          byTerm.get(term).fields.forEach(function (field) {
            var docs = field.docs
            for (var i = 0; i < docs.length; i++) {
              if (seen[docs[i]] !== w + 1) {
                seen[docs[i]] = w + 1
                hits[docs[i]]++
              }
            }
          })
        })
      })
    })
    var keep = new Uint8Array(count)
    for (var d = 0; d < count; d++) keep[d] = hits[d] === expansions.length ? 1 : 0
    return keep
  }

  function sortPairs (flat) {
    if (flat.length <= 2) return flat
    var pairs = []
    for (var i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]])
    pairs.sort(function (a, b) { return a[0] - b[0] })
    var out = []
    pairs.forEach(function (p) { out.push(p[0], p[1]) })
    return out
  }

  Engine.prototype.run = function (queryPlan, fuzzy) {
    var engine = this
    var wordSpecs = queryPlan.words.map(function (w) { return specs(w, fuzzy) })
    return Promise.all(wordSpecs.map(function (list) {
      return Promise.all(list.map(function (spec) { return engine.expansions(spec) }))
    })).then(function (expansions) {
      var union = new Set()
      expansions.forEach(function (perWord) {
        perWord.forEach(function (list) { list.forEach(function (t) { union.add(t) }) })
      })
      if (!union.size) return { results: [], wordTerms: [] }
      var terms = Array.from(union).sort()
      return engine.postings(terms).then(function (postings) {
        var byTerm = new Map(terms.map(function (term, t) { return [term, postings[t]] }))
        var keep = documentsWithEveryWord(expansions, byTerm, engine.manifest.documents)
        return runQuery(engine.indexOf(terms, postings, keep), wordSpecs, expansions)
      })
    })
  }

  /** Search: every word must match; when nothing does, try again allowing typos. */
  Engine.prototype.search = function (text, options) {
    var engine = this
    var queryPlan = plan(text, this.manifest, options)
    var answer = { words: queryPlan.words.map(function (w) { return w.word }), ignored: queryPlan.ignored }
    if (!queryPlan.words.length) {
      return Promise.resolve(Object.assign(answer, { results: [], wordTerms: [], fuzzy: false }))
    }
    return this.run(queryPlan, false).then(function (found) {
      if (found.results.length || !queryPlan.words.some(fuzzyDistance)) {
        return Object.assign(answer, found, { fuzzy: false })
      }
      return engine.correct(queryPlan).then(function (corrected) {
        if (!corrected) return Object.assign(answer, found, { fuzzy: false })
        return engine.run(queryPlan, true).then(function (retried) {
          return Object.assign(answer, retried, { fuzzy: true })
        })
      })
    })
  }

  /** One letter's title, facts and passages. */
  Engine.prototype.record = function (number) {
    if (!this.records.has(number)) {
      var folder = this.manifest.docs[Math.floor(number / this.manifest.docsPerFolder)]
      this.records.set(number, this.get(folder + number + '.json'))
    }
    return this.records.get(number)
  }

  /** Every letter's facet values: facets[key][document] is a list of positions in that facet's values. */
  Engine.prototype.facetData = function () {
    var engine = this
    if (!this.facets) {
      this.facets = this.fromBuild('facets.json').then(function (packed) {
        var out = {}
        engine.manifest.facets.forEach(function (facet) {
          out[facet.key] = (packed[facet.key] || '').split(',').map(function (chars) {
            var values = []
            for (var i = 0; i < chars.length; i++) values.push(chars.charCodeAt(i) - 48)
            return values
          })
        })
        return out
      })
    }
    return this.facets
  }

  // ------------------------------------------------------------------ filters

  /** Documents passing every facet's selection, and each value's count given the other facets' selections. */
  function applyFilters (documents, facetValues, manifest, selected) {
    var keys = manifest.facets.map(function (f) { return f.key })
    var wanted = keys.map(function (key, k) {
      var values = selected[key] || []
      if (!values.length) return null
      var positions = new Set()
      manifest.facets[k].values.forEach(function (v, i) { if (values.indexOf(v.value) >= 0) positions.add(i) })
      return positions
    })
    var counts = keys.map(function (key, k) { return new Array(manifest.facets[k].values.length).fill(0) })
    var kept = []
    documents.forEach(function (doc) {
      var failed = -1
      var failures = 0
      for (var k = 0; k < keys.length; k++) {
        if (!wanted[k]) continue
        var values = facetValues[keys[k]][doc] || []
        if (!values.some(function (v) { return wanted[k].has(v) })) {
          failures++
          failed = k
        }
      }
      if (failures === 0) kept.push(doc)
      if (failures > 1) return
      for (var j = 0; j < keys.length; j++) {
        if (failures === 1 && j !== failed) continue
        ;(facetValues[keys[j]][doc] || []).forEach(function (v) { counts[j][v]++ })
      }
    })
    return { documents: kept, counts: counts }
  }

  // ------------------------------------------------------------------ snippets

  var PLAIN_WORD = /^[A-Za-z0-9']+$/

  /** The words of a text with where they are, each with its terms (usually one). */
  function runsOf (text) {
    var runs = []
    var match
    WORD_RUN.lastIndex = 0
    while ((match = WORD_RUN.exec(text))) {
      var found = match[0]
      var terms = PLAIN_WORD.test(found) ? [stem(found.toLowerCase().replace(/'/g, ''))] : words(found).map(stem)
      runs.push({ start: match.index, end: match.index + found.length, terms: terms })
    }
    return runs
  }

  function wordsCovered (runs, wordTerms) {
    var covered = 0
    wordTerms.forEach(function (terms) {
      if (runs.some(function (run) { return run.hit && run.terms.some(function (t) { return terms.has(t) }) })) {
        covered++
      }
    })
    return covered
  }

  /**
   * The passage of a letter that best shows why it matched, cut to about `size` words around the matches.
   * `matched`: the index terms this letter matched; `wordTerms`: for each query word, the terms that match it.
   */
  function snippet (record, matched, wordTerms, size) {
    var best = null
    record.sections.forEach(function (section, order) {
      var text = section.heading ? section.heading.replace(LABEL, '') + '\n' + section.text : section.text
      var runs = runsOf(text)
      var hits = 0
      runs.forEach(function (run) {
        run.hit = run.terms.some(function (t) { return matched.has(t) })
        if (run.hit) hits++
      })
      var score = [wordsCovered(runs, wordTerms), section.id ? 1 : 0, hits, -order]
      if (hits && (!best || compare(score, best.score) > 0)) {
        best = { section: section, text: text, runs: runs, score: score }
      }
    })
    if (!best) {
      var summary = record.sections[0] || { text: '', part: 'summary' }
      return { section: summary, pieces: [{ text: cut(summary.text, 0, summary.text.length, size * 8).text }] }
    }
    return { section: best.section, pieces: bestWindow(best.text, best.runs, size) }
  }

  function compare (a, b) {
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i]
    return 0
  }

  function cut (text, start, end, max) {
    var piece = text.slice(start, end)
    return { text: piece.length > max ? piece.slice(0, max) + ' …' : piece }
  }

  /** Text and highlighted pieces of the window of `size` words holding the most matches. */
  function bestWindow (text, runs, size) {
    var bestStart = 0
    var bestHits = -1
    var hits = 0
    for (var i = 0; i < runs.length; i++) {
      if (runs[i].hit) hits++
      if (i >= size && runs[i - size].hit) hits--
      if (hits > bestHits) {
        bestHits = hits
        bestStart = Math.max(0, i - size + 1)
      }
    }
    var first = bestStart
    while (first < runs.length && !runs[first].hit) first++
    var from = Math.max(0, Math.min(first - 4, runs.length - size))
    var to = Math.min(runs.length, from + size)
    var start = from === 0 ? 0 : runs[from].start
    var end = to === runs.length ? text.length : runs[to - 1].end
    var pieces = []
    if (start > 0) pieces.push({ text: '… ' })
    var at = start
    for (var r = from; r < to; r++) {
      if (!runs[r].hit) continue
      if (runs[r].start > at) pieces.push({ text: text.slice(at, runs[r].start) })
      pieces.push({ text: text.slice(runs[r].start, runs[r].end), mark: true })
      at = runs[r].end
    }
    if (end > at) pieces.push({ text: text.slice(at, end) })
    if (end < text.length) pieces.push({ text: ' …' })
    return pieces.map(function (p) { return { text: p.text.replace(/\s+/g, ' '), mark: p.mark } })
  }

  /** A short text with the runs whose stems are in `matched` marked. */
  function highlight (text, matched) {
    var pieces = []
    var at = 0
    runsOf(text).forEach(function (run) {
      if (!run.terms.some(function (t) { return matched.has(t) })) return
      if (run.start > at) pieces.push({ text: text.slice(at, run.start) })
      pieces.push({ text: text.slice(run.start, run.end), mark: true })
      at = run.end
    })
    if (at < text.length) pieces.push({ text: text.slice(at) })
    return pieces
  }

  // ------------------------------------------------------------------ the page

  var MESSAGES = {
    loading: 'Loading the search index…',
    failed: 'Search could not load its index ({error}). Try reloading the page.',
    prompt: 'Type a word or a reference number to search {count} responses.',
    none: 'No responses match {query}.',
    noneFiltered: 'No responses match {query} with the filters you chose.',
    one: '1 response matches {query}.',
    many: '{count} responses match {query}.',
    filtered: '{count} responses match the filters you chose.',
    filteredOne: '1 response matches the filters you chose.',
    fuzzy: 'No response contains all of your words exactly; these have words spelt similarly.',
    ignored: 'Words found in most responses were left out: {words}.',
    more: 'Show {count} more',
    question: 'Question {label}',
    request: 'Request',
    response: 'Response',
    reference: 'Ref {reference}',
    chosen: '({count} chosen)'
  }
  var PAGE_SIZE = 10
  var SNIPPET_WORDS = 30
  var TYPING_DELAY = 150
  var SORTS = ['relevance', 'newest', 'oldest']

  function Page (element) {
    this.root = element
    this.form = element.querySelector('#search-form')
    this.input = element.querySelector('#search-input')
    this.sort = element.querySelector('#search-sort')
    this.status = element.querySelector('#search-status')
    this.notes = element.querySelector('#search-notes')
    this.list = element.querySelector('#search-results')
    this.more = element.querySelector('#search-more')
    this.filters = element.querySelector('#search-filters')
    this.panel = element.querySelector('#search-filters-panel')
    this.chosen = element.querySelector('#search-filters-chosen')
    this.siteRoot = element.getAttribute('data-site-root') || '../'
    this.messages = Object.assign({}, MESSAGES)
    var page = this
    Object.keys(MESSAGES).forEach(function (key) {
      var custom = element.getAttribute('data-message-' + key)
      if (custom) page.messages[key] = custom
    })
    this.engine = null
    this.generation = 0
    this.settled = -1
    this.shown = 0
    this.committed = true // the next keystroke starts a new history entry
    this.timer = 0
  }

  Page.prototype.say = function (key, values) {
    return this.messages[key].replace(/\{(\w+)\}/g, function (_, name) {
      return values && values[name] !== undefined ? values[name] : ''
    })
  }

  Page.prototype.start = function () {
    var page = this
    var nojs = document.getElementById('search-nojs')
    if (nojs) nojs.hidden = true
    this.root.hidden = false
    var below = this.panel && this.panel.getAttribute('data-close-below')
    if (below && window.matchMedia('(max-width: ' + below + ')').matches) this.panel.open = false
    this.readUrl()
    this.status.textContent = this.say('loading')
    this.input.addEventListener('input', function () {
      clearTimeout(page.timer)
      page.timer = setTimeout(function () { page.update({ history: 'typing' }) }, TYPING_DELAY)
    })
    this.form.addEventListener('submit', function (event) {
      event.preventDefault()
      clearTimeout(page.timer)
      page.update({ history: 'commit' })
    })
    this.form.addEventListener('change', function (event) {
      if (event.target === page.input) return
      page.update({ history: 'push', keepQuery: true })
    })
    this.more.addEventListener('click', function () { page.showMore() })
    window.addEventListener('popstate', function () {
      page.readUrl()
      page.update({ history: 'none' })
    })
    var base = this.root.getAttribute('data-search-index')
    return Engine.load(base).then(function (engine) {
      page.engine = engine
      page.update({ history: 'none' })
    }).catch(function (error) {
      page.status.textContent = page.say('failed', { error: error.message })
      throw error
    })
  }

  /** Put the URL's query, filters and sort into the form. */
  Page.prototype.readUrl = function () {
    var params = new URLSearchParams(window.location.search)
    this.input.value = params.get('q') || ''
    this.sort.value = SORTS.indexOf(params.get('sort')) >= 0 ? params.get('sort') : 'relevance'
    this.selection = {}
    var page = this
    ;['year', 'topic', 'exemption', 'outcome', 'law', 'timeliness'].forEach(function (key) {
      page.selection[key] = params.getAll(key)
    })
    this.filters.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      box.checked = (page.selection[box.name] || []).indexOf(box.value) >= 0
    })
  }

  Page.prototype.readForm = function () {
    var page = this
    this.selection = {}
    this.filters.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      if (!page.selection[box.name]) page.selection[box.name] = []
      if (box.checked) page.selection[box.name].push(box.value)
    })
  }

  Page.prototype.url = function () {
    var params = new URLSearchParams()
    var query = this.input.value.trim()
    if (query) params.append('q', query)
    var page = this
    Object.keys(this.selection).forEach(function (key) {
      page.selection[key].forEach(function (value) { params.append(key, value) })
    })
    if (this.sort.value !== 'relevance') params.append('sort', this.sort.value)
    var search = params.toString()
    return window.location.pathname + (search ? '?' + search : '')
  }

  Page.prototype.remember = function (how) {
    if (how === 'none') return
    var url = this.url()
    if (url === window.location.pathname + window.location.search) {
      if (how === 'commit') this.committed = true
      return
    }
    if (how === 'push' || (how === 'typing' && this.committed)) window.history.pushState(null, '', url)
    else window.history.replaceState(null, '', url)
    this.committed = how !== 'typing'
  }

  Page.prototype.selected = function () {
    var page = this
    return Object.keys(this.selection).some(function (key) { return page.selection[key].length })
  }

  /** Search for what the form says, show the results and remember it in the URL. */
  Page.prototype.update = function (how) {
    if (how.keepQuery) this.readForm()
    this.remember(how.history)
    if (!this.engine) return Promise.resolve()
    var page = this
    var generation = ++this.generation
    var query = this.input.value
    var started = performance.now()
    var filtered = this.selected()
    return Promise.all([
      this.engine.search(query, { partial: true }),
      filtered ? this.engine.facetData() : null
    ]).then(function (found) {
      if (generation !== page.generation) return
      return page.show(found[0], found[1], query, started, generation)
    }).catch(function (error) {
      if (error.manifest && generation === page.generation) {
        page.engine = new Engine(page.engine.base, error.manifest, page.engine.fetcher)
        return page.update({ history: 'none' })
      }
      if (generation === page.generation) page.status.textContent = page.say('failed', { error: error.message })
    })
  }

  Page.prototype.show = function (answer, facetValues, query, started, generation) {
    var page = this
    var manifest = this.engine.manifest
    var ranked = answer.results.map(function (r) { return Number(r.ref) })
    var everything = !answer.words.length && this.selected()
    if (everything) ranked = Array.from({ length: manifest.documents }, function (_, i) { return i })
    this.answer = answer
    this.matched = new Map(answer.results.map(function (r) { return [Number(r.ref), new Set(r.terms)] }))
    var finish = function (values) {
      var documents = ranked
      var counts = null
      if (values) {
        var filtered = applyFilters(ranked, values, manifest, page.selection)
        documents = filtered.documents
        counts = filtered.counts
      }
      var sort = page.sort.value === 'relevance' && !everything ? 'relevance' : page.sort.value
      if (sort === 'newest' || (everything && sort === 'relevance')) documents = documents.slice().sort(byNumber)
      if (sort === 'oldest') documents = documents.slice().sort(byNumber).reverse()
      page.documents = documents
      page.shown = 0
      page.list.textContent = ''
      return page.showMore().then(function () {
        if (generation !== page.generation) return
        page.announce(query, answer, documents.length, everything)
        page.timing = { query: query, ms: performance.now() - started, results: documents.length }
        if (documents.length) performance.mark('foilog-search-results')
        if (counts) return page.showFilters(counts)
        if (!answer.words.length && !page.selected()) {
          page.filters.textContent = ''
          return
        }
        return page.engine.facetData().then(function (later) {
          if (generation === page.generation) {
            page.showFilters(applyFilters(ranked, later, manifest, page.selection).counts)
          }
        })
      }).then(function () {
        if (generation === page.generation) page.settled = generation // results and filters all shown
      })
    }
    return finish(facetValues)
  }

  function byNumber (a, b) { return a - b }

  Page.prototype.announce = function (query, answer, count, everything) {
    var quoted = '\u2018' + query.trim() + '\u2019'
    var key
    if (!answer.words.length && !everything) {
      this.status.textContent = this.say('prompt', { count: this.engine.manifest.documents.toLocaleString('en-GB') })
      this.notes.textContent = ''
      return
    }
    if (everything) key = count === 1 ? 'filteredOne' : 'filtered'
    else if (!count) key = this.selected() ? 'noneFiltered' : 'none'
    else key = count === 1 ? 'one' : 'many'
    this.status.textContent = this.say(key, { count: count.toLocaleString('en-GB'), query: quoted })
    var notes = []
    if (answer.fuzzy && count) notes.push(this.say('fuzzy'))
    if (answer.ignored.length) notes.push(this.say('ignored', { words: answer.ignored.join(', ') }))
    this.notes.textContent = notes.join(' ')
  }

  /** Add the next page of results to the list. */
  Page.prototype.showMore = function () {
    var page = this
    var generation = this.generation
    var numbers = this.documents.slice(this.shown, this.shown + PAGE_SIZE)
    this.shown += numbers.length
    return Promise.all(numbers.map(function (n) { return page.engine.record(n) })).then(function (records) {
      if (generation !== page.generation) return
      var wordTerms = page.answer.wordTerms
      records.forEach(function (record, i) {
        page.list.appendChild(page.result(record, numbers[i], wordTerms))
      })
      var left = page.documents.length - page.shown
      page.more.hidden = left <= 0
      page.more.textContent = page.say('more', { count: Math.min(left, PAGE_SIZE) })
    })
  }

  function fill (element, pieces) {
    element.textContent = ''
    pieces.forEach(function (piece) {
      if (piece.mark) {
        var mark = document.createElement('mark')
        mark.textContent = piece.text
        element.appendChild(mark)
      } else {
        element.appendChild(document.createTextNode(piece.text))
      }
    })
  }

  function slot (node, name) { return node.querySelector('[data-slot="' + name + '"]') }

  Page.prototype.result = function (record, number, wordTerms) {
    var template = document.getElementById('search-result-template')
    var node = template.content.firstElementChild.cloneNode(true)
    var matched = this.matched.get(number) || new Set()
    var cut = snippet(record, matched, wordTerms, SNIPPET_WORDS)
    var link = slot(node, 'link')
    link.setAttribute('href', this.siteRoot + record.url + (cut.section.id ? '#' + cut.section.id : ''))
    fill(slot(node, 'title') || link, highlight(record.title, matched))
    var reference = slot(node, 'reference')
    if (reference) reference.textContent = record.reference ? this.say('reference', record) : ''
    var date = slot(node, 'date')
    if (date) date.textContent = record.date
    var outcome = slot(node, 'outcome')
    if (outcome) {
      outcome.textContent = record.outcomeLabel
      var prefix = outcome.getAttribute('data-class-prefix')
      if (prefix) outcome.classList.add(prefix + record.outcome)
      outcome.setAttribute('data-value', record.outcome)
    }
    var late = slot(node, 'late')
    if (late) late.hidden = record.late !== true
    var where = slot(node, 'where')
    if (where) where.textContent = this.where(cut.section)
    fill(slot(node, 'snippet'), cut.pieces)
    return node
  }

  Page.prototype.where = function (section) {
    if (section.id) {
      var label = LABEL.exec(section.heading || '')
      return this.say('question', { label: label ? label[1] : section.id.replace(/^q/, '') })
    }
    return section.part === 'request' || section.part === 'response' ? this.say(section.part) : ''
  }

  Page.prototype.showFilters = function (counts) {
    var page = this
    if (this.chosen) {
      var chosen = 0
      Object.keys(this.selection).forEach(function (key) { chosen += page.selection[key].length })
      this.chosen.textContent = chosen ? this.say('chosen', { count: chosen }) : ''
    }
    var facetTemplate = document.getElementById('search-facet-template')
    var optionTemplate = document.getElementById('search-option-template')
    var focused = document.activeElement && this.filters.contains(document.activeElement)
      ? document.activeElement.id : ''
    this.filters.textContent = ''
    this.engine.manifest.facets.forEach(function (facet, k) {
      var chosen = page.selection[facet.key] || []
      var options = facet.values.map(function (v, i) { return { value: v, count: counts[k][i], index: i } })
        .filter(function (o) { return o.count > 0 || chosen.indexOf(o.value.value) >= 0 })
      if (!options.length) return
      var node = facetTemplate.content.firstElementChild.cloneNode(true)
      slot(node, 'legend').textContent = facet.name
      var list = slot(node, 'options')
      options.forEach(function (option) {
        var item = optionTemplate.content.firstElementChild.cloneNode(true)
        var box = slot(item, 'input')
        box.type = 'checkbox'
        box.name = facet.key
        box.value = option.value.value
        box.id = 'filter-' + facet.key + '-' + option.index
        box.checked = chosen.indexOf(option.value.value) >= 0
        var label = slot(item, 'label')
        label.textContent = option.value.label
        var count = slot(item, 'count')
        if (count) count.textContent = '(' + option.count.toLocaleString('en-GB') + ')'
        var labelElement = item.querySelector('label')
        if (labelElement) labelElement.setAttribute('for', box.id)
        list.appendChild(item)
      })
      page.filters.appendChild(node)
    })
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus()
  }

  if (typeof document !== 'undefined') {
    var boot = function () {
      var element = document.getElementById('search')
      if (!element) return
      var page = new Page(element)
      window.foilogSearchPage = page
      page.start().catch(function () {})
    }
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot)
    else boot()
  }

  return {
    prepare: prepare,
    words: words,
    stem: stem,
    plan: plan,
    searchIndex: searchIndex,
    Engine: Engine,
    applyFilters: applyFilters,
    snippet: snippet,
    highlight: highlight
  }
})
