package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestReportOutlivesMappedCache: builds read the build cache through a
// memory map, unmapped when Run returns, and a report whose problems and notes come from the cache
// (a no-op build's) stays readable once Run has unmapped it: a string
// still pointing into the unmapped file would fault.
func TestReportOutlivesMappedCache(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 12)
	writeSiteFile(t, root, "content/bad.md", "---\ntitle: [unclosed\n---\nx\n")
	// Two articles with one URL: the second gets another slug, and a note.
	writeSiteFile(t, root, "content/same-1.md", "---\ntitle: Harbour Opens\nslug: same\ndate: 2020-01-01T00:00:00Z\n---\nThe harbour opened on Monday after a year of works.\n")
	writeSiteFile(t, root, "content/same-2.md", "---\ntitle: Council Votes\nslug: same\ndate: 2020-01-01T00:00:00Z\n---\nThe council voted on the budget late on Tuesday night.\n")
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	full, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true})
	if len(full.Problems) != 1 || len(full.Notes) == 0 || err == nil {
		t.Fatalf("first build: problems %v, notes %v, err %v; want the bad file and a renamed slug", full.Problems, full.Notes, err)
	}
	mapped, held := filesMapped.Load(), mapsHeld.Load()
	n := unchangedBuilds.Load()
	rep, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true})
	if unchangedBuilds.Load() != n+1 || err == nil {
		t.Fatalf("second build: err %v; want the no-op path and the bad file reported", err)
	}
	if canMap(t) && filesMapped.Load() == mapped {
		t.Error("the no-op build read the cache without mapping it")
	}
	if mapsHeld.Load() != held {
		t.Errorf("%d files left mapped after the build", mapsHeld.Load()-held)
	}
	if got, want := fmt.Sprint(rep.Problems, rep.Notes), fmt.Sprint(full.Problems, full.Notes); got != want {
		t.Errorf("no-op build reported\n%s\nwant\n%s", got, want)
	}
}

// canMap reports whether files can be mapped here.
func canMap(t *testing.T) bool {
	f, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := mapFile(f, 1)
	if err != nil {
		return false
	}
	unmapFile(b)
	return true
}

// TestReleaseWaitsForReaders: release unmaps a file only once the
// goroutines started with Go, which read it, are done.
func TestReleaseWaitsForReaders(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data")
	want := strings.Repeat("mapped bytes ", 10000)
	if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fm := new(fileMaps)
	data, ok := fm.mapString(f, int64(len(want)))
	if !ok {
		if canMap(t) {
			t.Fatal("a file not mapped where files can be")
		}
		t.Skip("no memory maps here") // mapped_other.go: nothing to release
	}
	started := make(chan struct{})
	var read atomic.Bool
	fm.Go(func() {
		close(started)
		time.Sleep(50 * time.Millisecond)
		read.Store(strings.Clone(data) == want) // faults if unmapped
	})
	<-started
	fm.release()
	if !read.Load() {
		t.Error("release returned before the reader was done")
	}
}
