//go:build linux

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// inodes returns every file under dir, by path from dir, with its inode.
func inodes(t *testing.T, dir string) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fi.Sys().(*syscall.Stat_t).Ino
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func folderIno(t *testing.T, dir string) uint64 {
	t.Helper()
	fi, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// A cold build of a large site starts a process of its own that makes the
// spare ahead: every file of the site linked, with a record of it; the
// edit after it fills that spare and gives a clean build's bytes.
func TestSpareMadeInBackground(t *testing.T) {
	root := t.TempDir()
	writeCorpus(t, root, 500, 7) // 2,211 files: over the 2,000 that ask for a spare
	if code, _, stderr := sitegen("build", "--quiet", "--source", root); code != 0 {
		t.Fatalf("build: %d\n%s", code, stderr)
	}
	dest, spare := filepath.Join(root, "public"), filepath.Join(root, ".public.spare")
	record := waitForSpare(t, dest)
	site, made := inodes(t, dest), inodes(t, spare)
	if len(made) != len(site) {
		t.Errorf("the spare holds %d files, the site %d", len(made), len(site))
	}
	for rel, ino := range site {
		if made[rel] != ino {
			t.Errorf("%s: the spare's is not a link to the site's", rel)
		}
	}
	madeIno := folderIno(t, spare)

	stories, _ := filepath.Glob(filepath.Join(root, "content", "*", "*", "*.md"))
	f, err := os.OpenFile(stories[len(stories)/2], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nA line added after the build.\n")
	f.Close()
	if code, _, stderr := sitegen("build", "--quiet", "--source", root); code != 0 {
		t.Fatalf("edit build: %d\n%s", code, stderr)
	}
	if folderIno(t, dest) != madeIno {
		t.Error("the edit did not fill the spare made ahead")
	}
	if _, err := os.Lstat(record); err == nil {
		t.Error("the record of the spare outlived it")
	}
	clean := filepath.Join(t.TempDir(), "public")
	if code, _, stderr := sitegen("build", "--quiet", "--source", root, "--dest", clean); code != 0 {
		t.Fatalf("clean build: %d\n%s", code, stderr)
	}
	if got, want := treeHash(t, dest), treeHash(t, clean); got != want {
		t.Errorf("after the edit the site is %s, a clean build %s", got, want)
	}
	waitForSpare(t, clean) // before the temporary folder goes
}

// waitForSpare waits for the background process to have made the spare
// beside dest, and returns the path of its record.
func waitForSpare(t *testing.T, dest string) string {
	t.Helper()
	record := filepath.Join(filepath.Dir(dest), ".public.spare.tree")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Lstat(record); err == nil {
			return record
		}
		if time.Now().After(deadline) {
			t.Fatal("no spare made within a minute of the build")
		}
	}
}

// With --spare-ahead=false a cold build leaves nothing but the site and
// its cache beside it.
func TestNoSpareAhead(t *testing.T) {
	root := t.TempDir()
	writeCorpus(t, root, 500, 7)
	if code, _, stderr := sitegen("build", "--quiet", "--spare-ahead=false", "--source", root); code != 0 {
		t.Fatalf("build: %d\n%s", code, stderr)
	}
	time.Sleep(2 * time.Second) // a maker, had one started, would have named its folder by now
	ents, _ := os.ReadDir(root)
	for _, e := range ents {
		switch e.Name() {
		case "content", "public", ".public.sitegen-cache", ".public.sitegen-fragments":
		default:
			t.Errorf("beside the site: %s", e.Name())
		}
	}
}
