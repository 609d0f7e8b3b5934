package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestIncrementalBuildSwapsWholeSite checks how a one-article edit is
// published: into a new folder swapped in whole, never by changing files of
// the previous site. The folder handed to RemoveOld must be the previous
// site exactly, file for file, inode for inode, so that a reader who had it
// open (or a kill -9 at any moment) saw one whole site; the new site must
// hold the unchanged files as the same inodes, linked, not rewritten.
func TestIncrementalBuildSwapsWholeSite(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 24)
	dest := filepath.Join(t.TempDir(), "public")
	var removed []string
	opts := Options{Source: root, Dest: dest, RemoveOld: func(dir string) { removed = append(removed, dir) }}
	if _, err := Run(ctx, opts); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dest)
	destBefore, _ := os.Stat(dest)

	siteEdits[0].apply(t, root) // one article's body
	ageFiles(t, root)
	rep, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 {
		t.Fatalf("RemoveOld got %v, want the previous site's folder", removed)
	}
	if destAfter, _ := os.Stat(dest); os.SameFile(destBefore, destAfter) {
		t.Error("the edit was published into the previous site's folder, not swapped in")
	}
	old := readTree(t, removed[0])
	for f, b := range before {
		if o, ok := old[f]; !ok || !bytes.Equal(o.data, b.data) || o.ino != b.ino {
			t.Errorf("%s: the previous site's file was changed by the build", f)
		}
	}
	if len(old) != len(before) {
		t.Errorf("the previous site had %d files, %d after the build", len(before), len(old))
	}
	after := readTree(t, dest)
	linked, rewritten := 0, 0
	for f, a := range after {
		b, ok := before[f]
		switch {
		case !ok || !bytes.Equal(a.data, b.data):
			rewritten++
		case a.ino != b.ino || !a.mtime.Equal(b.mtime):
			t.Errorf("%s: rewritten though its bytes did not change", f)
		default:
			linked++
		}
	}
	if rewritten == 0 || rewritten != rep.Files || linked != rep.Unchanged {
		t.Errorf("%d files rewritten and %d linked; the report says %d written, %d unchanged",
			rewritten, linked, rep.Files, rep.Unchanged)
	}
	os.RemoveAll(removed[0])
	if entries, _ := os.ReadDir(filepath.Dir(dest)); len(entries) != 2 {
		t.Errorf("beside public/: %v, want it and the build cache", entries)
	}

	// A build with nothing to do changes nothing: no swap.
	removed = nil
	if _, err := Run(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if len(removed) != 0 {
		t.Errorf("a build with nothing to do swapped the site (RemoveOld got %v)", removed)
	}
	assertSameFiles(t, after, readTree(t, dest))
}
