package content

import (
	"flag"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"
)

var benchContent = flag.String("benchcontent", "", "content folder for BenchmarkParse (default: the sample archive's, ../../content)")

// BenchmarkParse normalizes every article of a content folder, read into
// memory first, so that it measures parsing alone: no file system, no
// build. Like Load, it leaves out Markdown articles' topic candidates when
// the folder holds no raw text article. Point -benchcontent at a generated archive's content/ (Markdown)
// or at a copy of the shared corpus (raw text) for figures at scale.
func BenchmarkParse(b *testing.B) {
	dir := *benchContent
	if dir == "" {
		dir = "../../content"
	}
	l := &Loader{FS: os.DirFS(dir), Location: time.UTC}
	paths, _, err := l.Paths()
	if err != nil {
		b.Fatal(err)
	}
	data := make([][]byte, len(paths))
	for i, p := range paths {
		if data[i], err = os.ReadFile(dir + "/" + p); err != nil {
			b.Fatal(err)
		}
	}
	skip := !slices.ContainsFunc(paths, IsRawText) // as Load does
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		for i, p := range paths {
			parse(p, data[i], time.UTC, markdown, !skip || IsRawText(p))
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(len(paths) * b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/article")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/article")
}
