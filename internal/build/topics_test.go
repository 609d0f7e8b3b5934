package build

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sitegen/sitegen/internal/content"
)

// writeTopicSite writes a Markdown archive in which most articles name
// "Kataib Hezbollah" and a few "Abu Mahdi", and the raw text article that
// may be added to it, which names both twice.
func writeTopicSite(t *testing.T) (root string, addRawText func()) {
	root = t.TempDir()
	writeSiteFile(t, root, "sitegen.yaml", "title: Topics\nbaseURL: https://example.org/\npaginate: 5\n")
	for i := range 24 {
		body := fmt.Sprintf("Story %d. Fighters of Kataib Hezbollah said so, and Kataib Hezbollah denied it.", i)
		if i%3 == 0 {
			body = fmt.Sprintf("Story %d. Nothing was said.", i)
		}
		if i < 2 {
			body += " Later Abu Mahdi spoke."
		}
		writeSiteFile(t, root, fmt.Sprintf("content/%02d/story-%03d.md", i%4, i),
			testArticle(fmt.Sprintf("Story %d", i), fmt.Sprintf("2024-%02d-%02d", 1+i%3, 1+i%5), []string{"Iraq"}, body))
	}
	ageFiles(t, root)
	return root, func() {
		writeSiteFile(t, root, "content/wire/2024-02-03-rockets.txt", " date 2024-02-03 Rockets hit the base\n\n"+
			"The army said that Kataib Hezbollah fired the rockets. Officials blamed Kataib Hezbollah and Abu Mahdi. "+
			"A spokesman for Abu Mahdi denied it.\n")
		ageFiles(t, filepath.Join(root, "content", "wire")) // the others keep their stamps
	}
}

// rawTextTags returns the tags of the raw text article of b's site.
func rawTextTags(t *testing.T, b *Builder) []string {
	for _, a := range b.Site().Articles {
		if content.IsRawText(a.Source) {
			var names []string
			for _, tag := range a.Tags {
				names = append(names, tag.Name)
			}
			return names
		}
	}
	t.Fatal("no raw text article in the site")
	return nil
}

// TestFirstRawTextArticle adds a raw text article to a Markdown archive,
// whose articles were loaded without topic candidates, nothing weighing
// them then. The new article's topic tags must be weighed against every
// article's candidates, as in a fresh load: "Kataib Hezbollah", named in
// most articles, is not one of its tags, "Abu Mahdi" is. Builder.Update
// and an incremental build must both give what a fresh load gives.
func TestFirstRawTextArticle(t *testing.T) {
	root, addRawText := writeTopicSite(t)
	checkUpdates(t, root, []siteEdit{{"first raw text article", func(t *testing.T, root string) []string {
		addRawText()
		return []string{"content/wire/2024-02-03-rockets.txt"}
	}, 0, fullPath}})
	fresh, err := NewBuilder(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if tags := rawTextTags(t, fresh); slices.Contains(tags, "Kataib Hezbollah") || !slices.Contains(tags, "Abu Mahdi") {
		t.Errorf("raw text article's tags %q: want Abu Mahdi and not Kataib Hezbollah, named in most articles", tags)
	}

	// The same through the build cache, which holds the Markdown articles
	// without candidates.
	root, addRawText = writeTopicSite(t)
	dest := filepath.Join(t.TempDir(), "public")
	ctx := context.Background()
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	addRawText()
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	assertCleanBuild(t, root, dest, false)
}

// TestArticlesWithoutTopicsFromCache: in an archive with a raw text
// article, a Markdown article whose text names no one has no topic
// candidates, and the build cache must keep it as read, not as an article
// whose candidates are still to be found. Until the cache said which, such
// an article was read again by every build, and one left out as a
// duplicate (here: same headline and day as another) kept every later
// edit off the build's fast path.
func TestArticlesWithoutTopicsFromCache(t *testing.T) {
	root, addRawText := writeTopicSite(t)
	addRawText()
	writeSiteFile(t, root, "content/00/quiet.md", testArticle("Story 3", "2024-01-04", []string{"Iraq"}, "Nothing was said at all."))
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	rep, err := Run(context.Background(), Options{Source: root, Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Articles != 25 { // 24, the raw text one, and the copy left out
		t.Fatalf("%d articles published, want 25", rep.Articles)
	}
	for i := range 2 {
		writeSiteFile(t, root, "content/01/story-005.md", testArticle("Story 5", "2024-03-01", []string{"Iraq"},
			fmt.Sprintf("Story 5, edit %d. Fighters of Kataib Hezbollah said so, and Kataib Hezbollah denied it.", i)))
		ageFiles(t, root)
		n := bodyEditsFromCache.Load()
		if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
			t.Fatal(err)
		}
		if bodyEditsFromCache.Load() == n {
			t.Errorf("edit %d: the build did not take the fast path", i)
		}
		assertCleanBuild(t, root, dest, false)
	}
}
