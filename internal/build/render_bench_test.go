package build

import (
	"bytes"
	"context"
	"testing"

	"github.com/sitegen/sitegen/internal/render"
)

// BenchmarkRenderPages renders the pages of a built site as a cold build
// does (withBodies, then the template) and reports the cost of one page:
// ns/op, cpu-ns/op (the process's CPU time, garbage collection included)
// and allocs/op are per page. "all" renders every page in build
// order, starting each pass with an empty fragment cache as a build does,
// so the parts drawn once per build ({{cache}}) are counted once per pass.
// Each kind's benchmark then renders that kind's pages with the fragment
// cache full, as most pages of a build find it: list entries are drawn by
// the home pages, which list every article, before the other lists. With
// -benchsite, bodies are read back from a spill file as a build to disk
// does.
func BenchmarkRenderPages(b *testing.B) {
	root, _ := benchSiteRoot(b)
	bl := &Builder{root: root}
	if err := bl.loadTheme(); err != nil {
		b.Fatal(err)
	}
	spill, err := newBodySpill(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer spill.close()
	bl.spill = spill
	if err := bl.loadAllContent(context.Background()); err != nil {
		b.Fatal(err)
	}
	bl.reindex()
	byKind := map[string][]*render.Page{}
	var all []*render.Page
	for _, f := range bl.files {
		p := bl.pages[f]
		byKind[p.Kind] = append(byKind[p.Kind], p)
		all = append(all, p)
	}
	r := bl.theme.renderer
	for _, kind := range []string{"all", render.KindArticle, render.KindHome, render.KindTag, render.KindYear,
		render.KindMonth, render.KindDay, render.KindTags, render.KindAlias} {
		pages := byKind[kind]
		if kind == "all" {
			pages = all
		}
		if len(pages) == 0 {
			continue
		}
		b.Run(kind, func(b *testing.B) {
			var buf bytes.Buffer
			render1 := func(p *render.Page) {
				buf.Reset()
				p, err := bl.withBodies(p)
				if err == nil {
					err = r.Render(&buf, p)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			r.ResetCache()
			if kind != "all" {
				for _, p := range all {
					render1(p)
				}
			}
			b.ReportAllocs()
			i, bytesOut := 0, 0
			cpu := processCPU()
			for b.Loop() {
				if i == len(pages) {
					i = 0
					if kind == "all" {
						r.ResetCache()
					}
				}
				render1(pages[i])
				bytesOut += buf.Len()
				i++
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(bytesOut)/float64(b.N), "B/page")
		})
	}
}

// BenchmarkFeeds makes every feed of a built site (RSS and Atom of the
// site and of each tag) and reports the cost of one feed pair per op.
func BenchmarkFeeds(b *testing.B) {
	root, _ := benchSiteRoot(b)
	bl, err := NewBuilder(context.Background(), root)
	if err != nil {
		b.Fatal(err)
	}
	out := &outputs{site: bl.site}
	feeds := out.feeds()
	b.ReportAllocs()
	i, bytesOut := 0, 0
	emit := func(_ string, data []byte) error { bytesOut += len(data); return nil }
	cpu := processCPU()
	for b.Loop() {
		if err := out.writeFeed(feeds[i%len(feeds)], emit); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(bytesOut)/float64(b.N), "B/feedpair")
}

// BenchmarkSitemap makes the sitemap of a built site; one op is the whole
// sitemap, reported per URL too.
func BenchmarkSitemap(b *testing.B) {
	root, _ := benchSiteRoot(b)
	bl, err := NewBuilder(context.Background(), root)
	if err != nil {
		b.Fatal(err)
	}
	out := &outputs{site: bl.site}
	pages := bl.pageList()
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		err := out.writeSitemap(pages, func(string, []byte) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pages)), "ns/url")
}
