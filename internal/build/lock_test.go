//go:build unix

package build

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// A build waits while another build of the same destination holds the
// lock, gives up when cancelled, and runs once the lock is released.
func TestBuildWaitsForLock(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 6)
	dest := filepath.Join(t.TempDir(), "public")
	unlock, err := lockDest(ctx, dest) // as another build would
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Source: root, Dest: dest})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a build ran while another held the lock (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	cctx, cancel := context.WithCancel(ctx)
	cancelled := make(chan error, 1)
	go func() {
		_, err := Run(cctx, Options{Source: root, Dest: dest})
		cancelled <- err
	}()
	cancel()
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a build cancelled while waiting returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a build cancelled while waiting for the lock did not return")
	}
	unlock()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the build did not run once the lock was released")
	}
	if got := readTree(t, dest); len(got) == 0 {
		t.Error("nothing published")
	}
}

// Builds of one destination started at once, between edits, each
// publish a whole site: the last gives a clean build's bytes.
func TestConcurrentBuilds(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 24)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	for _, e := range siteEdits[:5] {
		e.apply(t, root)
		ageFiles(t, root)
		errs := make(chan error, 3)
		for range 3 {
			go func() {
				_, err := Run(ctx, Options{Source: root, Dest: dest})
				errs <- err
			}()
		}
		for range 3 {
			if err := <-errs; err != nil {
				t.Fatalf("%s: %v", e.name, err)
			}
		}
	}
	clean := filepath.Join(t.TempDir(), "clean")
	if _, err := Run(ctx, Options{Source: root, Dest: clean}); err != nil {
		t.Fatal(err)
	}
	got, want := readTree(t, dest), readTree(t, clean)
	for f, w := range want {
		if g, ok := got[f]; !ok || string(g.data) != string(w.data) {
			t.Errorf("%s: missing or differs from the clean build's", f)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("%s: not in the clean build", f)
		}
	}
}
