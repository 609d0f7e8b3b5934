//go:build unix

package publish

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestWriteOverLoneSpareFile checks WriteFileStat in the spare: a file
// the spare alone holds is written over in place, keeping its inode, and
// cut to its new length; a link to the previous site's file, a symbolic
// link and a named pipe are replaced by a new file, never written
// through, and the previous site keeps its bytes.
func TestWriteOverLoneSpareFile(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	stageFresh(t, dest, map[string]string{
		"lone/index.html":   "the page as the previous site has it",
		"linked/index.html": "linked v1", "symlink/index.html": "symlink v1", "pipe/index.html": "pipe v1",
	})
	spare := sparePath(dest)
	writeTree(t, spare, map[string]string{"lone/index.html": "an older version of the page, longer than the new one"})
	for _, d := range []string{"linked", "symlink", "pipe"} {
		if err := os.MkdirAll(filepath.Join(spare, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(filepath.Join(dest, "linked/index.html"), filepath.Join(spare, "linked/index.html")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dest, "symlink/index.html"), filepath.Join(spare, "symlink/index.html")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(spare, "pipe/index.html"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Held open, the lone file shows whether it was written over or
	// replaced (its inode number may be reused by the file made anew).
	held, err := os.Open(filepath.Join(spare, "lone/index.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	prev, _ := siteFiles(t, dest)

	st, err := BeginReuse(dest)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"lone/index.html": "new", "linked/index.html": "linked v2",
		"symlink/index.html": "symlink v2", "pipe/index.html": "pipe v2"}
	if err := st.MakeDirs([]string{"lone/index.html", "linked/index.html", "symlink/index.html", "pipe/index.html"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for rel, data := range want {
			fi, err := st.WriteFileStat(rel, []byte(data))
			if err != nil {
				done <- err
				return
			}
			if fi.Size() != int64(len(data)) || !fi.Mode().IsRegular() {
				t.Errorf("%s: WriteFileStat says %d bytes, mode %v", rel, fi.Size(), fi.Mode())
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WriteFileStat blocked (on the named pipe?)")
	}
	// The previous site is untouched until the swap.
	assertTree(t, dest, map[string]string{
		"lone/index.html":   "the page as the previous site has it",
		"linked/index.html": "linked v1", "symlink/index.html": "symlink v1", "pipe/index.html": "pipe v1",
	})
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	assertTree(t, dest, want)
	now, _ := siteFiles(t, dest)
	if b, err := io.ReadAll(held); err != nil || string(b) != "new" {
		t.Errorf("the spare's lone file holds %q (%v): made anew, not written over", b, err)
	}
	if now["linked/index.html"] == prev["linked/index.html"] {
		t.Error("the previous site's file was written through its link in the spare")
	}
	// The previous site, now the spare, keeps its bytes.
	assertTree(t, spare, map[string]string{
		"lone/index.html":   "the page as the previous site has it",
		"linked/index.html": "linked v1", "symlink/index.html": "symlink v1", "pipe/index.html": "pipe v1",
	})
}
