package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestIncrementalBuildSwapsWholeSite checks how small edits are published:
// into a folder swapped in whole, never by changing files of the
// published site. After each build the previous site must be intact,
// file for file and inode for inode, as the spare beside public/ (so a
// reader who had it open, or a kill -9 at any moment, saw one whole site);
// the new site must equal a clean build and hold the unchanged files as
// the same inodes. The second and later edits fill the spare, which is not
// trusted: a spare that a killed build left in any state still gives the
// clean build's bytes.
func TestIncrementalBuildSwapsWholeSite(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 24)
	dest := filepath.Join(t.TempDir(), "public")
	spare := filepath.Join(filepath.Dir(dest), ".public.spare")
	var removed []string
	opts := Options{Source: root, Dest: dest, RemoveOld: func(dir string) { removed = append(removed, dir) }}
	if _, err := Run(ctx, opts); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dest)
	spoil := func() { // as a build killed while filling the spare might leave it
		for f := range before {
			if len(f)%3 == 0 {
				os.Remove(filepath.Join(spare, f))
			} else if len(f)%3 == 1 {
				os.Remove(filepath.Join(spare, f))
				os.WriteFile(filepath.Join(spare, f), []byte("half written"), 0o644)
			}
		}
		os.MkdirAll(filepath.Join(spare, "stray", "index.html"), 0o755)
		os.WriteFile(filepath.Join(spare, "stray.html"), []byte("x"), 0o644)
	}
	for i, e := range siteEdits[:4] {
		if i == 3 {
			spoil()
		}
		destBefore, _ := os.Stat(dest)
		e.apply(t, root)
		ageFiles(t, root)
		rep, err := Run(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if destAfter, _ := os.Stat(dest); os.SameFile(destBefore, destAfter) {
			t.Fatalf("%s: published into the previous site's folder, not swapped in", e.name)
		}
		old := readTree(t, spare)
		for f, b := range before {
			if o, ok := old[f]; !ok || !bytes.Equal(o.data, b.data) || o.ino != b.ino {
				t.Errorf("%s: %s: the previous site's file was changed by the build", e.name, f)
			}
		}
		if len(old) != len(before) {
			t.Errorf("%s: the previous site had %d files, %d after the build", e.name, len(before), len(old))
		}
		clean := filepath.Join(t.TempDir(), "clean")
		if _, err := Run(ctx, Options{Source: root, Dest: clean}); err != nil {
			t.Fatal(err)
		}
		after, want := readTree(t, dest), readTree(t, clean)
		linked, rewritten := 0, 0
		for f, a := range after {
			b, ok := before[f]
			switch {
			case !bytes.Equal(a.data, want[f].data):
				t.Errorf("%s: %s differs from the clean build's", e.name, f)
			case !ok || !bytes.Equal(a.data, b.data):
				rewritten++
			case a.ino != b.ino || !a.mtime.Equal(b.mtime):
				t.Errorf("%s: %s rewritten though its bytes did not change", e.name, f)
			default:
				linked++
			}
		}
		if len(after) != len(want) {
			t.Errorf("%s: %d files, the clean build has %d", e.name, len(after), len(want))
		}
		if rewritten == 0 || rewritten != rep.Files || linked != rep.Unchanged {
			t.Errorf("%s: %d files rewritten and %d linked; the report says %d written, %d unchanged",
				e.name, rewritten, linked, rep.Files, rep.Unchanged)
		}
		before = after
	}
	if len(removed) != 0 {
		t.Errorf("small edits deleted folders %v; the previous site should be kept as the spare", removed)
	}
	entries, _ := os.ReadDir(filepath.Dir(dest))
	if len(entries) != 3 {
		t.Errorf("beside public/: %v, want it, the spare and the build cache", entries)
	}

	// A build with nothing to do changes nothing: no swap.
	if _, err := Run(ctx, opts); err != nil {
		t.Fatal(err)
	}
	assertSameFiles(t, before, readTree(t, dest))
}
