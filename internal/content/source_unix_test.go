//go:build unix

package content

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// On a real disk: links that loop, lead to folders, to devices or nowhere,
// and a FIFO, which would block a naive reader for ever.
func TestLoadOddFilesOnDisk(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.txt", goodTxt)
	write("sub/deep.txt", goodTxt)
	link("ok.txt", "alias.txt")         // a link to an article is read
	link("b.txt", "a.txt")              // a -> b -> a
	link("a.txt", "b.txt")              //
	link("self.txt", "self.txt")        // a link to itself
	link("..", "sub/up")                // a folder link back up: not walked, so no endless walk
	link("sub", "linkdir.txt")          // a folder link with an article's name
	link("/dev/zero", "zero.txt")       // endless data
	link("missing.txt", "dangling.txt") // nowhere
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.txt"), 0o644); err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	var arts []*Article
	var probs Problems
	var err error
	go func() {
		defer close(done)
		arts, probs, err = (&Loader{FS: os.DirFS(dir)}).Load(context.Background())
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Load hangs on odd files")
	}
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range arts {
		got = append(got, a.Source)
	}
	if strings.Join(got, " ") != "alias.txt ok.txt sub/deep.txt" {
		t.Errorf("loaded %v; want alias.txt ok.txt sub/deep.txt", got)
	}
	for path, want := range map[string]string{
		"a.txt":        "symbolic link loop",
		"b.txt":        "symbolic link loop",
		"self.txt":     "symbolic link loop",
		"sub/up":       "a link to a folder",
		"linkdir.txt":  "a link to a folder",
		"zero.txt":     "not a regular file",
		"dangling.txt": "vanished",
		"fifo.txt":     "not a regular file",
	} {
		if p := problemFor(t, probs, path); !strings.Contains(p.Msg, want) {
			t.Errorf("%s: %v; want %q", path, p, want)
		}
	}
}
