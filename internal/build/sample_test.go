package build

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/linkcheck"
)

// repoRoot is the bundled sample site: the repository itself.
const repoRoot = "../.."

// TestSampleArchive builds the bundled sample archive and checks that it has
// the pages the README promises, that every internal link resolves to a file
// the build wrote, and that a second build gives byte-identical output.
func TestSampleArchive(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	rep, err := Run(context.Background(), Options{Source: repoRoot, Dest: dest})
	if err != nil {
		t.Fatalf("building the sample: %v\n%v", err, rep.Problems)
	}
	if rep.Articles < 30 {
		t.Errorf("sample has %d articles, want at least 30", rep.Articles)
	}
	s, err := Load(context.Background(), repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Site.Tags) == 0 {
		t.Fatal("sample has no tags")
	}
	var want []string
	for _, a := range s.Site.Articles {
		want = append(want, a.URLPath(), a.Date.Format("/2006/"), a.Date.Format("/2006/01/"), a.Date.Format("/2006/01/02/"))
	}
	want = append(want, "/", "/tags/", s.Site.Tags[0].URLPath())
	for _, u := range want {
		if _, err := os.Stat(filepath.Join(dest, filepath.FromSlash(u), "index.html")); err != nil {
			t.Errorf("page %s missing: %v", u, err)
		}
	}

	cfg, err := config.Load(os.DirFS(repoRoot))
	if err != nil {
		t.Fatal(err)
	}
	broken, checked, err := linkcheck.Check(os.DirFS(dest), cfg.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Errorf("broken link: %s", b)
	}
	if checked < 1000 {
		t.Errorf("only %d internal links checked; the walk is not seeing the pages", checked)
	}

	dest2 := filepath.Join(t.TempDir(), "public")
	if _, err := Run(context.Background(), Options{Source: repoRoot, Dest: dest2}); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, dest, dest2)
}

// compareTrees fails unless two folders hold the same files with the same bytes.
func compareTrees(t *testing.T, a, b string) {
	t.Helper()
	read := func(root string) map[string][]byte {
		files := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			files[rel] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	fa, fb := read(a), read(b)
	if len(fa) != len(fb) {
		t.Errorf("builds wrote %d and %d files", len(fa), len(fb))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two builds of the same input", name)
		}
	}
}
