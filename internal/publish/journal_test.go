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

// An older sitegen killed half way through applying its journal left a
// mix of two sites; the next build's Begin finishes the journal first, so
// what it swaps out (and what stays if it fails) is a complete site.
func TestRecoverFinishesOldJournal(t *testing.T) {
	root := t.TempDir()
	dest := filepath.Join(root, "public")
	writeTree(t, dest, map[string]string{ // index.html already moved in
		"index.html": "home v2", "a/index.html": "a v1", "b/c/index.html": "c v1",
		"keep/index.html": "keep", "gone/x/index.html": "gone"})
	patch := filepath.Join(root, ".public.patch-123")
	writeTree(t, patch, map[string]string{"a/index.html": "a v2", "new/index.html": "new"})
	abandoned := filepath.Join(root, ".public.patch-456") // a build that never committed
	writeTree(t, abandoned, map[string]string{"index.html": "home v3"})
	data := "sitegen patch v1\n.public.patch-123\nwrite index.html\nwrite a/index.html\nwrite new/index.html\nremove gone/x/index.html\n"
	if err := os.WriteFile(journalPath(dest), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	st.Cleanup()
	assertTree(t, dest, newSite)
	if _, err := os.Stat(filepath.Join(dest, "gone")); !os.IsNotExist(err) {
		t.Errorf("the emptied folder gone/ is still there")
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Errorf("left beside public/ after recovery: %v", entries)
	}
}

func TestRecoverRefusesForeignJournal(t *testing.T) {
	root := t.TempDir()
	dest := filepath.Join(root, "public")
	writeTree(t, dest, oldSite)
	os.WriteFile(journalPath(dest), []byte("sitegen patch v1\n../../etc\nwrite ../../x\n"), 0o644)
	if err := Recover(dest); err == nil {
		t.Error("Recover applied a journal that names a folder outside its own")
	}
	assertTree(t, dest, oldSite)
}
