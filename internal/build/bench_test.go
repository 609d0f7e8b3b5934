package build

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// Benchmarks over generated archives. By default they build a small one
// (-articles, 1,000) so that `go test -bench .` stays quick; point
// -benchsite at a site made by /work/shared/bench/gencorpus.py for archive
// scale, e.g.
//
//	go test ./internal/build -run '^$' -bench . -benchtime 3x -benchsite /tmp/c50000
//
// Each reports articles/s and heap bytes allocated per article.
var (
	benchArticles = flag.Int("articles", 1000, "articles in the generated benchmark archive")
	benchSite     = flag.String("benchsite", "", "build this site instead of generating one")
	peakHeap      = flag.String("peakheap", "", "write a heap profile to this file whenever the live heap reaches a new peak (BenchmarkColdBuild)")
	benchDest     = flag.String("benchdest", "", "build into this folder and keep it (BenchmarkNoopRebuild, BenchmarkOneEditRebuild): "+
		"a later run of the same test binary starts from its cache instead of a cold build, so that -cpuprofile shows the rebuilds")
)

// benchSiteRoot returns the site to benchmark and its number of articles.
func benchSiteRoot(b *testing.B) (string, int) {
	b.Helper()
	if *benchSite != "" {
		if *benchDest != "" {
			return *benchSite, 0 // counted by the first build: loading the site here would cost a cold build's CPU
		}
		bl, err := NewBuilder(context.Background(), *benchSite)
		if err != nil {
			b.Fatal(err)
		}
		return *benchSite, len(bl.Site().Articles)
	}
	root := b.TempDir()
	writeCorpus(b, root, *benchArticles)
	return root, *benchArticles
}

// writeCorpus writes n Markdown articles shaped like gencorpus.py's: dates
// over 26 years, 2-5 tags from a Zipf-like choice of 2,000, a summary and a
// body of about 600 words in ten paragraphs with links and emphasis.
func writeCorpus(tb testing.TB, root string, n int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(42, 42))
	words := strings.Fields("the of and to a in that is was he for it with as his on be at by this had not are but from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three government city report minister council police court market")
	zipf := rand.NewZipf(rand.New(rand.NewPCG(7, 7)), 1.1, 1, 1999)
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	sentence := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = words[rng.IntN(len(words))]
		}
		return strings.ToUpper(ws[0][:1]) + strings.Join(ws, " ")[1:] + "."
	}
	for i := range n {
		date := start.Add(time.Duration(rng.Int64N(int64(26 * 365 * 24 * time.Hour))))
		tags := map[string]bool{}
		for len(tags) < 2+rng.IntN(4) {
			tags[fmt.Sprintf("topic %d", zipf.Uint64())] = true
		}
		var tagList []string
		for t := range tags {
			tagList = append(tagList, fmt.Sprintf("%q", t))
		}
		var body strings.Builder
		for p := range 10 {
			for range 5 {
				body.WriteString(sentence(8 + rng.IntN(8)))
				body.WriteString(" ")
			}
			if p == 3 {
				fmt.Fprintf(&body, "See [the report %d](https://archive.example.org/story/%d) and *more* **here**.", i, i)
			}
			body.WriteString("\n\n")
		}
		title := sentence(6)
		data := fmt.Sprintf("---\ntitle: %q\ndate: %s\ntags: [%s]\nauthor: \"Reporter %d\"\nsummary: %q\n---\n%s",
			strings.TrimSuffix(title, "."), date.Format(time.RFC3339), strings.Join(tagList, ", "), i%150,
			sentence(20), body.String())
		p := filepath.Join(root, "content", date.Format("2006/01"), fmt.Sprintf("story-%d.md", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	ageFiles(tb, root)
}

// reportPerArticle reports articles/s and heap bytes allocated per article
// since before, for b.N builds of n articles.
func reportPerArticle(b *testing.B, n int, before *runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	total := float64(n) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/total, "B/article")
}

// benchOut holds what the benchmarks build, each run into a fresh folder
// of it, until the test binary exits (TestMain). b.TempDir's folders go
// after each round of b.N, and on ext4 without a journal, as on the
// machines this project is measured on, creating files costs several
// times as much for minutes after many were deleted (docs/performance.md,
// *A measuring trap named*). BenchmarkColdBuild at 10,000 articles with
// -benchtime 3x took 7.7 and 9.9 s a build when the first round's output
// was removed before the second round, and takes 3.97 s now, against
// 3.6-4.0 s for sitegen build.
var benchOut struct {
	once sync.Once
	dir  string
	err  error
}

// benchOutDir returns a fresh folder under benchOut.
func benchOutDir(b *testing.B) string {
	b.Helper()
	benchOut.once.Do(func() { benchOut.dir, benchOut.err = os.MkdirTemp("", "sitegen-bench-") })
	if benchOut.err != nil {
		b.Fatal(benchOut.err)
	}
	dir, err := os.MkdirTemp(benchOut.dir, "")
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchOut.dir != "" {
		os.RemoveAll(benchOut.dir)
	}
	os.Exit(code)
}

// BenchmarkColdBuild builds the archive into a fresh destination each time.
func BenchmarkColdBuild(b *testing.B) {
	root, n := benchSiteRoot(b)
	out := benchOutDir(b)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	stop := watchPeakHeap(b, *peakHeap)
	b.ResetTimer()
	for i := range b.N {
		if _, err := Run(context.Background(), Options{Source: root, Dest: filepath.Join(out, fmt.Sprint(i))}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stop()
	reportPerArticle(b, n, &ms)
}

// watchPeakHeap samples the live heap (as of the last garbage collection)
// every 20 ms and, when file is not empty, writes a heap profile to it each
// time the live heap grows past its peak by 2%: the profile's inuse_space
// is then what was live at the peak, where a profile taken at the end
// shows what is left. stop reports the peak.
func watchPeakHeap(b *testing.B, file string) (stop func()) {
	if file == "" {
		return func() {}
	}
	runtime.GC() // what benchSiteRoot's Builder left
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	finished := make(chan uint64)
	start := time.Now()
	go func() {
		var peak, written uint64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				finished <- peak
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			live := sample[0].Value.Uint64()
			peak = max(peak, live)
			if live > written+written/50 {
				written = live
				f, err := os.Create(file)
				if err == nil {
					err = errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
				}
				if err != nil {
					b.Error(err)
				}
				b.Logf("live heap %d MB at %.1f s", live>>20, time.Since(start).Seconds())
			}
		}
	}()
	return func() {
		close(done)
		b.Logf("peak live heap %d MB", <-finished>>20)
	}
}

// BenchmarkNoopRebuild rebuilds an archive in which nothing changed.
func BenchmarkNoopRebuild(b *testing.B) {
	root, _ := benchSiteRoot(b)
	dest := benchDestDir(b)
	first, err := Run(context.Background(), Options{Source: root, Dest: dest})
	if err != nil {
		b.Fatal(err)
	}
	n := first.Articles
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ResetTimer()
	for range b.N {
		rep, err := Run(context.Background(), Options{Source: root, Dest: dest})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Files != 0 {
			b.Fatalf("no-op rebuild wrote %d files", rep.Files)
		}
	}
	b.StopTimer()
	reportPerArticle(b, n, &ms)
}

// BenchmarkOneEditRebuild changes one article and rebuilds: "body" adds a
// paragraph to its text, "tag" gives it a tag of its own (the tag path of
// editFromCache).
func BenchmarkOneEditRebuild(b *testing.B) {
	root, _ := benchSiteRoot(b)
	dest := benchDestDir(b)
	first, err := Run(context.Background(), Options{Source: root, Dest: dest})
	if err != nil {
		b.Fatal(err)
	}
	n := first.Articles
	article := firstArticle(b, root)
	orig, err := os.ReadFile(article)
	if err != nil {
		b.Fatal(err)
	}
	defer restoreFile(b, article, orig)
	edits := 0 // across runs, so that every edit changes the file
	for _, c := range []struct {
		name string
		edit func(i int) []byte
		most int // files written at most
	}{
		// The page, and the search files whose bytes the new words change
		// (its document file, some term shards, the manifest).
		{"body", func(i int) []byte { return fmt.Appendf(nil, "%s\nAn added paragraph, edit %d.\n", orig, i) }, 64},
		// Besides, the new tag's page and feed, the tag index, list pages
		// showing the article's tags.
		{"tag", func(i int) []byte {
			return []byte(strings.Replace(string(orig), "\ntags: [", fmt.Sprintf("\ntags: [\"Edit %d\", ", i), 1))
		}, 256},
		// The article moved to a day of 2018: its old and new pages, and
		// the pages of every list it moves along (the home list's from
		// its old place to its new), the date pages, feeds and search
		// files that show it.
		{"date", func(i int) []byte {
			return dateLine.ReplaceAll(orig, fmt.Appendf(nil, "\ndate: 2018-%02d-%02dT12:00:00Z", 1+i%12, 1+i%28))
		}, 1 << 14},
	} {
		b.Run(c.name, func(b *testing.B) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			written := 0
			for range b.N {
				b.StopTimer()
				edits++
				if err := os.WriteFile(article, c.edit(edits), 0o644); err != nil {
					b.Fatal(err)
				}
				// Older than racyWindow, as an edit saved a while before the
				// build is: the build cache then records its stamp.
				old := time.Now().Add(-2 * time.Hour)
				os.Chtimes(article, old, old)
				b.StartTimer()
				rep, err := Run(context.Background(), Options{Source: root, Dest: dest})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Files == 0 || rep.Files > c.most {
					b.Fatalf("one-article %s edit wrote %d files, want 1 to %d", c.name, rep.Files, c.most)
				}
				written += rep.Files
			}
			b.StopTimer()
			b.ReportMetric(float64(written)/float64(b.N), "files/op")
			reportPerArticle(b, n, &ms)
		})
	}
}

// benchDestDir returns the folder the rebuild benchmarks build into:
// -benchdest, or a fresh one.
func benchDestDir(b *testing.B) string {
	if *benchDest != "" {
		return *benchDest
	}
	return filepath.Join(benchOutDir(b), "public")
}

// restoreFile puts back an edited article's bytes with an mtime in the
// past, so that the next build trusts its stamp (see racyWindow).
func restoreFile(b *testing.B, p string, data []byte) {
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Error(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(p, old, old)
}

// BenchmarkBuilderUpdate is the preview server's path: an edit, Update,
// and rendering every page Update reports. "body" adds a line to an
// article's text and "summary" changes its summary, which Update's fast
// path takes (see updateBodies); "title" changes a headline, and with it
// the URL (the benchmark's articles have no slug of their own), and
// "date" moves the article to another day of 2018, both of which index
// the site again without the archive-wide steps (indexPath); "tag" gives
// the article a tag of its own, which makes the tag index again
// (tagPath); "add" adds an article dated after all others, which
// re-indexes the whole site
// (deleted again, untimed, before the next). Every page is drawn once
// first, untimed, as the preview server does before it serves: the list
// entries of the articles an edit leaves alone are then drawn already.
func BenchmarkBuilderUpdate(b *testing.B) {
	root, _ := benchSiteRoot(b)
	bl, err := NewBuilder(context.Background(), root)
	if err != nil {
		b.Fatal(err)
	}
	renderChanged(b, bl, &Changes{Pages: bl.Files()})
	article := firstArticle(b, root)
	rel, _ := filepath.Rel(root, article)
	orig, _ := os.ReadFile(article)
	defer os.WriteFile(article, orig, 0o644)
	for _, c := range []struct {
		name string
		edit func(i int) []byte
		path updatePath
	}{
		{"body", func(i int) []byte { return fmt.Appendf(nil, "%s\nEdit %d.\n", orig, i) }, bodyPath},
		{"summary", func(i int) []byte {
			return []byte(strings.Replace(string(orig), "\nsummary: \"", fmt.Sprintf("\nsummary: \"Edit %d ", i), 1))
		}, bodyPath},
		{"title", func(i int) []byte {
			return []byte(strings.Replace(string(orig), "\ntitle: \"", fmt.Sprintf("\ntitle: \"Edit %d ", i), 1))
		}, indexPath},
		{"date", func(i int) []byte {
			return dateLine.ReplaceAll(orig, fmt.Appendf(nil, "\ndate: 2018-%02d-%02dT12:00:00Z", 1+i%12, 1+i%28))
		}, indexPath},
		{"tag", func(i int) []byte {
			return []byte(strings.Replace(string(orig), "\ntags: [", fmt.Sprintf("\ntags: [\"Edit %d\", ", i), 1))
		}, tagPath},
	} {
		edits := 0 // across runs, so that every edit changes the file
		b.Run(c.name, func(b *testing.B) {
			// The article as it was, untimed: the path an edit takes
			// depends on what changed since the last.
			os.WriteFile(article, orig, 0o644)
			if _, err := bl.Update(context.Background(), []string{rel}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			pages := 0
			for range b.N {
				b.StopTimer()
				edits++
				os.WriteFile(article, c.edit(edits), 0o644)
				b.StartTimer()
				ch, err := bl.Update(context.Background(), []string{rel})
				if err != nil {
					b.Fatal(err)
				}
				if bl.lastPath != c.path {
					b.Fatalf("Update took path %d, want %d", bl.lastPath, c.path)
				}
				renderChanged(b, bl, ch)
				pages += len(ch.Pages)
			}
			b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
		})
	}
	added := filepath.Join(filepath.Dir(article), "added-by-benchmark.md")
	addedRel, _ := filepath.Rel(root, added)
	defer os.Remove(added)
	b.Run("add", func(b *testing.B) {
		pages := 0
		for i := range b.N {
			b.StopTimer()
			os.WriteFile(added, fmt.Appendf(nil, "---\ntitle: \"Added %d\"\ndate: 2100-01-01\ntags: [Benchmark]\n---\nAdded story %d.\n", i, i), 0o644)
			b.StartTimer()
			ch, err := bl.Update(context.Background(), []string{addedRel})
			if err != nil {
				b.Fatal(err)
			}
			renderChanged(b, bl, ch)
			pages += len(ch.Pages)
			b.StopTimer()
			os.Remove(added)
			if _, err := bl.Update(context.Background(), []string{addedRel}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	})
}

// renderChanged draws the pages ch reports, as the preview server does.
func renderChanged(b *testing.B, bl *Builder, ch *Changes) {
	var sink strings.Builder
	for _, f := range ch.Pages {
		sink.Reset()
		if err := bl.Render(&sink, f); err != nil {
			b.Fatal(err)
		}
	}
}

// dateLine is the date line of a benchmark article's front matter.
var dateLine = regexp.MustCompile(`\ndate: [^\n]*`)

func firstArticle(b *testing.B, root string) string {
	var found string
	filepath.WalkDir(filepath.Join(root, "content"), func(p string, d os.DirEntry, err error) error {
		if err == nil && found == "" && !d.IsDir() && strings.HasSuffix(p, ".md") && !strings.HasPrefix(d.Name(), "_") {
			found = p
		}
		return err
	})
	if found == "" {
		b.Fatal("no article in", root)
	}
	return found
}

// BenchmarkLoad is the loading phase of a cold build alone: every content
// file stamped, read, parsed and normalized, its body spilled, as
// loadSources does for Run. "site" loads the benchmark site (-benchsite or
// a generated Markdown archive); "corpus" the shared corpus of real raw
// text news (dw/ and bbc/, the BBC files under a dated folder, as
// TestCorpus files them). Besides articles/s and B/article it reports the
// heap the loaded sources hold (live B/article), measured after a
// collection while they are still referenced.
func BenchmarkLoad(b *testing.B) {
	b.Run("site", func(b *testing.B) {
		root := *benchSite
		if root == "" {
			root = b.TempDir()
			writeCorpus(b, root, *benchArticles)
		}
		benchLoad(b, root)
	})
	b.Run("corpus", func(b *testing.B) {
		dir := corpusDir(&testing.T{})
		if dir == "" {
			b.Skip("no shared corpus (set SITEGEN_CORPUS)")
		}
		root := b.TempDir()
		copyCorpus(b, dir, filepath.Join(root, "content"))
		benchLoad(b, root)
	})
}

// copyCorpus copies the shared corpus' articles into a content folder,
// the BBC ones (which carry no date) under a dated folder.
func copyCorpus(b *testing.B, dir, contentDir string) {
	b.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txt") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if parts := strings.Split(filepath.ToSlash(rel), "/"); len(parts) == 3 && parts[0] == "bbc" {
			rel = filepath.Join("bbc", parts[1], "2005", "01", "01", parts[2])
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(contentDir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
	ageFiles(b, contentDir)
}

func benchLoad(b *testing.B, root string) {
	th, err := loadTheme(os.DirFS(root))
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(root, "content")
	l := th.loader(os.DirFS(dir))
	paths, _, err := l.Paths()
	if err != nil {
		b.Fatal(err)
	}
	l.SkipMarkdownTopics = !slices.ContainsFunc(paths, content.IsRawText) // as loadAllContent does
	spillDir := b.TempDir()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var live uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		spill, err := newBodySpill(spillDir)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		base := heapLive()
		b.StartTimer()
		srcs, err := loadSources(context.Background(), paths, l, dir, nil, spill, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		live = heapLive() - base
		runtime.KeepAlive(srcs)
		spill.close()
	}
	reportPerArticle(b, len(paths), &ms)
	b.ReportMetric(float64(live)/float64(len(paths)), "live-B/article")
}

// heapLive is the heap live at the end of the last collection.
func heapLive() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
