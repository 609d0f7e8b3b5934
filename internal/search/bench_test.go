package search_test

import (
	"context"
	"flag"
	"html/template"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"

	"github.com/sitegen/sitegen/internal/build"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/search"
)

// Benchmarks of the index alone, over the articles of a site loaded as a
// build loads them (bodies in memory). By default the repository's sample
// archive; for archive scale, e.g.
//
//	go test ./internal/search -run '^$' -bench Index -benchsite /tmp/speed/c10000
var benchSite = flag.String("benchsite", "../..", "index the articles of this site")

// The inversion's bounds, to see at a smaller archive the passes a large
// one takes: at 50k, -invertmax 400000 makes the postings as many times
// the bound as a million articles' are 8M, and -invertpasses 1000000000
// is the fixed bound of before the passes were bounded.
var (
	invertMax    = flag.Int("invertmax", 0, "postings inverted in one pass (0: the default)")
	invertPasses = flag.Int("invertpasses", 0, "passes over the entries aimed at (0: the default)")
)

var benchArts = sync.OnceValues(func() ([]*content.Article, error) {
	b, err := build.NewBuilder(context.Background(), *benchSite)
	if err != nil {
		return nil, err
	}
	return b.Site().Articles, nil
})

func loadBenchArticles(b *testing.B) []*content.Article {
	b.Helper()
	arts, err := benchArts()
	if err != nil {
		b.Fatal(err)
	}
	if len(arts) == 0 {
		b.Fatalf("no articles in %s", *benchSite)
	}
	return arts
}

// start notes the heap allocated and CPU time used so far, resets the
// timer and returns the function that reports, for b.N runs over n
// articles: articles/s, heap bytes allocated per article and CPU time per
// run (user and system, all goroutines, garbage collection included).
func start(b *testing.B, n int) (report func()) {
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := cpuTime()
	b.ResetTimer()
	return func() {
		b.StopTimer()
		used := cpuTime() - cpu
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		total := float64(n) * float64(b.N)
		b.ReportMetric(total/b.Elapsed().Seconds(), "articles/s")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/total, "B/article")
		if used > 0 {
			b.ReportMetric(used.Seconds()*1000/float64(b.N), "cpu-ms/op")
		}
	}
}

func discard(string, []byte) error { return nil }

// BenchmarkIndexCold indexes every article from scratch: analyses, term
// shards, manifest and every document file, as a cold build does.
func BenchmarkIndexCold(b *testing.B) {
	arts := loadBenchArticles(b)
	defer search.SetInvertBounds(*invertMax, *invertPasses)()
	runtime.GC() // the loading's garbage
	passes := 0
	defer func() { b.ReportMetric(float64(passes)/float64(b.N), "passes/op") }()
	defer start(b, len(arts))()
	for range b.N {
		st, err := search.Write(context.Background(), arts, search.Options{}, discard)
		if err != nil {
			b.Fatal(err)
		}
		passes += st.InvertPasses
	}
}

// BenchmarkIndexOneEdit indexes again after one article's body changed,
// from the previous index's cache, making only that article's document
// file, as an edit build does.
func BenchmarkIndexOneEdit(b *testing.B) {
	arts := loadBenchArticles(b)
	docs := make([]search.Doc, len(arts))
	for i, a := range arts {
		docs[i] = search.Doc{Article: a, Key: [16]byte{byte(i), byte(i >> 8), byte(i >> 16), 1}, File: true}
	}
	_, cache, err := search.Index(context.Background(), docs, search.Options{}, nil, discard)
	if err != nil {
		b.Fatal(err)
	}
	mid := len(arts) / 2
	orig := *arts[mid]
	for i := range docs {
		docs[i].File = i/search.DocsPerFile == mid/search.DocsPerFile
	}
	// The previous index's files are all there to keep.
	opt := search.Options{Keep: func(string) bool { return true }}
	kept, shards := 0, 0
	runtime.GC()
	defer start(b, 1)()
	defer func() {
		b.ReportMetric(float64(shards-kept)/float64(b.N), "shards-made/op")
		b.ReportMetric(float64(kept)/float64(b.N), "shards-kept/op")
	}()
	for i := range b.N {
		b.StopTimer()
		edited := orig
		edited.Body = orig.Body + template.HTML("<p>An added paragraph, edit "+string(rune('a'+i%26))+".</p>")
		docs[mid].Article = &edited
		docs[mid].Key[15] = byte(i + 1)
		b.StartTimer()
		var st search.Stats
		var next *search.Cache
		var err error
		// Labelled, so that a profile (-cpuprofile) tells the edits
		// (pprof -tagfocus edit=1) from the first index.
		pprof.Do(context.Background(), pprof.Labels("edit", "1"), func(ctx context.Context) {
			st, next, err = search.Index(ctx, docs, opt, cache, discard)
		})
		if err != nil {
			b.Fatal(err)
		}
		cache = next
		kept += st.KeptShards
		shards += st.Shards
	}
}

// TestAnalysisOfSample: the fast analysis of every article of a site
// loaded as a build loads it (the sample archive: Markdown and raw news
// text; -benchsite for another) is the reference's.
func TestAnalysisOfSample(t *testing.T) {
	b, err := build.NewBuilder(context.Background(), *benchSite)
	if err != nil {
		t.Fatal(err)
	}
	arts := b.Site().Articles
	if len(arts) < 20 {
		t.Fatalf("%d articles in %s", len(arts), *benchSite)
	}
	search.CheckAnalysis(t, arts)
}
