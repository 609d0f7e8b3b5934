// Command bench measures the static search index on a generated archive:
// the index's size, the bytes one query fetches and the query time in
// headless Chromium. scripts/bench-search.sh generates the archive and
// runs it; docs/search.md records the figures.
//
// Usage:
//
//	go run ./internal/search/bench -site DIR [-out DIR] [-queries "a;b c;..."]
//
// It loads the site at DIR as a build does, writes only the search page,
// its assets and the search index into -out, serves that on 127.0.0.1 with
// caching off, and runs each query in a fresh page load.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sitegen/sitegen/internal/build"
	"github.com/sitegen/sitegen/internal/publish"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/search"
)

func main() {
	root := flag.String("site", "", "site root, e.g. one written by /work/shared/bench/gencorpus.py")
	out := flag.String("out", "", "folder for the search page and index (default: a temporary folder, removed after)")
	queries := flag.String("queries", "government;police court;minister council report;water plan;gover", "queries, separated by ;")
	chromium := flag.String("chromium", "/usr/bin/chromium", "Chromium binary")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "usage: bench -site DIR [-out DIR] [-queries \"a;b c\"]")
		os.Exit(2)
	}
	if err := run(*root, *out, strings.Split(*queries, ";"), *chromium); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(root, out string, queries []string, chromium string) error {
	ctx := context.Background()
	if out == "" {
		dir, err := os.MkdirTemp("", "sitegen-search-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		out = dir
	}
	fmt.Printf("machine: %d cores (GOMAXPROCS %d), %s/%s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)

	start := time.Now()
	s, err := build.Load(ctx, root)
	if err != nil {
		return err
	}
	fmt.Printf("loaded %d articles in %v\n", len(s.Site.Articles), time.Since(start).Round(time.Millisecond))

	dest := filepath.Join(out, "public")
	st, err := publish.Begin(dest)
	if err != nil {
		return err
	}
	defer st.Cleanup()
	start = time.Now()
	var mu sync.Mutex
	var docFiles int
	oldestFirst := slices.Clone(s.Site.Articles)
	slices.Reverse(oldestFirst)
	stats, err := search.Write(ctx, oldestFirst, search.Options{BasePath: s.Site.Config.BasePath()},
		func(name string, data []byte) error {
			mu.Lock()
			docFiles++
			mu.Unlock()
			return st.WriteFile("search/"+name, data)
		})
	if err != nil {
		return err
	}
	indexTime := time.Since(start)
	if err := writeSearchPage(s, st); err != nil {
		return err
	}
	if err := st.Commit(); err != nil {
		return err
	}
	fmt.Printf("search index built and written in %v (%d files)\n", indexTime.Round(time.Millisecond), docFiles)
	fmt.Printf("index: %d terms in %d shards: %s (largest shard %s), manifest %s; %d documents in %d files %s\n",
		stats.Terms, stats.Shards, size(stats.ShardBytes), size(int64(stats.MaxShard)), size(int64(stats.ManifestBytes)),
		stats.Docs, stats.DocFiles, size(stats.DocBytes))
	fmt.Printf("total on disk: %s uncompressed\n\n", size(stats.ShardBytes+int64(stats.ManifestBytes)+stats.DocBytes))

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store") // every query pays for what it fetches
		http.FileServer(http.Dir(dest)).ServeHTTP(w, r)
	}))
	defer srv.Close()
	return browse(srv.URL, dest, queries, chromium)
}

// writeSearchPage renders the search page and copies the assets it links.
func writeSearchPage(s *build.Site, st *publish.Staging) error {
	for _, p := range render.Pages(s.Site, s.Lang) {
		if p.Kind != render.KindSearch {
			continue
		}
		var buf bytes.Buffer
		if err := s.Renderer.Render(&buf, p); err != nil {
			return err
		}
		if err := st.WriteFile(p.File(), buf.Bytes()); err != nil {
			return err
		}
	}
	for _, a := range s.Assets {
		if err := st.CopyFS(a); err != nil {
			return err
		}
	}
	for _, name := range s.Hashed.Files() {
		if err := st.WriteFile(name, s.Hashed.Content(name)); err != nil {
			return err
		}
	}
	return nil
}

// measure runs one query on a freshly loaded search page and reports what
// it fetched under /search/ and how long it took.
const measure = `new Promise((resolve) => {
  const form = document.getElementById('search');
  const status = document.getElementById('search-status');
  performance.clearResourceTimings();
  const t0 = performance.now();
  form.elements.q.value = %q;
  form.requestSubmit();
  const poll = setInterval(() => {
    if (form.getAttribute('aria-busy') || !status.textContent) return;
    clearInterval(poll);
    const wall = performance.now() - t0;
    const res = performance.getEntriesByType('resource')
      .filter((r) => new URL(r.name).pathname.includes('/search/'))
      .map((r) => ({url: new URL(r.name).pathname, bytes: r.decodedBodySize}));
    resolve({status: status.textContent, wall, rank: Number(form.dataset.rankMs), show: Number(form.dataset.showMs),
      first: (document.querySelector('#search-results li h2 a') || {}).textContent || '', res});
  }, 2);
})`

type result struct {
	Status string
	Wall   float64
	Rank   float64
	Show   float64
	First  string
	Res    []struct {
		URL   string
		Bytes int
	}
}

func browse(base, dest string, queries []string, chromium string) error {
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	fmt.Println("| query | results | files fetched | bytes fetched (uncompressed) | same, gzip -6 | rank after shards arrived | ranked + 10 results shown | submit to results (wall) |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, q := range queries {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/search/"), chromedp.WaitVisible(chromedp.ID("search-q"))); err != nil {
			return err
		}
		r, err := chromedp.Run(ctx, chromedp.Evaluate[result](fmt.Sprintf(measure, q), chromedp.EvalAwaitPromise))
		if err != nil {
			return fmt.Errorf("query %q: %w", q, err)
		}
		var raw, gz int
		for _, f := range r.Res {
			raw += f.Bytes
			if strings.Contains(f.URL, "/search/d/") {
				gz += f.Bytes // a byte range of a document file, sent as it is
				continue
			}
			gz += gzipSize(filepath.Join(dest, filepath.FromSlash(strings.TrimPrefix(unescape(f.URL), "/"))))
		}
		fmt.Printf("| %s | %s | %d | %s | %s | %.1f ms | %.1f ms | %.0f ms |\n",
			q, r.Status, len(r.Res), size(int64(raw)), size(int64(gz)), r.Rank, r.Show, r.Wall)
	}
	return nil
}

func unescape(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

func gzipSize(file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, 6)
	zw.Write(data)
	zw.Close()
	return buf.Len()
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
