// search.js: the client of sitegen's static search index (see docs/search.md).
// Plain JavaScript, no framework, no network beyond this site: it loads
// index.json once, then for each query only the term shards of its words and
// the documents of the results it shows, by byte range from the document
// files they share.
(() => {
  'use strict';
  const form = document.getElementById('search');
  if (!form) return;
  const dir = form.dataset.index; // the index's folder URL, ending in "/"
  const input = form.elements.q;
  const tagSel = form.elements.tag;
  const yearSel = form.elements.year;
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  const more = document.getElementById('search-more');
  const pageSize = 10;
  const maxTerms = 5; // with a tag filter at most 6 shards: the 300 KB bound in docs/search.md
  const maxExpansions = 20;

  // Tokenizer: the same folding and splitting as internal/search/tokenize.go.
  const marks = /\p{Mn}/gu;
  const word = /[\p{L}\p{N}]+/gu;
  const ideograph = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]/u;
  const fold = (s) => s.normalize('NFKD').replace(marks, '').toLowerCase().replace(/ς/g, 'σ');
  function tokens(folded) {
    const out = [];
    const push = (t) => { if ([...t].length <= 32) out.push(t); };
    for (const m of folded.matchAll(word)) {
      let run = '';
      for (const ch of m[0]) {
        if (ideograph.test(ch)) {
          if (run) push(run);
          run = '';
          out.push(ch);
        } else {
          run += ch;
        }
      }
      if (run) push(run);
    }
    return out;
  }

  // cmp orders strings by code point, as Go sorts the shard keys (JS's own
  // < compares UTF-16 units, which differs above U+D7FF).
  const unit = (c) => (c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c);
  function cmp(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = unit(a.charCodeAt(i)), y = unit(b.charCodeAt(i));
      if (x !== y) return x - y;
    }
    return a.length - b.length;
  }

  const files = new Map(); // URL, or URL#from-to for a byte range -> Promise of the bytes
  const utf8 = new TextDecoder();
  function load(url) {
    if (!files.has(url)) {
      files.set(url, fetch(url).then((r) => {
        if (!r.ok) throw new Error(url + ': ' + r.status);
        return r.arrayBuffer().then((b) => new Uint8Array(b));
      }).catch((e) => { files.delete(url); throw e; }));
    }
    return files.get(url);
  }

  // Documents: a document file holds m.perFile documents, after a header
  // of one little-endian uint32 per document, the offset where it ends.
  // A page of results fetches the header of each file it needs, then the
  // byte ranges of its documents, a run of neighbours in one request. A
  // host that ignores Range sends the whole file (status 200): it is kept
  // and sliced.
  const whole = new Map(); // document file URL -> whole file, from such a host
  function range(url, from, to) { // bytes [from, to) of url
    const key = url + '#' + from + '-' + to;
    if (!files.has(key)) {
      files.set(key, (async () => {
        if (!whole.has(url)) {
          const r = await fetch(url, { headers: { Range: 'bytes=' + from + '-' + (to - 1) } });
          if (!r.ok) throw new Error(url + ': ' + r.status);
          const buf = new Uint8Array(await r.arrayBuffer());
          if (r.status === 206) return buf;
          whole.set(url, buf);
        }
        return whole.get(url).subarray(from, to);
      })().catch((e) => { files.delete(key); throw e; }));
    }
    return files.get(key);
  }

  // loadDocs returns the documents ids, in order.
  async function loadDocs(m, ids) {
    const byFile = new Map(); // file number -> positions in it
    for (const id of ids) {
      const f = Math.floor(id / m.perFile);
      if (!byFile.has(f)) byFile.set(f, []);
      byFile.get(f).push(id % m.perFile);
    }
    const docs = new Map();
    await Promise.all([...byFile].map(async ([f, at]) => {
      const url = dir + 'd/' + f + '.bin?v=' + m.version;
      const count = Math.min(m.perFile, m.docs - f * m.perFile);
      // read takes the documents at from a file through get(from, to).
      const read = async (get) => {
        const head = new DataView((await get(0, 4 * count)).slice().buffer);
        const start = (j) => (j === 0 ? 4 * count : head.getUint32(4 * (j - 1), true));
        const end = (j) => head.getUint32(4 * j, true);
        const runs = [];
        for (const j of at.sort((a, b) => a - b)) {
          const r = runs[runs.length - 1];
          if (r && r[1] === j - 1) r[1] = j; else runs.push([j, j]);
        }
        await Promise.all(runs.map(async ([a, b]) => {
          const buf = await get(start(a), end(b));
          for (let j = a; j <= b; j++) {
            const id = f * m.perFile + j;
            const doc = JSON.parse(utf8.decode(buf.subarray(start(j) - start(a), end(j) - start(a))));
            if (doc.n !== id) throw new Error('document ' + id + ' out of place');
            docs.set(id, doc);
          }
        }));
      };
      try {
        await read((from, to) => range(url, from, to));
      } catch {
        // A header and documents of different builds (a cache kept one of
        // them; the version does not hash the text): read the file afresh.
        const r = await fetch(url, { cache: 'reload' });
        if (!r.ok) throw new Error(url + ': ' + r.status);
        const buf = new Uint8Array(await r.arrayBuffer());
        whole.set(url, buf);
        for (const k of files.keys()) if (k.startsWith(url + '#')) files.delete(k);
        await read(async (from, to) => buf.subarray(from, to));
      }
    }));
    return ids.map((id) => docs.get(id));
  }

  let manifest = null;
  async function loadManifest() {
    if (!manifest) {
      manifest = fetch(dir + 'index.json', { cache: 'no-cache' }).then((r) => {
        if (!r.ok) throw new Error('index.json: ' + r.status);
        return r.json();
      }).catch((e) => { manifest = null; throw e; });
    }
    return manifest;
  }

  // A shard is a run of term entries; parse reads their headers into a Map
  // from term to {df, flags, body} without decoding the bodies.
  function uvarint(buf, pos) {
    let x = 0, s = 1;
    for (;;) {
      const b = buf[pos.i++];
      x += (b & 0x7f) * s;
      if (b < 0x80) return x;
      s *= 128;
    }
  }
  const parsed = new WeakMap();
  function parse(buf) {
    if (parsed.has(buf)) return parsed.get(buf);
    const terms = new Map();
    const pos = { i: 0 };
    while (pos.i < buf.length) {
      const len = uvarint(buf, pos);
      const term = utf8.decode(buf.subarray(pos.i, pos.i + len));
      pos.i += len;
      const df = uvarint(buf, pos);
      const flags = buf[pos.i++];
      const size = uvarint(buf, pos);
      terms.set(term, { df, flags, body: buf.subarray(pos.i, pos.i + size) });
      pos.i += size;
    }
    parsed.set(buf, terms);
    return terms;
  }

  async function shardOf(m, term) {
    let lo = 0, hi = m.shards.length - 1; // last shard whose key <= term
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cmp(m.shards[mid], term) <= 0) lo = mid; else hi = mid - 1;
    }
    return parse(await load(dir + 't/' + lo + '.bin?v=' + m.version));
  }

  // decode turns a term entry into sorted document numbers and a scoring
  // function; impacts are stored on a square-root scale.
  function decode(e, n) {
    const pos = { i: 0 };
    const body = e.body;
    const docs = new Uint32Array(e.df);
    if (e.flags & 1) {
      const len = (n + 7) >> 3;
      let k = 0;
      for (let i = 0; i < len; i++) {
        for (let b = body[i], bit = 0; b; b >>= 1, bit++) if (b & 1) docs[k++] = i * 8 + bit;
      }
      pos.i = len;
    } else {
      for (let k = 0, d = 0; k < e.df; k++) docs[k] = d += uvarint(body, pos);
    }
    const sq = (q) => (q / 255) * (q / 255);
    let score = () => 0;
    if (e.flags & 2) {
      const k = uvarint(body, pos);
      const top = new Map();
      const ids = [];
      for (let i = 0, d = 0; i < k; i++) ids.push(d += uvarint(body, pos));
      for (let i = 0; i < k; i++) top.set(ids[i], sq(body[pos.i++]));
      const rest = sq(body[pos.i]);
      score = (d) => top.get(d) ?? rest;
    } else if (!(e.flags & 4)) {
      const imp = body.subarray(pos.i, pos.i + e.df);
      score = (d) => sq(imp[find(docs, d)]);
    }
    return { docs, score };
  }

  function find(docs, d) {
    let lo = 0, hi = docs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (docs[mid] === d) return mid;
      if (docs[mid] < d) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  // union merges the terms a prefix expands to: any of them matches, the
  // best of them scores.
  function union(posts) {
    if (posts.length === 1) return posts[0];
    const all = new Set();
    for (const p of posts) for (const d of p.docs) all.add(d);
    const docs = Uint32Array.from(all).sort();
    return { docs, score: (d) => Math.max(...posts.map((p) => (find(p.docs, d) >= 0 ? p.score(d) : 0))) };
  }

  // lookup finds a query word's postings; the last word, still being typed,
  // also matches the words it begins.
  async function lookup(m, term, prefix) {
    const shard = await shardOf(m, term);
    const found = [];
    const e = shard.get(term);
    if (e) found.push([term, e]);
    if (prefix && term.length >= 2) {
      const ext = [];
      for (const [t, x] of shard) if (t !== term && t.startsWith(term)) ext.push([t, x]);
      ext.sort((a, b) => b[1].df - a[1].df);
      found.push(...ext.slice(0, maxExpansions));
    }
    if (!found.length) return null;
    return { words: found.map((f) => f[0]), post: union(found.map((f) => decode(f[1], m.docs))) };
  }

  // run answers one query: the ranked document numbers and the words to
  // highlight. Every word must match; when no article has them all, any
  // word may (and the status says so).
  async function run(q, tag, year) {
    const m = await loadManifest();
    const words = [...new Set(tokens(fold(q)))].slice(0, maxTerms);
    const prefix = q.length > 0 && !/\s$/.test(q);
    const t0 = performance.now();
    const found = await Promise.all(words.map((w, i) => lookup(m, w, prefix && i === words.length - 1)));
    let filter = null;
    if (tag) {
      const shard = await shardOf(m, '#' + tag);
      const e = shard.get('#' + tag);
      filter = e ? new Set(decode(e, m.docs).docs) : new Set();
    }
    const t1 = performance.now();
    let lo = 0, hi = m.docs;
    if (year) {
      const y = m.years.find((r) => String(r[0]) === year);
      [lo, hi] = y ? [y[1], y[2]] : [0, 0];
    }
    const keep = (d) => d >= lo && d < hi && (!filter || filter.has(d));
    const posts = found.filter(Boolean).map((f) => f.post);
    let ranked, partial = false;
    if (!words.length) {
      ranked = filter ? [...filter].filter(keep).sort((a, b) => b - a) : []; // newest first
    } else {
      ranked = posts.length === words.length ? rank(posts, keep, true) : [];
      if (!ranked.length && posts.length > 0 && words.length > 1) {
        ranked = rank(posts, keep, false);
        partial = ranked.length > 0;
      }
    }
    const hl = found.filter(Boolean).flatMap((f) => f.words);
    return { ranked, partial, highlight: hl, prefix, fetchMs: t1 - t0, rankMs: performance.now() - t1 };
  }

  // rank scores the documents that match all (or any) of posts, best first,
  // newest first among equals.
  function rank(posts, keep, all) {
    const scores = new Map();
    if (all) {
      const [first, ...others] = [...posts].sort((a, b) => a.docs.length - b.docs.length);
      outer: for (const d of first.docs) {
        if (!keep(d)) continue;
        for (const o of others) if (find(o.docs, d) < 0) continue outer;
        scores.set(d, 0);
      }
      for (const [d] of scores) scores.set(d, posts.reduce((s, p) => s + p.score(d), 0));
    } else {
      for (const p of posts) for (const d of p.docs) if (keep(d)) scores.set(d, (scores.get(d) || 0) + p.score(d));
    }
    return [...scores.keys()].sort((a, b) => scores.get(b) - scores.get(a) || b - a);
  }

  // Drawing results: DOM nodes and textContent only, never innerHTML, so
  // no indexed text can inject markup.
  function el(name, attrs, ...kids) {
    const e = document.createElement(name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    e.append(...kids);
    return e;
  }

  // highlight returns text with the words that match terms in <mark>.
  function highlight(text, terms, prefix) {
    const set = new Set(terms);
    const hit = (w) => {
      const f = fold(w);
      if (set.has(f)) return true;
      for (const t of set) if ((prefix && f.startsWith(t)) || (ideograph.test(t) && f.includes(t))) return true;
      return false;
    };
    const out = [];
    let at = 0;
    for (const m of text.matchAll(word)) {
      if (!hit(m[0])) continue;
      out.push(text.slice(at, m.index), el('mark', null, m[0]));
      at = m.index + m[0].length;
    }
    out.push(text.slice(at));
    return out;
  }

  // snippet picks the ~30-word stretch of the body with the most matches.
  function snippet(doc, terms, prefix) {
    const text = doc.b || doc.s || '';
    const ws = [...text.matchAll(word)];
    if (!ws.length) return [];
    const set = new Set(terms);
    const isHit = ws.map((m) => {
      const f = fold(m[0]);
      return set.has(f) || (prefix && [...set].some((t) => f.startsWith(t)));
    });
    const span = 30;
    let best = 0, bestHits = -1, hits = 0;
    for (let i = 0; i < ws.length; i++) {
      hits += isHit[i] ? 1 : 0;
      if (i >= span) hits -= isHit[i - span] ? 1 : 0;
      if (hits > bestHits) { bestHits = hits; best = Math.max(0, i - span + 1); }
    }
    if (bestHits <= 0 && doc.s) return highlight(doc.s, terms, prefix);
    const from = ws[Math.max(0, best - 3)].index;
    const last = ws[Math.min(ws.length - 1, best + span - 1)];
    const to = last.index + last[0].length;
    const parts = highlight(text.slice(from, to).replace(/\n/g, ' '), terms, prefix);
    if (from > 0) parts.unshift('… ');
    if (to < text.length) parts.push(' …');
    return parts;
  }

  const dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
    { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

  function resultItem(doc, terms, prefix) {
    const meta = el('p', { class: 'meta' },
      el('time', { datetime: doc.d }, dateFormat.format(new Date(doc.d + 'T00:00:00Z'))));
    if (doc.g && doc.g.length) meta.append(' · ' + doc.g.join(', '));
    return el('li', null,
      el('h2', null, el('a', { href: doc.u }, ...highlight(doc.t, terms, prefix))),
      meta,
      el('p', { class: 'snippet' }, ...snippet(doc, terms, prefix)));
  }

  let current = null; // the answer on screen, for "More results"
  let seq = 0; // answers to older queries are dropped

  async function showPage(answer, my) {
    const m = await loadManifest();
    const ids = answer.ranked.slice(answer.shown, answer.shown + pageSize);
    const docs = await loadDocs(m, ids);
    if (my !== seq) return;
    list.append(...docs.map((d) => resultItem(d, answer.highlight, answer.prefix)));
    answer.shown += ids.length;
    more.hidden = answer.shown >= answer.ranked.length;
  }

  async function update() {
    const my = ++seq;
    const q = input.value, tag = tagSel ? tagSel.value : '', year = yearSel ? yearSel.value : '';
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    if (tag) params.set('tag', tag);
    if (year) params.set('year', year);
    history.replaceState(null, '', params.size ? '?' + params : location.pathname);
    if (!q.trim() && !tag && !year) {
      list.replaceChildren();
      status.textContent = '';
      more.hidden = true;
      form.removeAttribute('aria-busy'); // a query still running no longer answers
      return;
    }
    form.setAttribute('aria-busy', 'true');
    try {
      const answer = await run(q, tag, year);
      if (my !== seq) return;
      const t = performance.now();
      answer.shown = 0;
      current = answer;
      list.replaceChildren();
      await showPage(answer, my);
      if (my !== seq) return;
      const n = answer.ranked.length;
      const say = (key) => form.dataset[key].replace('{1}', n.toLocaleString(document.documentElement.lang || undefined));
      status.textContent = say(n === 0 ? 'none' : answer.partial ? 'partial' : 'found');
      form.dataset.rankMs = answer.rankMs.toFixed(1);
      form.dataset.showMs = (answer.rankMs + performance.now() - t).toFixed(1);
    } catch (e) {
      if (my === seq) status.textContent = form.dataset.failed + ' ' + e.message;
    } finally {
      if (my === seq) form.removeAttribute('aria-busy');
    }
  }

  // Typing waits for a pause before searching; meanwhile the results on
  // screen no longer answer the box, so the form is busy at once.
  let timer = 0;
  const soon = () => {
    clearTimeout(timer);
    form.setAttribute('aria-busy', 'true');
    timer = setTimeout(update, 120);
  };
  input.addEventListener('input', soon);
  for (const s of [tagSel, yearSel]) if (s) s.addEventListener('change', update);
  form.addEventListener('submit', (e) => { e.preventDefault(); clearTimeout(timer); update(); });
  more.addEventListener('click', () => { if (current) showPage(current, seq); });

  const params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  if (tagSel) tagSel.value = params.get('tag') || '';
  if (yearSel) yearSel.value = params.get('year') || '';
  if (input.value || params.get('tag') || params.get('year')) update();
})();
