package build

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/site"
)

// A pageKey is a hash of everything a page's template can show. Two builds
// that give a page the same key give it the same bytes.
type pageKey = sourceHash

// keyWriter feeds length-prefixed fields into SHA-256, so that no two
// different field sequences hash alike. It gathers the fields of a key in
// a buffer and hashes them at once: a page's key is some forty small
// fields, and a write to the hash each was half of keying a site.
type keyWriter struct {
	h   hash.Hash // nil until the buffer first grows past keyBuffer
	buf []byte
	// Scratch lists of periods for writePeriodReads and samePeriodReads.
	periods [4][]*site.Period
}

// keyBuffer is how much a keyWriter gathers before it feeds the hash.
const keyBuffer = 4096

func (k *keyWriter) int(n int64) {
	k.buf = binary.AppendVarint(k.buf, n)
}

func (k *keyWriter) bytes(b []byte) {
	k.int(int64(len(b)))
	if len(k.buf)+len(b) > keyBuffer {
		k.writer().Write(b)
		return
	}
	k.buf = append(k.buf, b...)
}

func (k *keyWriter) str(s string) {
	k.int(int64(len(s)))
	if len(k.buf)+len(s) > keyBuffer {
		io.WriteString(k.writer(), s)
		return
	}
	k.buf = append(k.buf, s...)
}

func (k *keyWriter) hash(h sourceHash) { k.buf = append(k.buf, h[:]...) }

// writer feeds what k gathered into its hash and returns the hash, for
// writing into directly.
func (k *keyWriter) writer() io.Writer {
	if k.h == nil {
		k.h = sha256.New()
	}
	k.h.Write(k.buf)
	k.buf = k.buf[:0]
	return k.h
}

func (k *keyWriter) sum() sourceHash {
	var full [sha256.Size]byte
	if k.h == nil {
		full = sha256.Sum256(k.buf)
	} else {
		k.writer()
		k.h.Sum(full[:0])
		k.h.Reset()
	}
	k.buf = k.buf[:0]
	var out sourceHash
	copy(out[:], full[:])
	return out
}

var (
	programOnce sync.Once
	programHash sourceHash
)

// programKey hashes the running executable, so that a new version of
// sitegen, whose parsing or rendering may differ, never trusts pages an
// older one wrote.
func programKey() sourceHash {
	programOnce.Do(func() {
		var k keyWriter
		k.str("sitegen build cache v1")
		err := hashExecutable(&k)
		if err == nil {
			programHash = k.sum()
			return
		}
		// Without the executable's bytes no key can be trusted across
		// processes: make this process's keys its own.
		k.str(err.Error())
		k.int(int64(os.Getpid()))
		programHash = k.sum()
	})
	return programHash
}

// hashExecutable writes the running executable's bytes to k as k.bytes
// would, reading them in pieces: the whole file, held for a hash, was
// 17 MB of fresh memory to fault in on every build.
func hashExecutable(k *keyWriter) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	f, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	k.int(fi.Size())
	n, err := io.Copy(k.writer(), f)
	if err == nil && n != fi.Size() {
		err = fmt.Errorf("%s changed while it was read", exe)
	}
	return err
}

// pageKeys computes every page's key, on all cores, and notes every
// article's in b.artKeys. known, when not nil, holds articles' keys that
// are to be taken as they are; it becomes b.artKeys.
func (b *Builder) pageKeys(pages []*render.Page, known map[*content.Article]artKeys) []pageKey {
	kr := b.newKeyer()
	if known != nil {
		kr.arts = known
	}
	kr.prepare(pages)
	b.artKeys = kr.arts
	out := make([]pageKey, len(pages))
	forEach(len(pages), func(k *keyWriter, i int) { out[i] = kr.key(k, pages[i]) })
	return out
}

// forEach calls f for 0 <= i < n on all cores, giving each goroutine a
// keyWriter of its own.
func forEach(n int, f func(k *keyWriter, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/512+1) // small sites: not worth a goroutine
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var k keyWriter
			for i := w; i < n; i += workers {
				f(&k, i)
			}
		})
	}
	wg.Wait()
}

// A keyer computes page keys from the Builder's current site. It remembers
// the article and template parts it has hashed, so it serves one state of
// the site: make a new one after the site changes.
type keyer struct {
	b      *Builder
	global sourceHash // the program and the theme
	// Every article has two keys: meta covers all it shows but its body,
	// full covers the body too. Both are computed on first use, or all at
	// once by prepare.
	arts   map[*content.Article]artKeys
	parts  siteParts
	byTmpl map[tmplKind]tmplKeys
	// frozen is set by prepare (or movePages) once arts holds every
	// article of the site and byTmpl every template of the pages keyed,
	// so that key may run on several goroutines at once.
	frozen bool
	// The site-wide parts of the site the pages were made from before,
	// for samePage; made on first use.
	prev      *siteParts
	prevByTmp map[tmplKind]sourceHash
	scratch   keyWriter // samePage's scratch lists
}

type artKeys struct{ meta, full sourceHash }

// tmplKind is a page template and whether the page is a home page, whose
// template may show more of the site (render.PageDeps).
type tmplKind struct {
	tmpl string
	home bool
}

// tmplKeys is what a page template's key takes from the site.
type tmplKeys struct {
	site    sourceHash // the site-wide parts the template shows
	bodies  bool       // the template shows bodies: article keys are full, not meta
	related bool       // the template shows .Related
	all     bool       // the template reads every article (render.DepsAll)
	tags    bool       // the template reads the site's tags (render.DepsTags)
	period  bool       // the template reads the page's period (render.DepsPagePeriod)
	// The periods the template reads from a date page's own, when the
	// analysis can tell (render.PeriodReads): those alone are keyed
	// instead of every period of the site.
	periodReads []render.PeriodRead
	localPeriod bool
}

// splitReads parts the period reads of a template (render.PeriodReads)
// into those from a date page's own period and those from the site's
// years, each path then starting from each year.
func splitReads(reads []render.PeriodRead) (own, years []render.PeriodRead) {
	for _, r := range reads {
		if rest, ok := strings.CutPrefix(r.Path, "Y"); ok {
			years = append(years, render.PeriodRead{Path: rest, Count: r.Count})
		} else {
			own = append(own, r)
		}
	}
	return own, years
}

// templateSite returns what pages of p's template and kind, reading d
// from the site, take from sp's site as a whole (tmplKeys.site). The
// site's periods (render.DepsPeriods, .Site.Years) are keyed by what the
// templates read of them where the analysis can tell: for templates that
// list the years, the years' starts, not every day's article count.
func (kr *keyer) templateSite(sp *siteParts, p *render.Page, d render.SiteDeps) sourceHash {
	d &^= render.DepsBodies | render.DepsRelated | render.DepsPagePeriod
	reads, ok := kr.b.theme.renderer.PeriodReads(p.Template())
	if !ok || d&render.DepsPeriods == 0 {
		return sp.key(d)
	}
	_, years := splitReads(reads)
	var k keyWriter
	k.hash(sp.key(d &^ render.DepsPeriods))
	writePeriodReads(&k, sp.site.Years, years)
	return k.sum()
}

func (b *Builder) newKeyer() *keyer {
	// arts is sized by prepare, which fills it: a keyer that keys the few
	// pages an edit changes holds a few articles, not the site's.
	kr := &keyer{b: b, arts: map[*content.Article]artKeys{}, byTmpl: map[tmplKind]tmplKeys{}}
	var k keyWriter
	k.hash(programKey())
	k.hash(b.themeHash)
	kr.global = k.sum()
	kr.parts = siteParts{site: b.site, full: func(a *content.Article) sourceHash { return kr.article(a).full }}
	return kr
}

// prepare computes the keys of every article of the site it does not hold
// yet, on all cores, and the site parts of the pages' templates; after it,
// key is safe for concurrent use.
func (kr *keyer) prepare(pages []*render.Page) {
	todo := kr.b.site.Articles
	if len(kr.arts) == 0 {
		kr.arts = make(map[*content.Article]artKeys, len(todo))
	} else {
		todo = slices.DeleteFunc(slices.Clone(todo), func(a *content.Article) bool {
			_, ok := kr.arts[a]
			return ok
		})
	}
	out := make([]artKeys, len(todo))
	forEach(len(todo), func(k *keyWriter, i int) { out[i] = kr.articleKeys(k, todo[i]) })
	for i, a := range todo {
		kr.arts[a] = out[i]
	}
	arts := kr.b.site.Articles
	related := false
	for _, p := range pages {
		related = kr.template(p).related || related
	}
	kr.parts.key(render.DepsPeriods)
	if related && len(arts) > 0 {
		kr.b.site.Related(arts[0]) // computes them all, on all cores
	}
	kr.frozen = true
}

// article returns a's keys.
func (kr *keyer) article(a *content.Article) artKeys {
	ak, ok := kr.arts[a]
	if !ok && !kr.frozen { // frozen: every article of the site is there; others have none
		var k keyWriter
		ak = kr.articleKeys(&k, a)
		kr.arts[a] = ak
	}
	return ak
}

// articleKeys computes a's keys with k. The site holds the archive's
// normalized copy of each article (package archive), which b.published
// maps back to its source; an article that is not a published copy gets
// zero keys.
func (kr *keyer) articleKeys(k *keyWriter, a *content.Article) artKeys {
	var ak artKeys
	if s := kr.b.sources[a.Source]; s != nil && s.art != nil && kr.b.published[a.Source] == a {
		k.str(a.Source)
		k.hash(s.meta)
		k.str(a.URLPath()) // the slug may have been renamed
		writeArchiveFields(k, a)
		ak.meta = k.sum()
		k.hash(ak.meta)
		k.hash(s.hash)
		ak.full = k.sum()
	}
	return ak
}

// template returns what pages of p's template and kind take from the site.
func (kr *keyer) template(p *render.Page) tmplKeys {
	tkind := tmplKind{p.Template(), p.Kind == render.KindHome}
	tk, ok := kr.byTmpl[tkind]
	if !ok {
		d := kr.b.theme.renderer.PageDeps(p)
		tk = tmplKeys{
			site:    kr.templateSite(&kr.parts, p, d),
			bodies:  d&render.DepsBodies != 0,
			related: d&render.DepsRelated != 0,
			all:     d&render.DepsAll != 0,
			tags:    d&render.DepsTags != 0,
			period:  d&render.DepsPagePeriod != 0,
		}
		reads, ok := kr.b.theme.renderer.PeriodReads(p.Template())
		tk.periodReads, _ = splitReads(reads)
		tk.localPeriod = ok
		kr.byTmpl[tkind] = tk
	}
	return tk
}

// key computes p's key with k.
func (kr *keyer) key(k *keyWriter, p *render.Page) pageKey {
	tk := kr.template(p)
	k.hash(kr.global)
	k.hash(tk.site)
	writePage(k, p, func(a *content.Article) sourceHash {
		if tk.bodies {
			return kr.article(a).full
		}
		return kr.article(a).meta
	})
	if tk.related && p.Article != nil {
		for _, r := range kr.b.site.Related(p.Article) {
			k.hash(kr.article(r).meta)
		}
	}
	switch {
	case !tk.period:
	case p.Period != nil && tk.localPeriod:
		writePeriodReads(k, []*site.Period{p.Period}, tk.periodReads)
	case p.Period != nil || p.Kind == render.KindHome && render.Charted(p):
		k.hash(kr.parts.key(render.DepsPeriods))
	}
	return k.sum()
}

// writePeriodReads feeds k what a page's templates read of the periods
// they reach from from (a date page's own period, or the site's years):
// for each path, every period it reaches, in the order the templates meet
// them, with how many each step found from each period before it (so that
// the same periods reached from different ones key differently), their
// kinds and starts, and their article counts when the templates read them.
func writePeriodReads(k *keyWriter, from []*site.Period, reads []render.PeriodRead) {
	at, next := k.periods[0], k.periods[1]
	for _, r := range reads {
		k.str(r.Path)
		k.int(int64(len(from)))
		at = append(at[:0], from...)
		for _, step := range []byte(r.Path) {
			next = next[:0]
			for _, p := range at {
				n := len(next)
				next = stepPeriod(next, p, step)
				k.int(int64(len(next) - n))
			}
			at, next = next, at
		}
		for _, p := range at {
			k.int(int64(p.Kind))
			k.int(p.Start.Unix())
			if r.Count {
				k.int(int64(len(p.Articles)))
			}
		}
	}
	k.periods[0], k.periods[1] = at[:0], next[:0]
}

// samePeriodReads reports whether writePeriodReads writes the same for
// x as for y, without hashing.
func samePeriodReads(k *keyWriter, x, y *site.Period, reads []render.PeriodRead) bool {
	ax, ay, nx, ny := k.periods[0], k.periods[1], k.periods[2], k.periods[3]
	defer func() { k.periods = [4][]*site.Period{ax[:0], ay[:0], nx[:0], ny[:0]} }()
	for _, r := range reads {
		ax, ay = append(ax[:0], x), append(ay[:0], y)
		for _, step := range []byte(r.Path) {
			nx, ny = nx[:0], ny[:0]
			for i := range ax { // as long as ay, step by step
				nx, ny = stepPeriod(nx, ax[i], step), stepPeriod(ny, ay[i], step)
				if len(nx) != len(ny) {
					return false
				}
			}
			ax, nx, ay, ny = nx, ax, ny, ay
		}
		for i, p := range ax {
			q := ay[i]
			if p.Kind != q.Kind || p.Start.Unix() != q.Start.Unix() || r.Count && len(p.Articles) != len(q.Articles) {
				return false
			}
		}
	}
	return true
}

// stepPeriod appends to ps the periods one step of a period read path
// reaches from p.
func stepPeriod(ps []*site.Period, p *site.Period, step byte) []*site.Period {
	switch step {
	case 'u':
		ps = appendPeriod(ps, p.Parent)
	case 'p':
		ps = appendPeriod(ps, p.Prev)
	case 'n':
		ps = appendPeriod(ps, p.Next)
	case 'c':
		ps = append(ps, p.Children...)
	}
	return ps
}

func appendPeriod(ps []*site.Period, p *site.Period) []*site.Period {
	if p != nil {
		ps = append(ps, p)
	}
	return ps
}

// showsBodyOf reports whether p's key covers the body of an article in
// changed: its template shows bodies and the page holds one of them, or its
// template reads every article.
func (kr *keyer) showsBodyOf(p *render.Page, changed map[*content.Article]bool) bool {
	// Only the template's flags: its site parts are hashed for the pages
	// whose key is computed again, not for every page looked at.
	d := kr.b.theme.renderer.PageDeps(p)
	if d&render.DepsAll != 0 {
		return true
	}
	if d&render.DepsBodies == 0 {
		return false
	}
	if changed[p.Article] || changed[p.Older] || changed[p.Newer] {
		return true
	}
	for _, a := range p.List {
		if changed[a] {
			return true
		}
	}
	return false
}

// writeArchiveFields feeds what the archive-wide steps set on an article,
// which an edit to another article can change: topic tags (weighed across
// the archive), "Read more" links and the aliases of its duplicates.
func writeArchiveFields(k *keyWriter, a *content.Article) {
	for _, t := range a.Tags {
		k.str(t.Slug)
		k.str(t.Name)
	}
	k.int(-1)
	for _, r := range a.SeeAlso {
		k.str(r.URLPath())
		k.str(r.Title)
	}
	k.int(-1)
	for _, al := range a.Aliases {
		k.str(al)
	}
	k.int(-1)
}

// writePage feeds a page's own fields into k.
func writePage(k *keyWriter, p *render.Page, art func(*content.Article) sourceHash) {
	k.str(p.Kind)
	k.str(p.Title)
	k.str(p.Path)
	k.str(p.Template())
	for _, a := range []*content.Article{p.Article, p.Older, p.Newer} {
		if a != nil {
			k.hash(art(a))
		} else {
			k.int(-1)
		}
	}
	k.int(int64(len(p.List)))
	for _, a := range p.List {
		k.hash(art(a))
	}
	if pg := p.Pager; pg != nil {
		k.int(int64(pg.Number))
		k.int(int64(pg.Total))
		k.str(pg.First)
		k.str(pg.Prev)
		k.str(pg.Next)
	}
	if t := p.Tag; t != nil {
		k.str(t.Name)
		k.str(t.Slug)
		k.int(int64(len(t.Articles)))
	}
}

// siteParts computes and remembers the hashes of the site-wide data that
// templates may show.
type siteParts struct {
	site *site.Site
	full func(*content.Article) sourceHash // an article's key, body included
	done map[render.SiteDeps]sourceHash
}

func (sp *siteParts) key(d render.SiteDeps) sourceHash {
	if sp.done == nil {
		sp.done = map[render.SiteDeps]sourceHash{}
	}
	if h, ok := sp.done[d]; ok {
		return h
	}
	var k keyWriter
	k.int(int64(d))
	if d&(render.DepsArticleCount|render.DepsAll) != 0 {
		k.int(int64(len(sp.site.Articles)))
	}
	if d&(render.DepsTags|render.DepsAll) != 0 {
		for _, t := range sp.site.Tags {
			k.str(t.Name)
			k.str(t.Slug)
			k.int(int64(len(t.Articles)))
		}
	}
	if d&(render.DepsPeriods|render.DepsAll) != 0 {
		var walk func(ps []*site.Period)
		walk = func(ps []*site.Period) {
			for _, p := range ps {
				k.int(int64(p.Kind))
				k.int(p.Start.Unix())
				k.int(int64(len(p.Articles)))
				walk(p.Children)
			}
		}
		walk(sp.site.Years)
	}
	if d&(render.DepsNotes|render.DepsAll) != 0 {
		for _, n := range sp.site.Notes {
			k.str(n)
		}
	}
	if d&render.DepsAll != 0 {
		for _, a := range sp.site.Articles {
			k.hash(sp.full(a))
		}
	}
	h := k.sum()
	sp.done[d] = h
	return h
}

// prevParts returns the site-wide parts of prev, the site the pages were
// made from before. They are not asked for every article's keys
// (prevTemplate leaves templates that read them out); if they were, zero
// keys would make the parts differ from any site's.
func (kr *keyer) prevParts(prev *site.Site) *siteParts {
	if kr.prev == nil {
		kr.prev = &siteParts{site: prev, full: func(*content.Article) sourceHash { return sourceHash{} }}
	}
	return kr.prev
}

// prevTemplate returns the site-wide hash p's template had over prev, as
// tmplKeys.site; the zero hash for a template that reads every article.
func (kr *keyer) prevTemplate(p *render.Page, prev *site.Site) sourceHash {
	tkind := tmplKind{p.Template(), p.Kind == render.KindHome}
	if h, ok := kr.prevByTmp[tkind]; ok {
		return h
	}
	var h sourceHash
	if d := kr.b.theme.renderer.PageDeps(p); d&render.DepsAll == 0 {
		h = kr.templateSite(kr.prevParts(prev), p, d)
	}
	if kr.prevByTmp == nil {
		kr.prevByTmp = map[tmplKind]sourceHash{}
	}
	kr.prevByTmp[tkind] = h
	return h
}

// isIn returns a function reporting whether an article is in set, which
// is asked about every article of every page: a set of a few is scanned
// rather than hashed into.
func isIn(set map[*content.Article]bool) func(*content.Article) bool {
	if len(set) > 8 {
		return func(a *content.Article) bool { return set[a] }
	}
	few := make([]*content.Article, 0, len(set))
	for a, in := range set {
		if in {
			few = append(few, a)
		}
	}
	return func(a *content.Article) bool { return a != nil && slices.Contains(few, a) }
}

// samePage reports whether p's key is what old's was, old being the page
// of p's file keyed over prev, the site the current one was made from by
// moving, adding or deleting the articles in moved (whose keys may
// differ) while the others stayed as they were: whether all key hashes
// of p is what it hashed of old. tk is what p's template takes from the
// current site, prevSite what it took from prev (tk.site then). It never
// says so for a template that reads every article.
//
// pos is p's article's site position when p is that article's page, -1
// otherwise: its related stories are then those of prev when the site
// kept them (site.Site.RelatedKept), the two sites sharing their articles.
func (kr *keyer) samePage(tk tmplKeys, prevSite sourceHash, p, old *render.Page, pos int, prev *site.Site, moved func(*content.Article) bool) bool {
	if tk.all || tk.site != prevSite || p.Kind != old.Kind || p.Template() != old.Template() ||
		p.Title != old.Title || p.Path != old.Path {
		return false
	}
	kept := func(a, b *content.Article) bool { return a == b && !moved(a) }
	if !kept(p.Article, old.Article) || !kept(p.Older, old.Older) || !kept(p.Newer, old.Newer) ||
		!slices.EqualFunc(p.List, old.List, kept) {
		return false
	}
	switch pg, og := p.Pager, old.Pager; {
	case (pg == nil) != (og == nil):
		return false
	case pg != nil && *pg != *og:
		return false
	}
	switch t, ot := p.Tag, old.Tag; {
	case (t == nil) != (ot == nil):
		return false
	case t != nil && (t.Name != ot.Name || t.Slug != ot.Slug || len(t.Articles) != len(ot.Articles)):
		return false
	}
	if tk.related && p.Article != nil {
		if pos >= 0 && kr.b.site.RelatedKept(prev, pos) {
			if slices.ContainsFunc(kr.b.site.RelatedOf(pos), moved) {
				return false
			}
		} else if !prev.RelatedComputed() || !slices.EqualFunc(kr.b.site.Related(p.Article), prev.Related(old.Article), kept) {
			return false
		}
	}
	switch {
	case !tk.period:
	case p.Period != nil && tk.localPeriod:
		return old.Period != nil && samePeriodReads(&kr.scratch, p.Period, old.Period, tk.periodReads)
	case p.Period != nil || p.Kind == render.KindHome && render.Charted(p):
		return kr.parts.key(render.DepsPeriods) == kr.prevParts(prev).key(render.DepsPeriods)
	}
	return true
}
