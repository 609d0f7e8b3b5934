package build

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/site"
)

// A pageKey is a hash of everything a page's template can show. Two builds
// that give a page the same key give it the same bytes.
type pageKey = sourceHash

// keyWriter feeds length-prefixed fields into SHA-256, so that no two
// different field sequences hash alike.
type keyWriter struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
}

func (k *keyWriter) init() {
	if k.h == nil {
		k.h = sha256.New()
	}
}

func (k *keyWriter) int(n int64) {
	k.init()
	k.h.Write(k.buf[:binary.PutVarint(k.buf[:], n)])
}

func (k *keyWriter) bytes(b []byte) {
	k.int(int64(len(b)))
	k.h.Write(b)
}

func (k *keyWriter) str(s string) {
	k.int(int64(len(s)))
	io.WriteString(k.h, s)
}

func (k *keyWriter) hash(h sourceHash) { k.init(); k.h.Write(h[:]) }

func (k *keyWriter) sum() sourceHash {
	k.init()
	var out sourceHash
	copy(out[:], k.h.Sum(nil))
	k.h.Reset()
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
		exe, err := os.Executable()
		if err == nil {
			if data, err := os.ReadFile(exe); err == nil {
				k.bytes(data)
				programHash = k.sum()
				return
			}
		}
		// Without the executable's bytes no key can be trusted across
		// processes: make this process's keys its own.
		k.str(err.Error())
		k.int(int64(os.Getpid()))
		programHash = k.sum()
	})
	return programHash
}

// pageKeys computes every page's key.
func (b *Builder) pageKeys(pages []*render.Page) map[string]pageKey {
	var k keyWriter
	k.hash(programKey())
	k.hash(b.themeHash)
	global := k.sum()

	// Every article has two keys: meta covers all it shows but its body,
	// full covers the body too.
	meta := make(map[*content.Article]sourceHash, len(b.site.Articles))
	full := make(map[*content.Article]sourceHash, len(b.site.Articles))
	for _, s := range b.sources {
		// The site holds the archive's normalized copy of each article
		// (package archive); a left-out duplicate has none and no page.
		if s.art == nil {
			continue
		}
		if a := b.published[s.art.Source]; a != nil {
			k.str(a.Source)
			k.hash(s.meta)
			k.str(a.URLPath()) // the slug may have been renamed
			writeArchiveFields(&k, a)
			m := k.sum()
			meta[a] = m
			k.hash(m)
			k.hash(s.hash)
			full[a] = k.sum()
		}
	}
	parts := siteParts{site: b.site, arts: full}
	type tmplKeys struct {
		site    sourceHash
		arts    map[*content.Article]sourceHash
		related bool // the template shows .Related
	}
	byTmpl := map[string]tmplKeys{}
	keys := make(map[string]pageKey, len(pages))
	for _, p := range pages {
		tk, ok := byTmpl[p.Template()]
		if !ok {
			d := b.theme.renderer.Deps(p.Template())
			tk = tmplKeys{parts.key(d &^ (render.DepsBodies | render.DepsRelated)), meta, d&render.DepsRelated != 0}
			if d&render.DepsBodies != 0 {
				tk.arts = full
			}
			byTmpl[p.Template()] = tk
		}
		k.hash(global)
		k.hash(tk.site)
		writePage(&k, p, tk.arts)
		if tk.related && p.Article != nil {
			for _, r := range b.site.Related(p.Article) {
				k.hash(meta[r])
			}
		}
		if p.Period != nil || p.Kind == render.KindHome {
			k.hash(parts.key(render.DepsPeriods))
		}
		keys[p.File()] = k.sum()
	}
	return keys
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
func writePage(k *keyWriter, p *render.Page, arts map[*content.Article]sourceHash) {
	k.str(p.Kind)
	k.str(p.Title)
	k.str(p.Path)
	k.str(p.Template())
	for _, a := range []*content.Article{p.Article, p.Older, p.Newer} {
		if a != nil {
			k.hash(arts[a])
		} else {
			k.int(-1)
		}
	}
	k.int(int64(len(p.List)))
	for _, a := range p.List {
		k.hash(arts[a])
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
	arts map[*content.Article]sourceHash
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
			k.hash(sp.arts[a])
		}
	}
	h := k.sum()
	sp.done[d] = h
	return h
}

// outputsKey hashes everything the feeds, sitemap and search index can
// show: the theme, the program and every article, body included, with its
// URL, in date order (the order the site lists them in).
func (b *Builder) outputsKey() sourceHash {
	var k keyWriter
	k.hash(programKey())
	k.hash(b.themeHash)
	for _, a := range b.site.Articles {
		s := b.sources[a.Source]
		k.str(a.Source)
		k.str(a.URLPath())
		k.hash(s.hash)
		k.hash(s.meta)
	}
	for _, n := range b.site.Notes {
		k.str(n)
	}
	return k.sum()
}
