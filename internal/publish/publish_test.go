package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCommitReplacesSite(t *testing.T) {
	root := t.TempDir()
	dest := filepath.Join(root, "public")
	os.MkdirAll(filepath.Join(dest, "gone"), 0o755)
	os.WriteFile(filepath.Join(dest, "gone", "index.html"), []byte("old"), 0o644)
	os.MkdirAll(filepath.Join(root, ".public.staging-123"), 0o755) // left by a killed build

	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.WriteFile("a/b/index.html", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := st.CopyFS(fstest.MapFS{"style.css": {Data: []byte("css")}, ".hidden": {Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	// Before Commit the old site is untouched.
	if data, _ := os.ReadFile(filepath.Join(dest, "gone", "index.html")); string(data) != "old" {
		t.Fatal("old site changed before commit")
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := st.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dest, "a/b/index.html")); string(data) != "new" {
		t.Errorf("new page = %q", data)
	}
	if _, err := os.Stat(filepath.Join(dest, "gone")); !os.IsNotExist(err) {
		t.Errorf("old page still there")
	}
	if _, err := os.Stat(filepath.Join(dest, ".hidden")); !os.IsNotExist(err) {
		t.Errorf("hidden asset copied")
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left beside public/: %v", names)
	}
}

func TestFirstCommit(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out", "public")
	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	st.WriteFile("index.html", []byte("x"))
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	st.Cleanup()
	if _, err := os.Stat(filepath.Join(dest, "index.html")); err != nil {
		t.Error(err)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	root := t.TempDir()
	st, err := Begin(filepath.Join(root, "public"))
	if err != nil {
		t.Fatal(err)
	}
	st.WriteFile("index.html", []byte("x"))
	st.Cleanup() // a failed build never commits
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("aborted build left %v", entries)
	}
}

func TestRefusesPathsOutsideSite(t *testing.T) {
	root := t.TempDir()
	st, err := Begin(filepath.Join(root, "public"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Cleanup()
	for _, p := range []string{"../escape.html", "/etc/x", "a/../../x", "a\\..\\x", "nul\x00.html", ""} {
		if err := st.WriteFile(p, []byte("x")); err == nil || !strings.Contains(err.Error(), "not a path inside the site") {
			t.Errorf("WriteFile(%q) = %v, want refusal", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "escape.html")); !os.IsNotExist(err) {
		t.Error("a write escaped the site")
	}
}

func TestDestIsAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "public")
	os.WriteFile(f, []byte("x"), 0o644)
	if _, err := Begin(f); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("Begin on a file = %v", err)
	}
}

// LinkFiles stages the previous site's files as the same inodes, reports
// the ones that are gone, and a later write of a linked path replaces the
// link instead of changing the previous site's file through it.
func TestLinkFiles(t *testing.T) {
	root := t.TempDir()
	dest := filepath.Join(root, "public")
	writeTree(t, dest, oldSite)
	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Cleanup()
	rels := []string{"a/index.html", "b/c/index.html", "keep/index.html", "vanished/index.html"}
	if err := st.MakeDirs(append(rels, "new/index.html")); err != nil {
		t.Fatal(err)
	}
	missing, err := st.LinkFiles(rels, dest)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0] != "vanished/index.html" {
		t.Errorf("missing = %v, want [vanished/index.html]", missing)
	}
	for _, rel := range rels[:3] {
		was, _ := os.Stat(filepath.Join(dest, rel))
		is, err := os.Stat(filepath.Join(st.Dir(), rel))
		if err != nil || !os.SameFile(was, is) {
			t.Errorf("%s: not linked to the previous site's file (%v)", rel, err)
		}
	}
	if _, err := st.WriteFileStat("a/index.html", []byte("a v2")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteFileStat("new/index.html", []byte("new")); err != nil {
		t.Fatal(err)
	}
	assertTree(t, dest, oldSite) // nothing written through a link
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	assertTree(t, dest, map[string]string{"a/index.html": "a v2", "b/c/index.html": "c v1",
		"keep/index.html": "keep", "new/index.html": "new"})
}

// Folders that earlier builds left are handed over with the previous site
// after Commit, for the caller to delete off the build's path.
func TestDetachHandsOverLeftovers(t *testing.T) {
	root := t.TempDir()
	dest := filepath.Join(root, "public")
	writeTree(t, dest, oldSite)
	killed := filepath.Join(root, ".public.staging-1")
	deleting := filepath.Join(root, ".public.old-2")
	writeTree(t, killed, newSite)
	writeTree(t, deleting, oldSite)
	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(killed); err != nil {
		t.Error("Begin deleted a leftover on the build's path")
	}
	st.WriteFile("index.html", []byte("x"))
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	dirs := st.Detach()
	st.Cleanup()
	if len(dirs) != 3 {
		t.Fatalf("Detach = %v, want the previous site and two leftovers", dirs)
	}
	assertTree(t, dirs[0], oldSite)
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("Cleanup deleted %s, which was detached", d)
		}
	}
}

// Files whose names are known only once they are made are written and
// linked after MakeDirs without being named to it: their folders are made
// then, in a fresh staging folder and in the spare, where a file of the
// site before may stand in a folder's place.
func TestWritesIntoFoldersNotMade(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		root := t.TempDir()
		dest := filepath.Join(root, "public")
		writeTree(t, dest, oldSite)
		writeTree(t, filepath.Join(root, ".public.spare"), map[string]string{"late": "a file where a folder goes"})
		begin := Begin
		if reuse {
			begin = BeginReuse
		}
		st, err := begin(dest)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.MakeDirs([]string{"a/index.html"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.WriteFileStat("late/x/0.bin", []byte("made late")); err != nil {
			t.Fatal(err)
		}
		if err := st.Link("b/c/index.html", filepath.Join(dest, "b/c/index.html")); err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(); err != nil {
			t.Fatal(err)
		}
		assertTree(t, dest, map[string]string{"late/x/0.bin": "made late", "b/c/index.html": "c v1"})
		st.Cleanup()
	}
}

// siteFiles returns every file under dir by forward-slash path, with its
// inode, and every folder.
func siteFiles(t *testing.T, dir string) (files map[string]uint64, dirs map[string]bool) {
	t.Helper()
	files, dirs = map[string]uint64{}, map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if p == dir && errors.Is(err, fs.ErrNotExist) {
			return nil // none: nothing in it
		}
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			dirs[rel] = true
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files[rel] = inode(fi)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, dirs
}

// stageFresh publishes files at dest through a fresh staging folder, as a
// cold build does, and returns the record of the site.
func stageFresh(t *testing.T, dest string, files map[string]string) *Tree {
	t.Helper()
	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	for rel, data := range files {
		if _, err := st.WriteFileStat(rel, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	tick()
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := st.Cleanup(); err != nil {
		t.Fatal(err)
	}
	return st.Tree()
}

func sampleSite() map[string]string {
	files := map[string]string{"index.html": "home", "css/site.css": "body {}"}
	for d := range 5 {
		for p := range 4 {
			files[fmt.Sprintf("2024/%02d/p%d/index.html", d+1, p)] = fmt.Sprintf("page %d %d", d, p)
		}
	}
	return files
}

// A site written whole shares no file with the spare: the spare goes,
// with the previous site, and a build that links files keeps the previous
// site as the next spare in its place.
func TestFreshSiteMovesSpareAside(t *testing.T) {
	for _, linked := range []bool{false, true} {
		t.Run(fmt.Sprintf("linked=%v", linked), func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "public")
			stageFresh(t, dest, sampleSite())
			writeTree(t, sparePath(dest), map[string]string{"stale.html": "the site before"})
			prev, _ := siteFiles(t, dest)
			st, err := Begin(dest)
			if err != nil {
				t.Fatal(err)
			}
			if linked {
				if _, err := st.LinkFiles([]string{"index.html"}, dest); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.WriteFile("new.html", []byte("new")); err != nil {
				t.Fatal(err)
			}
			if err := st.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := st.Cleanup(); err != nil {
				t.Fatal(err)
			}
			spare, _ := siteFiles(t, sparePath(dest))
			switch {
			case spare["stale.html"] != 0:
				t.Error("the old spare stayed")
			case linked && (len(spare) != len(prev) || spare["index.html"] != prev["index.html"]):
				t.Errorf("the spare holds %d files, not the previous site's %d", len(spare), len(prev))
			case !linked && len(spare) > 0:
				t.Errorf("a spare after a site written whole: %v", spare)
			}
			ents, _ := os.ReadDir(filepath.Dir(dest))
			if want := 1 + btoi(linked); len(ents) != want {
				t.Errorf("beside the site: %v", ents)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSiblingRuns: MakeDirs's runs hold every folder of one parent and
// only those, whatever order the folders came in.
func TestSiblingRuns(t *testing.T) {
	dirs := []string{"a/y", "a-c/d", "b/x", "a/x", "a.b/z", "b/a", "a-c/a", "c/q"}
	starts := siblingRuns(dirs)
	var got [][]string
	for k := range len(starts) - 1 {
		got = append(got, dirs[starts[k]:starts[k+1]])
	}
	want := [][]string{{"a-c/a", "a-c/d"}, {"a.b/z"}, {"a/x", "a/y"}, {"b/a", "b/x"}, {"c/q"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("runs %q, want %q", got, want)
	}
	if got := siblingRuns(nil); !reflect.DeepEqual(got, []int{0}) {
		t.Errorf("siblingRuns(nil) = %v, want [0]", got)
	}
}
