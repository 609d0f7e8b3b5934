package build

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sitegen/sitegen/internal/site"
)

// TestBuildKeepsCachedRelatedStories applies every edit in siteEdits to a
// site built with the cache and checks that a build keeps the related
// stories of the build cache exactly when no article's source path, date
// or tags changed and no article came or went (a body, title, theme or
// configuration edit), keeps all but those an edit can have changed when
// it edits articles' dates, headlines or tags, computes them otherwise,
// and that either way its output, and the related stories it caches,
// equal a clean build's.
func TestBuildKeepsCachedRelatedStories(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 24)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if cachedRelated(t, root, dest) == nil {
		t.Fatal("the build cache holds no related stories though the article pages show them")
	}
	// The edits that leave the related stories' inputs alone, by name.
	// siteEdits' "title" edit is not one: the new slug moves the article
	// ahead of another of the same day (site order breaks ties by slug),
	// and "template and article at once" changes the article's tags. A
	// tag spelled another way has the same slug, all that related stories
	// read of it.
	kept := map[string]bool{"body": true, "template": true, "asset": true, "config": true, "title, same order": true,
		"tag spelled another way by the newest article carrying it": true}
	// The edits of articles' dates, slugs (by their headlines) and tags,
	// which keep the others' related stories and compute again those of
	// the articles sharing a tag the edited articles had or have.
	edited := map[string]bool{"title": true, "date": true, "tag": true, "tag dropped, its page gone": true,
		"tags reordered, with the body": true, "two articles trading a tag": true, "tags with a headline that moves the URL": true,
		"tags mapped and blocked by the rules": true, "a tag the rules mapped, dropped": true, "date and a tag the rules map": true,
		"moved onto the day of the article with its slug, which is renamed": true}
	edits := append(slices.Clone(siteEdits), siteEdit{name: "title, same order", apply: func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/01/story-005.md", testArticle("Story number 5, retitled", "2024-03-01",
			[]string{"Iraq", "Economy"}, "A rewritten body."))
		return nil
	}})
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			e.apply(t, root)
			ageFiles(t, root)
			n, nr := relatedFromCache.Load(), relatedEditedFromCache.Load()
			if _, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true}); err != nil && e.name != "bad file" {
				t.Fatal(err)
			}
			if got := relatedFromCache.Load() - n; got != map[bool]int64{true: 1}[kept[e.name]] {
				t.Errorf("kept the cached related stories %d times, want %v", got, kept[e.name])
			}
			if got := relatedEditedFromCache.Load() - nr; got != map[bool]int64{true: 1}[edited[e.name]] {
				t.Errorf("kept the cached related stories but the edited ones' %d times, want %v", got, edited[e.name])
			}
			clean := filepath.Join(t.TempDir(), "clean")
			n = relatedFromCache.Load()
			if _, err := Run(ctx, Options{Source: root, Dest: clean, KeepGoing: true}); err != nil && e.name != "bad file" {
				t.Fatal(err)
			}
			if relatedFromCache.Load() != n {
				t.Fatal("a clean build, with no cache, kept cached related stories")
			}
			got, want := readTree(t, dest), readTree(t, clean)
			for f, w := range want {
				if g, ok := got[f]; !ok || !bytes.Equal(g.data, w.data) {
					t.Errorf("%s differs from a clean build's", f)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d files, a clean build has %d", len(got), len(want))
			}
			g, w := cachedRelated(t, root, dest), cachedRelated(t, root, clean)
			if g == nil || w == nil || g.Key != w.Key || !slices.EqualFunc(g.Lists, w.Lists, slices.Equal) {
				t.Errorf("cached related stories differ from a clean build's: %v, want %v", g, w)
			}
		})
	}
}

// cachedRelated returns the related stories in the build cache of the
// site at root built into dest.
func cachedRelated(t *testing.T, root, dest string) *site.RelatedIndex {
	t.Helper()
	man := readManifest(mustAbs(root), dest)
	if man == nil {
		t.Fatalf("no usable build cache for %s", dest)
	}
	if !man.readRest() {
		t.Fatalf("the build cache for %s is unreadable", dest)
	}
	return man.State.Related
}
