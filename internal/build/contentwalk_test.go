package build

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sitegen/sitegen/internal/content"
)

// A build takes the walk of content/ from the cache's record while every
// folder keeps its stamp, problems and all, and walks again after a file
// is added or removed, listing only the folders changed (and the one
// whose problem the record cannot replay, or changed too recently to be
// trusted), or, when a symbolic link left no record, all of them; its
// site is a clean build's throughout.
func TestContentRecord(t *testing.T) {
	ctx := context.Background()
	root := writeTestSite(t, 8)
	writeSiteFile(t, root, "content/00/notes.pdf", "not an article")
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	walks, read := contentWalks.Load(), contentDirsRead.Load()
	// build builds the site; wantRead is the number of folders its walk
	// lists (0: it takes the walk from the record; -1: it walks, listing
	// any number).
	build := func(wantRead int64) *Report {
		t.Helper()
		rep, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true})
		if rep == nil {
			t.Fatal(err)
		}
		n, r := contentWalks.Load(), contentDirsRead.Load()
		if walked := n > walks; walked != (wantRead != 0) {
			t.Errorf("content/ walked: %v, want %v", walked, wantRead != 0)
		}
		if wantRead >= 0 && r-read != wantRead {
			t.Errorf("%d folders of content/ listed, want %d", r-read, wantRead)
		}
		walks, read = n, r
		return rep
	}
	record := func() *contentRecord {
		t.Helper()
		man := readManifest(mustAbs(root), dest)
		if man == nil {
			t.Fatal("no build cache")
		}
		man.close()
		return man.State.Content
	}
	first := build(5)
	if rec := record(); rec == nil || len(rec.Dirs) != 5 || len(rec.Probs) != 1 {
		t.Fatalf("record after the first build: %+v, want 5 folders and the PDF's problem", rec)
	}
	// A body edited in place: no folder changes.
	writeSiteFile(t, root, "content/01/story-001.md", testArticle("Story number 1", "2024-02-02", []string{"Economy"}, "A new body."))
	ageFiles(t, root)
	if rep := build(0); !slices.EqualFunc(rep.Problems, first.Problems, func(a, b *content.Problem) bool { return *a == *b }) || len(rep.Problems) != 1 {
		t.Errorf("problems with the record %v, the walk's %v", rep.Problems, first.Problems)
	}
	build(0) // nothing changed
	// add writes an article at rel and builds, listing wantRead folders,
	// and remove deletes the folder or file at rel and builds.
	add := func(rel string, wantRead int64) *Report {
		t.Helper()
		writeSiteFile(t, root, rel, testArticle("Added", "2024-03-03", nil, "Added."))
		ageFiles(t, root)
		rep := build(wantRead)
		if _, err := os.Stat(filepath.Join(dest, "2024/03/03/added/index.html")); err != nil {
			t.Errorf("the added article's page: %v", err)
		}
		return rep
	}
	remove := func(rel string, wantRead int64) {
		t.Helper()
		os.RemoveAll(filepath.Join(root, rel))
		ageFiles(t, root)
		build(wantRead)
	}
	// Added, then removed: only their folder is listed, and the one
	// holding the PDF (the record does not say what the PDF was).
	if rep := add("content/02/added.md", 2); len(rep.Problems) != 1 || rep.Problems[0].Path != "content/00/notes.pdf" {
		t.Errorf("problems after a walk of one folder: %v, want the PDF's", rep.Problems)
	}
	build(0)
	remove("content/02/added.md", 2)
	// A file added to the folder holding the PDF.
	add("content/00/added.md", 1)
	remove("content/00/added.md", 1)
	// Folders added: content/, the new ones and the PDF's.
	add("content/04/new/added.md", 4)
	remove("content/04/new", 2)
	// A symbolic link leaves no record: every build after walks, listing
	// every folder.
	if err := os.Symlink("story-002.md", filepath.Join(root, "content/02/link.md")); err != nil {
		t.Fatal(err)
	}
	ageFiles(t, root)
	build(2)
	if rec := record(); rec != nil {
		t.Errorf("a walk that met a symbolic link left a record: %+v", rec)
	}
	build(6)
	os.Remove(filepath.Join(root, "content/02/link.md"))
	ageFiles(t, root)
	build(6)
	build(0)
	// A folder changed just now is recorded with no stamp: listed
	// again until it has settled.
	writeSiteFile(t, root, "content/03/fresh.md", testArticle("Fresh", "2024-03-04", nil, "Fresh."))
	build(2)
	if rec := record(); rec == nil || !slices.Contains(rec.Dirs, cachedDir{Path: "03"}) {
		t.Errorf("a walk of a folder changed just now recorded it with a stamp: %+v", rec)
	}
	build(2) // listed again though unchanged since
	ageFiles(t, root)
	build(2)
	build(0)

	assertCleanBuild(t, root, dest, true)
}
