//go:build unix

package serve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRebuildAfterEdit measures what an editor waits for: the time
// from writing a change to the preview serving the new bytes of a page it
// changes, quiet time of the watcher included. It runs on a generated
// archive, by default /tmp/serve10k:
//
//	python3 /work/shared/bench/gencorpus.py --n 10000 --site /tmp/serve10k --seed 42
//	go test ./internal/serve -run '^$' -bench RebuildAfterEdit -benchtime 50x
//
// SITEGEN_BENCH_SITE names another site. The changes, each timed to the
// page that shows it:
//   - body: a line added to an article in the middle of the archive (its
//     page), the path most saves take;
//   - tag: a tag of its own added to that article (its page), which
//     changes the indexes: the whole site is indexed again;
//   - date: that article moved to a day of 2018 with a line added (its
//     page at its new URL), which moves it in the site's order;
//   - add: a new article, the newest (the home page, which then moves every
//     page of the home list by one).
//
// The article is restored and added articles deleted afterwards. Each
// change reports the latencies' median, 90th percentile and maximum, the
// process's CPU during the edits (cpu-ms/edit) and over the whole run,
// the undos and the idle time between edits included (all-cpu-ms/edit),
// which counts the work done off the edits' path, such as collections.
// The test binary starts itself again with GODEBUG as `sitegen serve`
// runs (see TestMain); the first line it logs says what GODEBUG it ran
// with.
func BenchmarkRebuildAfterEdit(b *testing.B) {
	root := os.Getenv("SITEGEN_BENCH_SITE")
	if root == "" {
		root = "/tmp/serve10k"
	}
	if _, err := os.Stat(filepath.Join(root, "content")); err != nil {
		b.Skipf("no site at %s: generate one with gencorpus.py (see the doc comment) or set SITEGEN_BENCH_SITE", root)
	}
	defer tuneGC()() // as Run does for sitegen serve
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	s, err := New(ctx, Options{Source: root, Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	served := time.Since(start)
	// The pages the first build draws after serving, drawn before the
	// first edit (from the last, as the background draws from the first),
	// and the heap warmed after them: an editor's first save comes later
	// than that.
	for i := len(s.builder.deferred) - 1; i >= 0; i-- {
		s.builder.deferred[i].page.get()
	}
	s.builder.drawing.Wait()
	drawn := time.Since(start)
	s.builder.idle.Wait()
	arts := s.builder.b.Site().Articles
	b.Logf("GODEBUG=%q; %d articles, first build served in %v, every page drawn in %v, the heap warmed in %v", os.Getenv("GODEBUG"), len(arts),
		served.Round(time.Millisecond), drawn.Round(time.Millisecond), (time.Since(start) - drawn).Round(time.Millisecond))
	base := strings.TrimSuffix(s.URL(), "/")

	// An article in the middle of the archive, so that it has neighbours.
	a := arts[len(arts)/2]
	file := filepath.Join(root, "content", filepath.FromSlash(a.Source))
	orig, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	defer os.WriteFile(file, orig, 0o644)
	tagged := regexp.MustCompile(`(?m)^tags: \[`)
	if !tagged.Match(orig) {
		b.Fatalf("%s has no tags line like %q", file, "tags: [")
	}
	dated := regexp.MustCompile(`\ndate: [^\n]*`)
	if !dated.Match(orig) {
		b.Fatalf("%s has no date line", file)
	}
	added := filepath.Join(filepath.Dir(file), "added-by-benchmark.md")
	defer os.Remove(added)

	edits := 0 // across runs, so that every write changes the file
	for _, c := range []struct {
		name string
		// change writes edit number i and returns the page that shows it
		// and the text that page then holds.
		change func(i int) (url, token string)
		// undo puts the site back, untimed; nil: nothing to undo.
		undo func()
	}{
		{"body", func(i int) (string, string) {
			token := fmt.Sprintf("Edit number %d of the benchmark.", i)
			write(b, file, append(slices.Clip(orig), "\n"+token+"\n"...))
			return base + a.URLPath(), token
		}, nil},
		{"tag", func(i int) (string, string) {
			token := fmt.Sprintf("Benchmark tag %d", i)
			write(b, file, tagged.ReplaceAll(orig, []byte(`tags: ["`+token+`", `)))
			return base + a.URLPath(), token
		}, func() { write(b, file, orig) }},
		{"date", func(i int) (string, string) {
			token := fmt.Sprintf("Moved by the benchmark %d.", i)
			m, d := 1+i%12, 1+i%28
			moved := dated.ReplaceAll(orig, fmt.Appendf(nil, "\ndate: 2018-%02d-%02dT12:00:00Z", m, d))
			write(b, file, append(moved, "\n"+token+"\n"...))
			return base + fmt.Sprintf("/2018/%02d/%02d/%s/", m, d, a.Slug), token
		}, func() { write(b, file, orig) }},
		{"add", func(i int) (string, string) {
			token := fmt.Sprintf("Added by the benchmark %d", i)
			write(b, added, fmt.Appendf(nil, "---\ntitle: %q\ndate: 2100-01-01\ntags: [Benchmark]\n---\nAdded story %d.\n", token, i))
			return base + "/", token
		}, func() { os.Remove(added) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			var cpu time.Duration
			all0 := cpuTime()
			for range b.N {
				edits++
				st, _ := s.current()
				events, stop, err := openEvents(s, st.gen)
				if err != nil {
					b.Fatal(err)
				}
				cpu0, t0 := cpuTime(), time.Now()
				url, token := c.change(edits)
				waitFor(b, s, url, token, &events, &stop)
				lat = append(lat, time.Since(t0))
				cpu += cpuTime() - cpu0
				stop()
				if c.undo != nil {
					b.StopTimer()
					settle(b, s, c.undo)
					b.StartTimer()
				}
			}
			b.ReportMetric(float64(cpu)/1e6/float64(b.N), "cpu-ms/edit")
			// The process's CPU over the edits, the undos and the idle time
			// between them: what the work off the edits' path costs too.
			b.ReportMetric(float64(cpuTime()-all0)/1e6/float64(b.N), "all-cpu-ms/edit")
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
			b.ReportMetric(ms(lat[len(lat)/2]), "ms-p50")
			b.ReportMetric(ms(lat[len(lat)*9/10]), "ms-p90")
			b.ReportMetric(ms(lat[len(lat)-1]), "ms-max")
		})
	}
}

// write writes a benchmark's change.
func write(b *testing.B, file string, data []byte) {
	if err := os.WriteFile(file, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// waitFor waits, as an open tab does, for reload events on *events until
// url serves a page holding token. A reload of a rebuild that began before
// the change was written does not hold it yet: the stream is opened again
// for the next.
func waitFor(b *testing.B, s *Server, url, token string, events *<-chan event, stop *func()) {
	for {
		ev, ok := <-*events
		if !ok {
			b.Fatal("event stream ended")
		}
		if ev.name != "reload" {
			continue
		}
		body, err := fetch(url)
		if err != nil {
			b.Fatal(err)
		}
		if strings.Contains(body, token) {
			return
		}
		(*stop)()
		st, _ := s.current()
		var err2 error
		if *events, *stop, err2 = openEvents(s, st.gen); err2 != nil {
			b.Fatal(err2)
		}
	}
}

// settle makes a change and waits until the server has published a site
// after it and is idle again.
func settle(b *testing.B, s *Server, change func()) {
	_, changed := s.current()
	change()
	select {
	case <-changed:
	case <-time.After(time.Minute):
		b.Fatal("no rebuild within a minute of undoing a change")
	}
	// A second batch of the same change, if the watcher split it, and the
	// pages drawn after the site is served: an editor's next save comes
	// later than that.
	time.Sleep(time.Second)
}

// fetch GETs url and returns the body.
func fetch(url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// cpuTime is the CPU time the process has used, user and system: on a
// shared machine a steadier figure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// openEvents opens s's live-reload event stream as a tab showing build gen.
func openEvents(s *Server, gen int) (<-chan event, func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("http://%s%s?gen=%d", s.ln.Addr(), eventsPath, gen), nil)
	resp, err := streamClient.Do(req)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	events := make(chan event, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev event
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case line == "":
				select {
				case events <- ev:
				default:
				}
				ev = event{}
			}
		}
	}()
	return events, func() { cancel(); <-done }, nil
}
