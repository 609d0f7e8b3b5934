//go:build linux

package fsstat

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// At, raw or not, stats as unix.Fstatat does: files, folders, links
// followed or not, long paths, and the errors of missing files and of
// paths no file can have.
func TestAtMatchesFstatat(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("d", 200) + "/" + strings.Repeat("e", 200) + "/" + strings.Repeat("f", 200)
	for _, p := range []string{"a/b.txt", long + "/g.txt"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("b.txt", filepath.Join(dir, "a/link")); err != nil {
		t.Fatal(err)
	}
	fd := openDir(t, dir)
	t.Logf("Local: %v", Local(fd))
	for _, c := range []struct {
		rel   string
		flags int
	}{
		{"a/b.txt", 0}, {"a", 0}, {".", 0}, {"a/link", 0}, {"a/link", unix.AT_SYMLINK_NOFOLLOW},
		{long + "/g.txt", 0}, {"a/missing", 0}, {"a/b.txt/x", 0}, {"a/b\x00.txt", 0},
	} {
		var want unix.Stat_t
		wantErr := unix.Fstatat(fd, c.rel, &want, c.flags)
		for _, raw := range []bool{false, true} {
			var got unix.Stat_t
			err := At(fd, c.rel, &got, c.flags, raw)
			if !errors.Is(err, wantErr) && err != wantErr {
				t.Errorf("At(%.20q, raw %v): error %v, Fstatat's %v", c.rel, raw, err, wantErr)
			}
			if got != want {
				t.Errorf("At(%.20q, raw %v) = %+v, Fstatat gives %+v", c.rel, raw, got, want)
			}
		}
	}
}

// A raw stat allocates nothing.
func TestAtRawAllocates(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fd := openDir(t, dir)
	var st unix.Stat_t
	if n := testing.AllocsPerRun(100, func() { At(fd, "a.txt", &st, 0, true) }); n != 0 {
		t.Errorf("a raw stat made %v allocations", n)
	}
}

func TestLocalOfNoFolder(t *testing.T) {
	if Local(-1) {
		t.Error("Local(-1) = true")
	}
}

func BenchmarkAt(b *testing.B) {
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "2024/05/01/a-story"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "2024/05/01/a-story/index.html"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	fd := openDir(b, dir)
	for _, raw := range []bool{false, true} {
		name := "wrapper"
		if raw {
			name = "raw"
		}
		b.Run(name, func(b *testing.B) {
			var st unix.Stat_t
			for b.Loop() {
				At(fd, "2024/05/01/a-story/index.html", &st, 0, raw)
			}
		})
	}
}

// openDir opens dir as At's folder, until the test ends.
func openDir(tb testing.TB, dir string) int {
	tb.Helper()
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { unix.Close(fd) })
	return fd
}
