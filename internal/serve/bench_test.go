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
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkRebuildAfterEdit measures what an editor waits for: the time
// from writing one edited article to the preview serving the new bytes of
// its page, quiet time of the watcher included. It runs on a generated
// archive, by default /tmp/serve10k:
//
//	python3 /work/shared/bench/gencorpus.py --n 10000 --site /tmp/serve10k --seed 42
//	go test ./internal/serve -run '^$' -bench RebuildAfterEdit -benchtime 50x
//
// SITEGEN_BENCH_SITE names another site. The article is restored afterwards.
func BenchmarkRebuildAfterEdit(b *testing.B) {
	root := os.Getenv("SITEGEN_BENCH_SITE")
	if root == "" {
		root = "/tmp/serve10k"
	}
	if _, err := os.Stat(filepath.Join(root, "content")); err != nil {
		b.Skipf("no site at %s: generate one with gencorpus.py (see the doc comment) or set SITEGEN_BENCH_SITE", root)
	}
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
	arts := s.builder.b.Site().Articles
	b.Logf("%d articles, first build and start in %v", len(arts), time.Since(start).Round(time.Millisecond))

	// An article in the middle of the archive, so that it has neighbours.
	a := arts[len(arts)/2]
	file := filepath.Join(root, "content", filepath.FromSlash(a.Source))
	orig, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	defer os.WriteFile(file, orig, 0o644)
	url := strings.TrimSuffix(s.URL(), "/") + a.URLPath()

	var lat []time.Duration
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		token := fmt.Sprintf("Edit number %d of the benchmark.", i)
		edited := append(slices.Clip(orig), "\n"+token+"\n"...)
		// As an open tab does: wait for the reload event, then fetch.
		st, _ := s.current()
		events, stop, err := openEvents(s, st.gen)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := os.WriteFile(file, edited, 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			ev, ok := <-events
			if !ok {
				b.Fatalf("edit %d: event stream ended", i)
			}
			if ev.name != "reload" {
				continue
			}
			body, err := fetch(url)
			if err != nil {
				b.Fatal(err)
			}
			if strings.Contains(body, token) {
				break
			}
			// A rebuild that began before the write ended: wait for the next.
			stop()
			st, _ := s.current()
			if events, stop, err = openEvents(s, st.gen); err != nil {
				b.Fatal(err)
			}
		}
		lat = append(lat, time.Since(t0))
		stop()
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(b.N), "cpu-ms/edit")
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b.ReportMetric(ms(lat[len(lat)/2]), "ms-p50")
	b.ReportMetric(ms(lat[len(lat)*9/10]), "ms-p90")
	b.ReportMetric(ms(lat[len(lat)-1]), "ms-max")
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
