package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestNoopBuildReadsNothing: a build with nothing changed, in the sources
// or in the destination, takes the no-op path (no article decoded, parsed
// or indexed), writes nothing, not even the cache, and reports what a full
// build reports.
func TestNoopBuildReadsNothing(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 12)
	writeSiteFile(t, root, "content/bad.md", "---\ntitle: [unclosed\n---\nx\n")
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	full, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true})
	if len(full.Problems) != 1 || err == nil {
		t.Fatalf("first build: %d problems, err %v; want the bad file reported", len(full.Problems), err)
	}
	cacheBefore, _ := os.Stat(cachePath(dest))
	before := readTree(t, dest)

	n := unchangedBuilds.Load()
	rep, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true})
	if unchangedBuilds.Load() != n+1 {
		t.Fatal("a build with nothing changed did not take the no-op path")
	}
	if err == nil || len(rep.Problems) != 1 || rep.Problems[0].Path != full.Problems[0].Path {
		t.Errorf("no-op build: problems %v, err %v; want %v reported again", rep.Problems, err, full.Problems)
	}
	if rep.Articles != full.Articles || rep.Pages != full.Pages || !slices.Equal(rep.Notes, full.Notes) ||
		rep.Files != 0 || rep.Unchanged != len(before) {
		t.Errorf("no-op report %+v, want articles %d, pages %d, notes %v, 0 files written, %d unchanged",
			rep, full.Articles, full.Pages, full.Notes, len(before))
	}
	assertSameFiles(t, before, readTree(t, dest))
	if fi, _ := os.Stat(cachePath(dest)); !os.SameFile(fi, cacheBefore) || !fi.ModTime().Equal(cacheBefore.ModTime()) {
		t.Error("the no-op build rewrote the build cache")
	}
	// Without KeepGoing the bad file still fails the build.
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err == nil {
		t.Error("a no-op build with a bad file and no KeepGoing succeeded")
	}
}

// TestNoopBuildRestoresHandEdits: an output file edited, replaced or
// deleted in the destination by hand (a page, a feed, a search document,
// the search manifest, the sitemap) makes the build leave the no-op path
// and write that file, and only it, back; the next build is a no-op again.
func TestNoopBuildRestoresHandEdits(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 12)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	want := readTree(t, dest)
	for _, f := range []string{"index.html", "feed.xml", "atom.xml", "search/d/0.bin", "search/index.json", "sitemap.xml"} {
		if _, ok := want[f]; !ok {
			t.Fatalf("%s is not in the site; files: %d", f, len(want))
		}
	}
	for _, tc := range []struct {
		file string
		edit func(p string) error
	}{
		{"index.html", func(p string) error { return os.WriteFile(p, []byte("defaced"), 0o644) }},
		{"atom.xml", func(p string) error { return os.Remove(p) }},
		{"search/d/0.bin", func(p string) error { return os.WriteFile(p, []byte("{}"), 0o644) }},
		{"search/index.json", func(p string) error {
			// Same size, new bytes and mtime.
			data, _ := os.ReadFile(p)
			data = bytes.ToUpper(data)
			return os.WriteFile(p, data, 0o644)
		}},
		{"sitemap.xml", func(p string) error {
			os.Remove(p)
			return os.Symlink(filepath.Join(dest, "index.html"), p)
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if err := tc.edit(filepath.Join(dest, filepath.FromSlash(tc.file))); err != nil {
				t.Fatal(err)
			}
			before := readTree(t, dest)
			n := unchangedBuilds.Load()
			rep, err := Run(ctx, Options{Source: root, Dest: dest})
			if err != nil {
				t.Fatal(err)
			}
			if unchangedBuilds.Load() != n {
				t.Fatal("the build took the no-op path though an output file was changed")
			}
			got := readTree(t, dest)
			for f, w := range want {
				if !bytes.Equal(got[f].data, w.data) {
					t.Errorf("%s not restored", f)
				}
				if f != tc.file && (got[f].ino != before[f].ino || !got[f].mtime.Equal(before[f].mtime)) {
					t.Errorf("%s rewritten, though only %s was changed", f, tc.file)
				}
			}
			if rep.Files != 1 {
				t.Errorf("wrote %d files, want 1", rep.Files)
			}
			if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
				t.Fatal(err)
			}
			if unchangedBuilds.Load() != n+1 {
				t.Error("the build after the restoring one was not a no-op")
			}
		})
	}
}

// TestNoopPathLeftForAnyChange: a content file edited, added or deleted,
// a template or tags.yaml edited, each makes the build leave the no-op
// path; a file modified within the last second (whose stamp cannot be
// trusted) too.
func TestNoopPathLeftForAnyChange(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 8)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func()
		age  bool
	}{
		{"body", func() {
			writeSiteFile(t, root, "content/01/story-005.md", testArticle("Story number 5", "2024-03-01", []string{"Iraq"}, "New body."))
		}, true},
		{"added", func() {
			writeSiteFile(t, root, "content/02/new.md", testArticle("New", "2024-02-02", []string{"Sport"}, "New story."))
		}, true},
		{"deleted", func() { os.Remove(filepath.Join(root, "content/02/new.md")) }, true},
		{"template", func() {
			writeSiteFile(t, root, "templates/footer.html", `{{define "footer"}}<footer>changed</footer>{{end}}`)
		}, true},
		{"tags.yaml", func() { writeSiteFile(t, root, "tags.yaml", "block: [sport]\n") }, true},
		{"racy", func() {
			p := filepath.Join(root, "content/00/story-000.md")
			now := time.Now()
			os.Chtimes(p, now, now)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.edit()
			if tc.age {
				ageFiles(t, root)
			}
			n := unchangedBuilds.Load()
			if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
				t.Fatal(err)
			}
			if unchangedBuilds.Load() != n {
				t.Error("took the no-op path after a change")
			}
			clean := filepath.Join(t.TempDir(), "clean")
			if _, err := Run(ctx, Options{Source: root, Dest: clean}); err != nil {
				t.Fatal(err)
			}
			got, want := readTree(t, dest), readTree(t, clean)
			for f, w := range want {
				if !bytes.Equal(got[f].data, w.data) {
					t.Errorf("%s differs from a clean build's", f)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d files, a clean build has %d", len(got), len(want))
			}
		})
	}
}
