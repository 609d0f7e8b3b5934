package build

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
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

// TestSpareRecordSpoiled: once the spare has a record of its folders from
// the build that filled it (publish.Tree, kept in the build cache), the
// build after next lists only the folders whose stamps changed. A spare
// spoiled by hand after the record was made, in folders the builds never
// touched, still gives a clean build's bytes. The builds wait for the
// sites' folders to settle (publish records a folder only when it had not
// changed for a while), so the test takes a few seconds.
func TestSpareRecordSpoiled(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for folders to settle")
	}
	ctx := context.Background()
	root := agedSite(t, 40)
	dest := filepath.Join(t.TempDir(), "public")
	spare := filepath.Join(filepath.Dir(dest), ".public.spare")
	opts := Options{Source: root, Dest: dest}
	edit := func(i int) {
		writeSiteFile(t, root, "content/01/story-005.md", testArticle("Story number 5", "2024-03-01",
			[]string{"Iraq", "Economy"}, fmt.Sprintf("Rewritten body number %d.", i)))
		ageFiles(t, root)
		if _, err := Run(ctx, opts); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Run(ctx, opts); err != nil {
		t.Fatal(err)
	}
	edit(1) // a fresh staging folder: the first site becomes the spare
	time.Sleep(2500 * time.Millisecond)
	edit(2) // fills the spare, listing it, and records it
	edit(3) // fills the other, and records it
	man := readManifest(mustAbs(root), dest)
	if man == nil || man.readTrees() != nil || man.spareTree == nil {
		t.Fatal("no record of the spare in the build cache after two builds filled the two sites")
	}
	man.close()
	// Spoil the spare in folders no build touched since the record.
	var pages []string
	for f := range readTree(t, spare) {
		if strings.HasPrefix(f, "2024/0") && strings.HasSuffix(f, "/index.html") && !strings.Contains(f, "story-number-5") {
			pages = append(pages, f)
		}
	}
	sort.Strings(pages)
	if len(pages) < 4 {
		t.Fatalf("only %d article pages in the spare", len(pages))
	}
	time.Sleep(50 * time.Millisecond)
	os.Remove(filepath.Join(spare, pages[0]))
	os.Remove(filepath.Join(spare, pages[1]))
	os.WriteFile(filepath.Join(spare, pages[1]), []byte("half written"), 0o644)
	os.WriteFile(filepath.Join(spare, filepath.Dir(pages[2]), "stray.html"), []byte("stray"), 0o644)
	os.MkdirAll(filepath.Join(spare, filepath.Dir(pages[3]), "stray"), 0o755)
	edit(4)
	assertCleanBuild(t, root, dest, false)
	if err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "stray" {
			t.Errorf("stray folder %s published", p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
