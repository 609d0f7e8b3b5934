package publish

import (
	"os"
	"path/filepath"
	"testing"
)

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func assertTree(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			got[filepath.ToSlash(rel)] = string(data)
		}
		return err
	})
	for f, w := range want {
		if got[f] != w {
			t.Errorf("%s = %q, want %q", f, got[f], w)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("unexpected file %s", f)
		}
	}
}

var oldSite = map[string]string{
	"index.html":        "home v1",
	"a/index.html":      "a v1",
	"b/c/index.html":    "c v1",
	"keep/index.html":   "keep",
	"gone/x/index.html": "gone",
}

var newSite = map[string]string{
	"index.html":      "home v2",
	"a/index.html":    "a v2",
	"b/c/index.html":  "c v1",
	"keep/index.html": "keep",
	"new/index.html":  "new",
}

func stagePatch(t *testing.T, dest string) *Patch {
	t.Helper()
	p, err := BeginPatch(dest)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"index.html", "a/index.html", "new/index.html"} {
		if err := p.WriteFile(rel, []byte(newSite[rel])); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Remove("gone/x/index.html"); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPatchCommit(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	writeTree(t, dest, oldSite)
	keep, _ := os.Stat(filepath.Join(dest, "keep/index.html"))
	p := stagePatch(t, dest)
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	p.Cleanup()
	assertTree(t, dest, newSite)
	if _, err := os.Stat(filepath.Join(dest, "gone")); !os.IsNotExist(err) {
		t.Errorf("the emptied folder gone/ is still there")
	}
	after, _ := os.Stat(filepath.Join(dest, "keep/index.html"))
	if !os.SameFile(keep, after) || !keep.ModTime().Equal(after.ModTime()) {
		t.Errorf("an untouched file was rewritten")
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".public.*")); len(m) > 0 {
		t.Errorf("leftovers beside the site: %v", m)
	}
}

// A build that fails before Commit leaves the site exactly as it was.
func TestPatchAbandoned(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	writeTree(t, dest, oldSite)
	stagePatch(t, dest) // killed: neither Commit nor Cleanup
	assertTree(t, dest, oldSite)
	if err := Recover(dest); err != nil {
		t.Fatal(err)
	}
	assertTree(t, dest, oldSite)
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".public.patch-*")); len(m) > 0 {
		t.Errorf("Recover left the abandoned patch folder: %v", m)
	}
}

// A build killed after the commit point, half way through applying the
// journal, is finished by the next build's Recover.
func TestPatchInterruptedApply(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	writeTree(t, dest, oldSite)
	p := stagePatch(t, dest)
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	// Replay the state just after the commit point with one file already
	// moved: the journal is back and the others wait in the patch folder.
	writeTree(t, dest, map[string]string{"a/index.html": "a v1", "gone/x/index.html": "gone"})
	writeTree(t, p.dir, map[string]string{"a/index.html": "a v2", "new/index.html": "new"})
	data := "sitegen patch v1\n" + filepath.Base(p.dir) + "\nwrite index.html\nwrite a/index.html\nwrite new/index.html\nremove gone/x/index.html\n"
	if err := os.WriteFile(journalPath(dest), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dest, "new/index.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := BeginPatch(dest); err != nil { // any next build recovers first
		t.Fatal(err)
	}
	assertTree(t, dest, newSite)
	if _, err := os.Stat(journalPath(dest)); !os.IsNotExist(err) {
		t.Errorf("journal left after recovery")
	}
}
