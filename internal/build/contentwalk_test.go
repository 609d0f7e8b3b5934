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
// is added or removed, or when a symbolic link or a folder changed too
// recently left no record; its site is a clean build's throughout.
func TestContentRecord(t *testing.T) {
	ctx := context.Background()
	root := writeTestSite(t, 8)
	writeSiteFile(t, root, "content/00/notes.pdf", "not an article")
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	walks := contentWalks.Load()
	build := func(wantWalk bool) *Report {
		t.Helper()
		rep, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true})
		if rep == nil {
			t.Fatal(err)
		}
		n := contentWalks.Load()
		if walked := n > walks; walked != wantWalk {
			t.Errorf("content/ walked: %v, want %v", walked, wantWalk)
		}
		walks = n
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
	first := build(true)
	if rec := record(); rec == nil || len(rec.Dirs) != 5 || len(rec.Probs) != 1 {
		t.Fatalf("record after the first build: %+v, want 5 folders and the PDF's problem", rec)
	}
	// A body edited in place: no folder changes.
	writeSiteFile(t, root, "content/01/story-001.md", testArticle("Story number 1", "2024-02-02", []string{"Economy"}, "A new body."))
	ageFiles(t, root)
	if rep := build(false); !slices.EqualFunc(rep.Problems, first.Problems, func(a, b *content.Problem) bool { return *a == *b }) || len(rep.Problems) != 1 {
		t.Errorf("problems with the record %v, the walk's %v", rep.Problems, first.Problems)
	}
	build(false) // nothing changed
	// Added, then removed.
	writeSiteFile(t, root, "content/02/added.md", testArticle("Added", "2024-03-03", nil, "Added."))
	ageFiles(t, root)
	build(true)
	if _, err := os.Stat(filepath.Join(dest, "2024/03/03/added/index.html")); err != nil {
		t.Errorf("the added article's page: %v", err)
	}
	build(false)
	os.Remove(filepath.Join(root, "content/02/added.md"))
	ageFiles(t, root)
	build(true)
	// A symbolic link leaves no record: every build walks.
	if err := os.Symlink("story-002.md", filepath.Join(root, "content/02/link.md")); err != nil {
		t.Fatal(err)
	}
	ageFiles(t, root)
	build(true)
	if rec := record(); rec != nil {
		t.Errorf("a walk that met a symbolic link left a record: %+v", rec)
	}
	build(true)
	os.Remove(filepath.Join(root, "content/02/link.md"))
	ageFiles(t, root)
	build(true)
	build(false)
	// A folder changed just now is not trusted.
	writeSiteFile(t, root, "content/03/fresh.md", testArticle("Fresh", "2024-03-04", nil, "Fresh."))
	build(true)
	if rec := record(); rec != nil {
		t.Errorf("a walk of a folder changed just now left a record: %+v", rec)
	}
	ageFiles(t, root)
	build(true)
	build(false)

	assertCleanBuild(t, root, dest, true)
}
