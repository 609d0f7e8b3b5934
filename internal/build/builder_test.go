package build

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTestSite writes a small archive of n Markdown articles, paginated
// three to a page so that lists span several pages, and returns its root.
func writeTestSite(t testing.TB, n int) string {
	t.Helper()
	root := t.TempDir()
	writeSiteFile(t, root, "sitegen.yaml", "title: Test archive\nbaseURL: https://example.org/\npaginate: 3\n")
	tags := []string{"Iraq", "Economy", "Sport", "Climate", "Health"}
	for i := 0; i < n; i++ {
		writeSiteFile(t, root, fmt.Sprintf("content/%02d/story-%03d.md", i%4, i), testArticle(
			fmt.Sprintf("Story number %d", i),
			fmt.Sprintf("2024-%02d-%02d", 1+i%3, 1+i%5),
			[]string{tags[i%len(tags)], tags[(i*3+1)%len(tags)]},
			fmt.Sprintf("Body of story %d.\n\nA second paragraph.", i)))
	}
	return root
}

func testArticle(title, date string, tags []string, body string) string {
	return fmt.Sprintf("---\ntitle: %q\ndate: %s\ntags: [%s]\nsummary: Summary of %s.\n---\n%s\n",
		title, date, strings.Join(tags, ", "), title, body)
}

func writeSiteFile(t testing.TB, root, rel, data string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// renderAll draws every page of b into memory.
func renderAll(t testing.TB, b *Builder) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range b.Files() {
		var buf bytes.Buffer
		if err := b.Render(&buf, f); err != nil {
			t.Fatal(err)
		}
		out[f] = buf.Bytes()
	}
	return out
}

// A site edit as a test applies it: the files it touched, relative to the root.
type siteEdit struct {
	name  string
	apply func(t *testing.T, root string) []string
	// most is the largest number of changed pages the edit may report, so
	// that a Builder which reports every page for every edit fails; 0 means
	// any number.
	most int
}

var siteEdits = []siteEdit{
	{"body", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/01/story-005.md", testArticle("Story number 5", "2024-03-01",
			[]string{"Iraq", "Economy"}, "A rewritten body."))
		return []string{"content/01/story-005.md"}
	}, 3}, // the article page, and its neighbours' pages: the templates could show their bodies
	{"title", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/02/story-006.md", testArticle("A new headline", "2024-01-02",
			[]string{"Economy", "Health"}, "Body of story 6."))
		return []string{"content/02/story-006.md"}
	}, 0},
	{"date", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/03/story-007.md", testArticle("Story number 7", "2023-12-31",
			[]string{"Sport", "Climate"}, "Body of story 7."))
		return []string{"content/03/story-007.md"}
	}, 0},
	{"tag", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/story-008.md", testArticle("Story number 8", "2024-03-04",
			[]string{"Brand new tag"}, "Body of story 8."))
		return []string{"content/00/story-008.md"}
	}, 0},
	{"duplicate URL", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/again.md", testArticle("Story number 9", "2024-01-05",
			[]string{"Iraq"}, "Same title and day as story 9."))
		return []string{"content/00/again.md"}
	}, 0},
	{"draft", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/01/story-001.md", "---\ntitle: Story number 1\ndate: 2024-02-02\ndraft: true\n---\nText.\n")
		return []string{"content/01/story-001.md"}
	}, 0},
	{"delete", func(t *testing.T, root string) []string {
		if err := os.Remove(filepath.Join(root, "content/02/story-010.md")); err != nil {
			t.Fatal(err)
		}
		return []string{filepath.Join(root, "content/02/story-010.md")} // absolute paths work too
	}, 0},
	{"bad file", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/03/story-011.md", "---\ntitle: [unclosed\n---\nText.\n")
		return []string{"content/03/story-011.md"}
	}, 0},
	{"delete folder", func(t *testing.T, root string) []string {
		if err := os.RemoveAll(filepath.Join(root, "content/03")); err != nil {
			t.Fatal(err)
		}
		return []string{"content/03"}
	}, 0},
	{"template", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "templates/tags.html", `{{define "main"}}<h1>All {{len .Site.Tags}} tags</h1>{{end}}`)
		return []string{"templates/tags.html"}
	}, 0},
	{"asset", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "assets/style.css", "body { color: navy }\n")
		return []string{"assets/style.css"}
	}, 0},
	{"config", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "sitegen.yaml", "title: Renamed archive\nbaseURL: https://example.org/news/\npaginate: 2\n")
		return []string{"sitegen.yaml"}
	}, 0},
}

// TestUpdateMatchesFreshLoad applies edits one after another to a site
// held by a Builder and checks, after each, that the Builder draws every
// page exactly as a Builder loaded from scratch does, and that it reported
// every page whose bytes changed.
func TestUpdateMatchesFreshLoad(t *testing.T) {
	ctx := context.Background()
	root := writeTestSite(t, 24)
	b, err := NewBuilder(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	before := renderAll(t, b)
	for _, e := range siteEdits {
		t.Run(e.name, func(t *testing.T) {
			ch, err := b.Update(ctx, e.apply(t, root))
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := NewBuilder(ctx, root)
			if err != nil {
				t.Fatal(err)
			}
			want := renderAll(t, fresh)
			got := renderAll(t, b)
			for f, w := range want {
				if !bytes.Equal(got[f], w) {
					t.Errorf("%s differs from a fresh build's", f)
				}
				if !bytes.Equal(before[f], w) && !slices.Contains(ch.Pages, f) {
					t.Errorf("%s changed but Update did not report it", f)
				}
			}
			for f := range before {
				if _, ok := want[f]; !ok && !slices.Contains(ch.Removed, f) {
					t.Errorf("%s is gone but Update did not report it removed", f)
				}
			}
			if len(got) != len(want) {
				t.Errorf("builder has %d pages, fresh build %d", len(got), len(want))
			}
			if e.most > 0 && len(ch.Pages) > e.most {
				t.Errorf("Update reported %d changed pages, want at most %d: %v", len(ch.Pages), e.most, ch.Pages)
			}
			if fmt.Sprint(ch.Problems) != fmt.Sprint(fresh.Problems()) {
				t.Errorf("problems %v, fresh build has %v", ch.Problems, fresh.Problems())
			}
			before = want
		})
	}
}
