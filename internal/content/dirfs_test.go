package content

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// DirFS is a file system as the standard library checks one, with
// os.DirFS's errors: the name asked for, and the system's cause.
func TestDirFS(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"a.md": "---\ntitle: A\n---\nA.\n", "2024/05/b.txt": " date 2024-05-01 \nB.\n"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fsys := DirFS(dir)
	if err := fstest.TestFS(fsys, "a.md", "2024/05/b.txt"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		want error
	}{{"missing.md", fs.ErrNotExist}, {"../a.md", fs.ErrInvalid}, {"/a.md", fs.ErrInvalid}} {
		_, err := fsys.Open(c.name)
		var pe *fs.PathError
		if !errors.Is(err, c.want) || !errors.As(err, &pe) || pe.Path != c.name || pe.Op != "open" {
			t.Errorf("Open(%q) = %v, want an open error for %q that is %v", c.name, err, c.name, c.want)
		}
	}
	l := &Loader{FS: fsys}
	if _, a, prob := l.LoadFileBytes("2024/05/b.txt"); prob != nil || a == nil || a.Date.Year() != 2024 {
		t.Errorf("loaded %+v, %v", a, prob)
	}
}
