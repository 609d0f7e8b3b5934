package publish

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	got, err := listTree(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := walkTree(dir, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	gotFiles, gotDirs := contents(t, got)
	wantFiles, wantDirs := contents(t, want)
	if !maps.Equal(gotFiles, wantFiles) || !maps.Equal(gotDirs, wantDirs) {
		t.Errorf("listTree = %v %v, want %v %v", gotFiles, gotDirs, wantFiles, wantDirs)
	}
	if len(gotFiles) != 8 || len(gotDirs) != 6 || gotFiles["z.txt"] != gotFiles["a/z.txt"] || gotFiles["z.txt"] == 0 {
		t.Errorf("listTree = %v %v", gotFiles, gotDirs)
	}
}

// contents returns what a listing holds: its files' inodes and its
// folders, by path. It checks that the listing's lookups agree with its
// folders, and that its files are numbered once each.
func contents(t *testing.T, l *treeListing) (map[string]uint64, map[string]bool) {
	t.Helper()
	files, dirs := map[string]uint64{}, map[string]bool{}
	numbered := make([]bool, l.nfiles)
	for rel, d := range l.folders() {
		for j, f := range d.files {
			p := filePath(rel, f.name)
			i, ino, ok := l.file(p)
			if !ok || i != int(d.first)+j || ino != f.ino {
				t.Errorf("listed file %s, number %d, inode %d, is found as %d, %d, %v", p, int(d.first)+j, f.ino, i, ino, ok)
			}
			if i < len(numbered) {
				if numbered[i] {
					t.Errorf("file %s numbered %d, as another", p, i)
				}
				numbered[i] = true
			}
			files[p] = f.ino
		}
		if rel == "." {
			continue
		}
		if i, ok := l.dir(rel); !ok || i != int(d.at) || l.dirs[i] != d {
			t.Errorf("listed folder %s at %d is found at %d, %v", rel, d.at, i, ok)
		}
		dirs[rel] = true
	}
	if len(files) != l.nfiles || len(dirs) != len(l.dirAt) || len(dirs) != len(l.dirs) {
		t.Errorf("%d files and %d folders indexed, %d and %d listed", l.nfiles, len(l.dirAt), len(files), len(dirs))
	}
	return files, dirs
}

// trustAllFolders makes every folder settled at once, for a test: it must
// wait a few clock ticks between recording a tree and changing it.
func trustAllFolders(t *testing.T) {
	old, oldFine := dirRacyWindow, dirRacyWindowFine
	dirRacyWindow, dirRacyWindowFine = 0, 0
	t.Cleanup(func() { dirRacyWindow, dirRacyWindowFine = old, oldFine })
}

// tick waits long enough for a folder changed now to get other times than
// one changed before: file system times move in ticks of a few
// milliseconds.
func tick() { time.Sleep(30 * time.Millisecond) }

// A record of a tree serves the next listing: a folder whose stamp it
// holds is not listed again, every other one is, and the listing equals a
// fresh one after every kind of change a hand or a killed build can make.
func TestListTreeWithRecord(t *testing.T) {
	if _, err := statDir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if st, _ := statDir(t.TempDir()); st == (dirStamp{}) {
		t.Skip("no folder stamps on this system: every folder is listed")
	}
	trustAllFolders(t)
	changes := []struct {
		name   string
		change func(dir string) error
	}{
		{"nothing", func(string) error { return nil }},
		{"file added", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "d3/f5/stray.html"), []byte("x"), 0o644)
		}},
		{"file removed", func(dir string) error { return os.Remove(filepath.Join(dir, "d1/f2/index.html")) }},
		{"file replaced", func(dir string) error {
			p := filepath.Join(dir, "d2/f0/index.html")
			if err := os.WriteFile(p+".tmp", []byte("other"), 0o644); err != nil {
				return err
			}
			return os.Rename(p+".tmp", p)
		}},
		{"file linked over", func(dir string) error {
			p := filepath.Join(dir, "d0/f1/index.html")
			if err := os.Remove(p); err != nil {
				return err
			}
			return os.Link(filepath.Join(dir, "d0/f2/index.html"), p)
		}},
		{"folder added", func(dir string) error { return os.MkdirAll(filepath.Join(dir, "d1/f3/new/deeper"), 0o755) }},
		{"folder removed", func(dir string) error { return os.RemoveAll(filepath.Join(dir, "d2/f4")) }},
		{"folder replaced by a file", func(dir string) error {
			if err := os.RemoveAll(filepath.Join(dir, "d3/f1")); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "d3/f1"), []byte("x"), 0o644)
		}},
		{"top-level file added", func(dir string) error { return os.WriteFile(filepath.Join(dir, "stray.txt"), nil, 0o644) }},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for d := range 4 {
				for f := range 6 {
					writeTree(t, dir, map[string]string{fmt.Sprintf("d%d/f%d/index.html", d, f): "page"})
				}
			}
			tick()
			first, err := listTree(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			data, err := first.tree.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var rec Tree
			if err := rec.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			tick()
			if err := c.change(dir); err != nil {
				t.Fatal(err)
			}
			n := listedFolders.Load()
			got, err := listTree(dir, &rec)
			if err != nil {
				t.Fatal(err)
			}
			listed := listedFolders.Load() - n
			want, err := walkTree(dir, false, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			gotFiles, gotDirs := contents(t, got)
			wantFiles, wantDirs := contents(t, want)
			if !maps.Equal(gotFiles, wantFiles) || !maps.Equal(gotDirs, wantDirs) {
				t.Errorf("listing with the record = %v %v\nwant %v %v", gotFiles, gotDirs, wantFiles, wantDirs)
			}
			if c.name == "nothing" && listed != 0 {
				t.Errorf("nothing changed, yet %d folders were listed again", listed)
			}
			// The record's folders are the listing's where they hold:
			// none made again but the changed folder and those above it.
			made := 0
			for rel, d := range got.folders() {
				if r := rec.root.find(rel); rel != "." && r != nil && r != d {
					made++
				}
			}
			if c.name == "nothing" && made != 0 || made > 3 {
				t.Errorf("%d folders made again, not taken from the record", made)
			}
			if listed > 3 {
				t.Errorf("%d folders listed again; one change should cost at most a folder and its new ones", listed)
			}
		})
	}
}

// A record of another folder (a swap moved the trees) is not used.
func TestListTreeIgnoresRecordOfAnotherFolder(t *testing.T) {
	trustAllFolders(t)
	a, b := t.TempDir(), t.TempDir()
	writeTree(t, a, map[string]string{"x/index.html": "a"})
	writeTree(t, b, map[string]string{"x/index.html": "b", "y/index.html": "b"})
	tick()
	la, err := listTree(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := listTree(b, la.tree)
	if err != nil {
		t.Fatal(err)
	}
	if files, dirs := contents(t, got); len(files) != 2 || len(dirs) != 2 {
		t.Errorf("b listed with a's record: %v %v", files, dirs)
	}
}

// A damaged record is refused, never a panic.
func TestTreeRecordDamaged(t *testing.T) {
	trustAllFolders(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a/b/index.html": "x", "a/c.xml": "y", "d/index.html": "z"})
	tick()
	l, err := listTree(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := l.tree.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Tree
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	again, _ := back.MarshalBinary()
	if !bytes.Equal(again, data) {
		t.Error("a record read back encodes differently")
	}
	if app, _ := back.AppendBinary([]byte("prefix")); string(app) != "prefix"+string(data) {
		t.Error("AppendBinary does not append MarshalBinary's encoding")
	}
	for i := range data {
		var rec Tree
		if rec.UnmarshalBinary(data[:i]) == nil {
			t.Errorf("a record cut to %d of %d bytes was read", i, len(data))
		}
		damaged := bytes.Clone(data)
		damaged[i] ^= 0x5a
		rec.UnmarshalBinary(damaged) // may or may not read; must not panic
	}
}

func FuzzTreeRecord(f *testing.F) {
	t := &Tree{ino: 7, root: &treeDir{name: ".", dirs: []*treeDir{
		{name: "a", stamp: dirStamp{1, 2, 3}, files: []treeFile{{"index.html", 9}}},
		{name: "b"},
	}}}
	data, _ := t.MarshalBinary()
	f.Add(data)
	f.Add([]byte(treeFormat))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec Tree
		if rec.UnmarshalBinary(data) != nil {
			return
		}
		// Numbers may be written longer than needed; what was read must
		// encode to a record that reads back as the same.
		enc, err := rec.MarshalBinary()
		var back Tree
		if err == nil {
			err = back.UnmarshalBinary(enc)
		}
		if again, _ := back.MarshalBinary(); err != nil || !bytes.Equal(again, enc) {
			t.Errorf("read %q, encoded as %q, which reads back as %q (%v)", data, enc, again, err)
		}
	})
}

// Builds that fill the spare leave a record of the site they publish
// (Staging.Tree), which the build after next lists the spare with: a
// spare spoiled in any way, as a build killed while filling it or a hand
// might leave it, still gives exactly the new site, and folders that
// neither the builds nor the spoiling changed are not listed again.
func TestSpareRecordAcrossBuilds(t *testing.T) {
	trustAllFolders(t)
	root := t.TempDir()
	dest := filepath.Join(root, "public")
	spare := filepath.Join(root, ".public.spare")
	site := func(v int) map[string]string {
		files := map[string]string{"index.html": fmt.Sprintf("home v%d", v)}
		for d := range 5 {
			for p := range 8 {
				files[fmt.Sprintf("d%d/p%d/index.html", d, p)] = "page"
			}
		}
		files[fmt.Sprintf("d%d/p%d/index.html", v%5, v%8)] = fmt.Sprintf("page v%d", v) // one page changes
		if v%2 == 0 {
			files[fmt.Sprintf("new%d/index.html", v)] = "a page of even versions"
		}
		return files
	}
	build := func(files map[string]string, rec *Tree) *Tree {
		t.Helper()
		l := ListSpare(dest, rec, nil)
		st, err := BeginReuseListed(dest, l)
		if err != nil {
			t.Fatal(err)
		}
		var rels []string
		for rel := range files {
			rels = append(rels, rel)
		}
		if err := st.MakeDirs(rels); err != nil {
			t.Fatal(err)
		}
		for rel, data := range files {
			old := filepath.Join(dest, filepath.FromSlash(rel))
			if b, err := os.ReadFile(old); err == nil && string(b) == data {
				fi, _ := os.Lstat(old)
				if _, err := st.LinkKnownFiles([]string{rel}, []uint64{inode(fi)}, dest); err != nil {
					t.Fatal(err)
				}
			} else if _, err := st.WriteFileStat(rel, []byte(data)); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Commit(); err != nil {
			t.Fatal(err)
		}
		st.Cleanup()
		assertTree(t, dest, files)
		tick()
		return st.Tree()
	}
	writeTree(t, dest, site(1))
	tick()
	recA := build(site(2), nil) // a fresh folder: its record is what it wrote (madeTree)
	if recA == nil {
		t.Fatal("a site staged into a fresh folder has no record")
	}
	recB := build(site(3), nil) // fills the spare, listing it
	if recB == nil {
		t.Fatal("a site staged into the spare has no record")
	}
	// The spare is now the site of build 2, which recA describes.
	n := listedFolders.Load()
	build(site(4), recA)
	if listed := listedFolders.Load() - n; listed > 3 {
		t.Errorf("%d folders listed; the fresh folder's record should have spared all but the changed ones", listed)
	}
	// The spare is now the site of build 3, which recB describes.
	os.Remove(filepath.Join(spare, "d4/p7/index.html"))
	writeTree(t, spare, map[string]string{"d1/p1/stray.html": "stray", "d2/p5/index.html": "half written", "d0/extra/index.html": "stray"})
	tick()
	n = listedFolders.Load()
	build(site(5), recB)
	if listed := listedFolders.Load() - n; listed > 10 {
		t.Errorf("%d folders listed; the record should have spared all but the changed ones", listed)
	}
}

// BenchmarkListTreeWithRecord lists a tree shaped like a site's (a folder
// per page, 26 years of days) whose record holds every folder: what an
// incremental build's listing of the spare costs, its stats and the
// listing's maps.
func BenchmarkListTreeWithRecord(b *testing.B) {
	old, oldFine := dirRacyWindow, dirRacyWindowFine
	dirRacyWindow, dirRacyWindowFine = 0, 0
	b.Cleanup(func() { dirRacyWindow, dirRacyWindowFine = old, oldFine })
	dir := b.TempDir()
	for i := range 10000 {
		p := filepath.Join(dir, fmt.Sprint(2000+i%26), fmt.Sprintf("%02d", 1+i/26%12), fmt.Sprintf("%02d", 1+i/312%28), fmt.Sprintf("story-%d", i), "index.html")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	first, err := listTree(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		l, err := listTree(dir, first.tree)
		if err != nil || l.nfiles != 10000 {
			b.Fatalf("listed %d files, %v", l.nfiles, err)
		}
	}
}

// A stamp with a fraction of a second comes from a file system that keeps
// nanoseconds, whose times move with the kernel's clock tick: it is
// trusted after dirRacyWindowFine; a stamp of whole seconds only after
// dirRacyWindow.
func TestSettledAt(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	at := func(ago time.Duration) int64 { return now.Add(-ago).UnixNano() }
	for _, tc := range []struct {
		name string
		st   dirStamp
		want bool
	}{
		{"fine, 500 ms ago", dirStamp{ino: 1, mtime: at(500*time.Millisecond + 7), ctime: at(500*time.Millisecond + 7)}, true},
		{"fine, 50 ms ago", dirStamp{ino: 1, mtime: at(50*time.Millisecond + 7), ctime: at(50*time.Millisecond + 7)}, false},
		{"fine mtime, changed 50 ms ago", dirStamp{ino: 1, mtime: at(time.Second + 7), ctime: at(50*time.Millisecond + 7)}, false},
		{"whole seconds, 1 s ago", dirStamp{ino: 1, mtime: at(time.Second), ctime: at(time.Second)}, false},
		{"whole seconds, 3 s ago", dirStamp{ino: 1, mtime: at(3 * time.Second), ctime: at(3 * time.Second)}, true},
		{"no stamp", dirStamp{}, false},
	} {
		if got := settledAt(tc.st, now); got != tc.want {
			t.Errorf("%s: settled %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A folder changed too recently to be trusted is listed with its files,
// for the build, but recorded without them: the next listing reads it.
func TestTreeRecordLeavesOutUnsettledFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a/index.html": "x", "a/b/feed.xml": "y"})
	l, err := listTree(dir, nil) // at once: no folder has settled
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := contents(t, l); len(files) != 2 {
		t.Fatalf("listed %v", files)
	}
	data, err := l.tree.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var rec Tree
	if err := rec.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"a", "a/b"} {
		d := rec.root.find(rel)
		if d == nil || d.stamp != (dirStamp{}) || len(d.files) != 0 {
			t.Errorf("%s recorded as %+v, want no stamp and no files", rel, d)
		}
	}
}
