package publish

import (
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// listTree's listing of inodes from the folder listing gives what a stat
// of each file gives.
func TestListTreeMatchesStat(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"index.html", "a/index.html", "a/b/c/index.html", "a/b/feed.xml", "search/t/1.bin", "z.txt"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(filepath.Join(dir, "z.txt"), filepath.Join(dir, "a", "z.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("index.html", filepath.Join(dir, "a", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, dirs, err := listTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles, wantDirs, err := walkTree(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(files, wantFiles) || !maps.Equal(dirs, wantDirs) {
		t.Errorf("listTree = %v %v, want %v %v", files, dirs, wantFiles, wantDirs)
	}
	if len(files) != 8 || len(dirs) != 6 || files["z.txt"] != files["a/z.txt"] || files["z.txt"] == 0 {
		t.Errorf("listTree = %v %v", files, dirs)
	}
}
