package publish

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// A site staged into a fresh folder gets a record made from what was
// written, which serves the next listing as a listing's record does: its
// trusted folders hold exactly what a listing finds, the folders it cannot
// vouch for are listed, and the listing made with it equals a fresh one.
func TestMadeTreeMatchesListing(t *testing.T) {
	if st, _ := statDir(t.TempDir()); st == (dirStamp{}) {
		t.Skip("no folder stamps on this system: every folder is listed")
	}
	trustAllFolders(t)
	root := t.TempDir()
	dest := filepath.Join(root, "public")
	prev := filepath.Join(root, "prev")
	writeTree(t, prev, map[string]string{"linked/index.html": "linked", "a/linked.html": "linked too"})
	written := map[string]string{"index.html": "home", "a/index.html": "a", "a/b/index.html": "b"}
	for d := range 4 {
		for p := range 3 {
			written[fmt.Sprintf("d%d/p%d/index.html", d, p)] = "page"
		}
	}
	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	// a/ghost is made for a file never written: a's link count then
	// tells of a folder the staging did not note.
	rels := []string{"linked/index.html", "a/linked.html", "plain/index.html", "a/ghost/never.html", "css/site.css"}
	for rel := range written {
		rels = append(rels, rel)
	}
	if err := st.MakeDirs(rels); err != nil {
		t.Fatal(err)
	}
	for rel, data := range written {
		if _, err := st.WriteFileStat(rel, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if missing, err := st.LinkFiles([]string{"linked/index.html", "a/linked.html"}, prev); err != nil || len(missing) > 0 {
		t.Fatal(missing, err)
	}
	if err := st.WriteFile("plain/index.html", []byte("no inode noted")); err != nil {
		t.Fatal(err)
	}
	if err := st.CopyFS(fstest.MapFS{"css/site.css": {Data: []byte("body {}")}}); err != nil {
		t.Fatal(err)
	}
	tick()
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	st.Cleanup()
	tree := st.Tree()
	if tree == nil {
		t.Fatal("no record of a site staged into a fresh folder")
	}
	fresh, err := listTree(dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, dirs := contents(t, fresh)
	trusted := 0
	var check func(rel string, d *treeDir)
	check = func(rel string, d *treeDir) {
		if d.stamp != (dirStamp{}) {
			trusted++
			got := map[string]uint64{}
			for _, f := range d.files {
				got[rel+"/"+f.name] = f.ino
			}
			want := map[string]uint64{}
			for f, ino := range files {
				if filepath.ToSlash(filepath.Dir(f)) == rel {
					want[f] = ino
				}
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s: recorded files %v, listed %v", rel, got, want)
			}
			n := 0
			for dir := range dirs {
				if filepath.ToSlash(filepath.Dir(dir)) == rel {
					n++
				}
			}
			if n != len(d.dirs) {
				t.Errorf("%s: %d folders recorded, %d listed", rel, len(d.dirs), n)
			}
		}
		for _, c := range d.dirs {
			crel := c.name
			if rel != "." {
				crel = rel + "/" + c.name
			}
			check(crel, c)
		}
	}
	check(".", tree.root)
	for _, rel := range []string{"plain", "css", "a"} { // files of unknown inode; a folder with one not noted
		if d := tree.root.find(rel); d == nil || d.stamp != (dirStamp{}) {
			t.Errorf("%s: recorded with its stamp, or not at all: %+v", rel, d)
		}
	}
	if want := 4 + 12 + 2; trusted != want { // d0-d3 and their pages, a/b, linked
		t.Errorf("%d folders recorded with their stamps, want %d", trusted, want)
	}
	n := listedFolders.Load()
	withRecord, err := listTree(dest, tree)
	if err != nil {
		t.Fatal(err)
	}
	gotFiles, gotDirs := contents(t, withRecord)
	if !maps.Equal(gotFiles, files) || !maps.Equal(gotDirs, dirs) {
		t.Errorf("listing with the record = %v %v, want %v %v", gotFiles, gotDirs, files, dirs)
	}
	if listed := listedFolders.Load() - n; listed != int64(len(dirs)-trusted) {
		t.Errorf("%d folders listed with the record, want the %d it does not vouch for", listed, len(dirs)-trusted)
	}
	os.RemoveAll(prev)
}

// Folders changed within their racy window of the swap are not vouched for:
// a change right after it could keep their stamps.
func TestMadeTreeRacyFolders(t *testing.T) {
	if st, _ := statDir(t.TempDir()); st == (dirStamp{}) {
		t.Skip("no folder stamps on this system: every folder is listed")
	}
	dest := filepath.Join(t.TempDir(), "public")
	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"a/index.html", "a/b/index.html", "c/index.html"} {
		if _, err := st.WriteFileStat(rel, []byte(rel)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	tree := st.Tree()
	if tree == nil {
		t.Fatal("no record")
	}
	for _, rel := range []string{"a", "a/b", "c"} {
		if d := tree.root.find(rel); d == nil || d.stamp != (dirStamp{}) || d.files != nil {
			t.Errorf("%s, changed just before the swap: recorded as %+v", rel, d)
		}
	}
}

// A file linked under an inode the caller found before it was replaced is
// recorded under the inode it has: the record names what the folder
// holds.
func TestMadeTreeRecordsLinkedInode(t *testing.T) {
	if st, _ := statDir(t.TempDir()); st == (dirStamp{}) {
		t.Skip("no folder stamps on this system: every folder is listed")
	}
	trustAllFolders(t)
	root := t.TempDir()
	prev := filepath.Join(root, "prev")
	writeTree(t, prev, map[string]string{"a/index.html": "old"})
	fi, err := os.Lstat(filepath.Join(prev, "a/index.html"))
	if err != nil {
		t.Fatal(err)
	}
	found := inode(fi)
	// Replaced by hand after the caller looked; the old file, kept under
	// another name, keeps its inode from being given to the new one.
	if err := os.Link(filepath.Join(prev, "a/index.html"), filepath.Join(prev, "old.html")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(prev, "a/index.html"))
	writeTree(t, prev, map[string]string{"a/index.html": "new"})
	st, err := Begin(filepath.Join(root, "public"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkKnownFiles([]string{"a/index.html"}, []uint64{found}, prev); err != nil {
		t.Fatal(err)
	}
	tick()
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	st.Cleanup()
	d := st.Tree().root.find("a")
	now, err := os.Lstat(filepath.Join(root, "public/a/index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if d == nil || d.stamp == (dirStamp{}) || len(d.files) != 1 || d.files[0].ino != inode(now) {
		t.Errorf("a: recorded %+v; the file there has inode %d (the caller found %d)", d, inode(now), found)
	}
}
