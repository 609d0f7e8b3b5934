package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFailedExtrasLeaveSiteUntouched fails a build part-way through
// making the feeds, sitemap and search files, cold and after an edit: the
// files made before the failure must already be in the staging folder
// (they are written as they are made, not held for the writer), and the
// failure must leave public/ as it was and no staging folder behind.
func TestFailedExtrasLeaveSiteUntouched(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 24)
	dest := filepath.Join(t.TempDir(), "public")
	boom := errors.New("boom")

	// failAfter fails the build at the fifth file made and checks that the
	// first four are in the folder being staged: a fresh one or the spare.
	failAfter := func(t *testing.T) {
		var mu sync.Mutex
		var made []string
		beforeSavingExtra = func(name string) error {
			mu.Lock()
			defer mu.Unlock()
			if len(made) < 4 {
				made = append(made, name)
				return nil
			}
			dir := filepath.Join(filepath.Dir(dest), ".public.spare")
			found, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".public.staging-*"))
			if len(found) > 1 {
				t.Fatalf("staging folders: %v, want one", found)
			} else if len(found) == 1 {
				dir = found[0]
			}
			// The extras are made on every core: a file whose hook has
			// returned may still be being written by another worker, which
			// nothing stops until this hook fails the build. Wait for it.
			for _, f := range made {
				p := filepath.Join(dir, filepath.FromSlash(f))
				_, err := os.Stat(p)
				for deadline := time.Now().Add(10 * time.Second); err != nil && time.Now().Before(deadline); {
					time.Sleep(5 * time.Millisecond)
					_, err = os.Stat(p)
				}
				if err != nil {
					t.Errorf("%s was made but is not staged: %v", f, err)
				}
			}
			return boom
		}
		t.Cleanup(func() { beforeSavingExtra = nil })
	}
	besideDest := func() []string {
		entries, _ := os.ReadDir(filepath.Dir(dest))
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}

	t.Run("cold", func(t *testing.T) {
		failAfter(t)
		if _, err := Run(ctx, Options{Source: root, Dest: dest}); !errors.Is(err, boom) {
			t.Fatalf("build: %v, want the injected error", err)
		}
		if names := besideDest(); len(names) != 0 {
			t.Errorf("a failed first build left %v", names)
		}
	})

	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dest)
	t.Run("after an edit", func(t *testing.T) {
		// A new tag: its feeds are made, and the article's search document.
		siteEdits[3].apply(t, root)
		ageFiles(t, root)
		failAfter(t)
		if _, err := Run(ctx, Options{Source: root, Dest: dest}); !errors.Is(err, boom) {
			t.Fatalf("build: %v, want the injected error", err)
		}
		assertSameFiles(t, before, readTree(t, dest))
		for _, name := range besideDest() {
			if strings.Contains(name, ".staging-") || strings.Contains(name, ".old-") {
				t.Errorf("the failed build left %s beside public/", name)
			}
		}
	})

	// The next build publishes what a clean build does.
	beforeSavingExtra = nil
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	assertCleanBuild(t, root, dest, false)
}

// TestCancelledBuildHandsOverItsStaging cancels a cold build part-way
// through staging, as Ctrl-C does: Run must return the cancellation
// without deleting the staging folder itself (at a million articles that
// took minutes), handing it to Options.RemoveOld instead, and leave no
// public/. A cancelled build after an edit keeps its spare as the spare.
func TestCancelledBuildHandsOverItsStaging(t *testing.T) {
	root := agedSite(t, 24)
	dest := filepath.Join(t.TempDir(), "public")
	var handed []string
	opts := Options{Source: root, Dest: dest, RemoveOld: func(dir string) { handed = append(handed, dir) }}
	cancelAt := func(t *testing.T, n int) context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		var mu sync.Mutex
		made := 0
		beforeSavingExtra = func(string) error {
			mu.Lock()
			defer mu.Unlock()
			if made++; made == n {
				cancel()
			}
			return nil
		}
		t.Cleanup(func() { beforeSavingExtra = nil })
		return ctx
	}

	t.Run("cold", func(t *testing.T) {
		if _, err := Run(cancelAt(t, 3), opts); !errors.Is(err, context.Canceled) {
			t.Fatalf("build: %v, want it cancelled", err)
		}
		if len(handed) != 1 || !strings.HasPrefix(filepath.Base(handed[0]), ".public.staging-") {
			t.Fatalf("handed to RemoveOld: %v, want the staging folder", handed)
		}
		if n := len(readTree(t, handed[0])); n < 3 {
			t.Errorf("the staging folder handed over holds %d files; it was deleted before it was handed over", n)
		}
		if _, err := os.Lstat(dest); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a cancelled first build left public/: %v", err)
		}
		os.RemoveAll(handed[0])
	})

	beforeSavingExtra = nil
	for _, e := range siteEdits[:2] { // a full build, then one that leaves a spare
		e.apply(t, root)
		ageFiles(t, root)
		if _, err := Run(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range handed {
		os.RemoveAll(d)
	}
	before := readTree(t, dest)
	t.Run("after an edit", func(t *testing.T) {
		handed = nil
		siteEdits[3].apply(t, root)
		ageFiles(t, root)
		if _, err := Run(cancelAt(t, 2), opts); !errors.Is(err, context.Canceled) {
			t.Fatalf("build: %v, want it cancelled", err)
		}
		for _, d := range handed {
			t.Errorf("a cancelled incremental build handed over %s; the spare stays", d)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(dest), ".public.spare")); err != nil {
			t.Errorf("spare: %v", err)
		}
		assertSameFiles(t, before, readTree(t, dest))
	})
}

// TestSitemapKeptUnlessItsEntriesChange checks the sitemap's key: a build
// makes the sitemap again when what it lists changed (here an article's
// last modification time, which changes no page's path) or when its file
// is not as the previous build left it, and keeps it otherwise; the site
// is a clean build's either way (checkBuilds).
func TestSitemapKeptUnlessItsEntriesChange(t *testing.T) {
	root := agedSite(t, 24)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	// How many times each extra file is made: checkBuilds' clean build
	// makes every one once, after the build under test.
	var mu sync.Mutex
	made := map[string]int{}
	beforeSavingExtra = func(name string) error {
		mu.Lock()
		defer mu.Unlock()
		made[name]++
		return nil
	}
	t.Cleanup(func() { beforeSavingExtra = nil })
	story := func(lastmod, body string) func(t *testing.T, root string) []string {
		return func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/01/story-005.md", fmt.Sprintf(
				"---\ntitle: \"Story number 5\"\ndate: 2024-03-01\n%stags: [Iraq, Economy]\nsummary: Summary of Story number 5.\n---\n%s\n", lastmod, body))
			return []string{"content/01/story-005.md"}
		}
	}
	edits := []struct {
		edit     siteEdit
		handEdit bool // sitemap.xml replaced by hand before the build
		remade   bool
	}{
		{siteEdit{"body", story("", "A rewritten body."), 0, bodyPath}, false, false},
		{siteEdit{"last modified", story("lastmod: 2030-05-06\n", "A rewritten body."), 0, bodyPath}, false, true}, // a shown field: the fast path
		{siteEdit{"body again", story("lastmod: 2030-05-06\n", "Rewritten again."), 0, bodyPath}, false, false},
		{siteEdit{"body, sitemap edited by hand", story("lastmod: 2030-05-06\n", "And again."), 0, bodyPath}, true, true},
	}
	for _, e := range edits {
		if e.handEdit {
			p := filepath.Join(dest, "sitemap.xml")
			if err := os.WriteFile(p+".new", []byte("<urlset/>\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(p+".new", p); err != nil {
				t.Fatal(err)
			}
		}
		clear(made)
		checkBuilds(t, root, dest, readTree(t, dest), []siteEdit{e.edit})
		if remade := made["sitemap.xml"] > 1; remade != e.remade {
			t.Errorf("%s: sitemap.xml made again: %v, want %v", e.edit.name, remade, e.remade)
		}
	}
}
