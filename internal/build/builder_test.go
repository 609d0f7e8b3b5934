package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/gosimple/slug"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/render"
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
	// path is the way Builder.Update must take on this edit: the fast
	// path for body edits (see updateBodies), the same with the tag index
	// made again or the site indexed again, or the full re-index. A build
	// to disk takes its fast path (editFromCache) for bodyPath and tagPath
	// edits.
	path updatePath
}

var siteEdits = []siteEdit{
	{"body", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/01/story-005.md", testArticle("Story number 5", "2024-03-01",
			[]string{"Iraq", "Economy"}, "A rewritten body."))
		return []string{"content/01/story-005.md"}
	}, 3, bodyPath}, // the article page, and its neighbours' pages: the templates could show their bodies
	{"title", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/02/story-006.md", testArticle("A new headline", "2024-01-02",
			[]string{"Economy", "Health"}, "Body of story 6."))
		return []string{"content/02/story-006.md"}
	}, 0, indexPath},
	{"date", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/03/story-007.md", testArticle("Story number 7", "2023-12-31",
			[]string{"Sport", "Climate"}, "Body of story 7."))
		return []string{"content/03/story-007.md"}
	}, 0, indexPath},
	{"tag", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/story-008.md", testArticle("Story number 8", "2024-03-04",
			[]string{"Brand new tag"}, "Body of story 8."))
		return []string{"content/00/story-008.md"}
	}, 0, tagPath},
	{"tag dropped, its page gone", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/story-008.md", testArticle("Story number 8", "2024-03-04",
			[]string{"Climate", "Iraq"}, "Body of story 8."))
		return []string{"content/00/story-008.md"}
	}, 0, tagPath},
	{"tag spelled another way by the newest article carrying it", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/02/story-014.md", testArticle("Story number 14", "2024-03-05",
			[]string{"Health", "CLIMATE"}, "Body of story 14.\n\nA second paragraph."))
		return []string{"content/02/story-014.md"}
	}, 0, tagPath},
	{"tags reordered, with the body", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/story-008.md", testArticle("Story number 8", "2024-03-04",
			[]string{"Iraq", "Climate"}, "Body of story 8, edited with its tags."))
		return []string{"content/00/story-008.md"}
	}, 0, tagPath},
	{"two articles trading a tag", func(t *testing.T, root string) []string {
		// Story 11, Economy's newest, leaves it and story 18, older than
		// most, joins it: Economy's count is as it was, and its first page
		// holds neither but others than before.
		writeSiteFile(t, root, "content/03/story-011.md", testArticle("Story number 11", "2024-03-02",
			[]string{"Health"}, "Body of story 11.\n\nA second paragraph."))
		writeSiteFile(t, root, "content/02/story-018.md", testArticle("Story number 18", "2024-01-04",
			[]string{"Climate", "Iraq", "Economy"}, "Body of story 18.\n\nA second paragraph."))
		return []string{"content/03/story-011.md", "content/02/story-018.md"}
	}, 0, tagPath},
	{"tags with a headline that moves the URL", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/story-008.md", testArticle("Story eight", "2024-03-04",
			[]string{"Iraq"}, "Body of story 8, edited with its tags."))
		return []string{"content/00/story-008.md"}
	}, 0, indexPath},
	{"add", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/01/added.md", testArticle("An added story", "2024-02-03",
			[]string{"Sport"}, "Body of the added story."))
		return []string{"content/01/added.md"}
	}, 0, indexPath},
	{"add on a day of its own", func(t *testing.T, root string) []string {
		// Between 5 February and 1 March: the days either side, their
		// month and the month's other pages link or list a new day.
		writeSiteFile(t, root, "content/02/lone.md", testArticle("A story on a day of its own", "2024-02-14",
			[]string{"Health"}, "Body of the lone story."))
		return []string{"content/02/lone.md"}
	}, 0, indexPath},
	{"duplicate URL", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/again.md", testArticle("Story number 9", "2024-01-05",
			[]string{"Iraq"}, "Same title and day as story 9."))
		return []string{"content/00/again.md"}
	}, 0, fullPath},
	{"draft", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/01/story-001.md", "---\ntitle: Story number 1\ndate: 2024-02-02\ndraft: true\n---\nText.\n")
		return []string{"content/01/story-001.md"}
	}, 0, fullPath},
	{"delete", func(t *testing.T, root string) []string {
		if err := os.Remove(filepath.Join(root, "content/02/story-010.md")); err != nil {
			t.Fatal(err)
		}
		return []string{filepath.Join(root, "content/02/story-010.md")} // absolute paths work too
	}, 0, indexPath},
	{"bad file", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/03/story-011.md", "---\ntitle: [unclosed\n---\nText.\n")
		return []string{"content/03/story-011.md"}
	}, 0, fullPath},
	{"delete folder", func(t *testing.T, root string) []string {
		if err := os.RemoveAll(filepath.Join(root, "content/03")); err != nil {
			t.Fatal(err)
		}
		return []string{"content/03"}
	}, 0, fullPath},
	{"tag rules", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "tags.yaml", "aliases:\n  Economy: Business\nblock: [Health]\n")
		return []string{"tags.yaml"}
	}, 0, fullPath},
	{"tags mapped and blocked by the rules", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/story-008.md", testArticle("Story eight", "2024-03-04",
			[]string{"Economy", "Health", "Iraq"}, "Body of story 8, edited with its tags."))
		return []string{"content/00/story-008.md"}
	}, 0, tagPath},
	{"a tag the rules mapped, dropped", func(t *testing.T, root string) []string {
		// Published as Business before: that tag's pages lose the story.
		writeSiteFile(t, root, "content/00/story-008.md", testArticle("Story eight", "2024-03-04",
			[]string{"Iraq"}, "Body of story 8, edited with its tags."))
		return []string{"content/00/story-008.md"}
	}, 0, tagPath},
	{"date and a tag the rules map", func(t *testing.T, root string) []string {
		// Published as Business: a build from the cache must map it.
		writeSiteFile(t, root, "content/00/story-008.md", testArticle("Story eight", "2024-03-05",
			[]string{"Economy", "Iraq"}, "Body of story 8, edited with its tags."))
		return []string{"content/00/story-008.md"}
	}, 0, indexPath},
	{"an article with another's slug, on a day of its own", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "content/00/aa-mover.md", "---\ntitle: A mover\nslug: story-number-9\ndate: 2024-02-20\n"+
			"tags: [Sport]\nsummary: Summary of a mover.\n---\nBody of the mover.\n")
		return []string{"content/00/aa-mover.md"}
	}, 0, indexPath},
	{"moved onto the day of the article with its slug, which is renamed", func(t *testing.T, root string) []string {
		// Both at /2024/01/05/story-number-9/: the mover's file sorts
		// first, and story 9 becomes story-number-9-2, its URL moved by
		// an edit of another article.
		writeSiteFile(t, root, "content/00/aa-mover.md", "---\ntitle: A mover\nslug: story-number-9\ndate: 2024-01-05\n"+
			"tags: [Sport]\nsummary: Summary of a mover.\n---\nBody of the mover.\n")
		return []string{"content/00/aa-mover.md"}
	}, 0, indexPath},
	{"template", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "templates/tags.html", `{{define "main"}}<h1>All {{len .Site.Tags}} tags</h1>{{end}}`)
		return []string{"templates/tags.html"}
	}, 0, fullPath},
	{"template and article at once", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "templates/tags.html", `{{define "main"}}<h1>Every one of the {{len .Site.Tags}} tags</h1>{{end}}`)
		writeSiteFile(t, root, "content/01/story-013.md", testArticle("Story 13, retitled with the template", "2024-02-04",
			[]string{"Iraq"}, "Body of story 13."))
		return []string{"content/01/story-013.md", "templates/tags.html"}
	}, 0, fullPath},
	{"asset", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "assets/style.css", "body { color: navy }\n")
		return []string{"assets/style.css"}
	}, 0, fullPath},
	{"config", func(t *testing.T, root string) []string {
		writeSiteFile(t, root, "sitegen.yaml", "title: Renamed archive\nbaseURL: https://example.org/news/\npaginate: 2\n")
		return []string{"sitegen.yaml"}
	}, 0, fullPath},
}

// TestUpdateMatchesFreshLoad applies edits one after another to a site
// held by a Builder and checks, after each, that the Builder draws every
// page exactly as a Builder loaded from scratch does, and that it reported
// every page whose bytes changed.
func TestUpdateMatchesFreshLoad(t *testing.T) {
	checkUpdates(t, writeTestSite(t, 24), siteEdits)
}

// anyPath, as a siteEdit's path, lets Update take any path.
const anyPath updatePath = -1

// checkUpdates returns how many edits took each path.
func checkUpdates(t *testing.T, root string, edits []siteEdit) map[updatePath]int {
	ctx := context.Background()
	b, err := NewBuilder(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	before := renderAll(t, b)
	taken := map[updatePath]int{}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			oldKeys := maps.Clone(b.keys)
			ch, err := b.Update(ctx, e.apply(t, root))
			if err != nil {
				t.Fatal(err)
			}
			taken[b.lastPath]++
			if b.lastPath != e.path && e.path != anyPath {
				t.Errorf("Update took path %d, want %d", b.lastPath, e.path)
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
			for _, f := range ch.Removed {
				if err := b.Render(io.Discard, f); !errors.Is(err, ErrNoPage) {
					t.Errorf("%s was removed, but Render gives %v", f, err)
				}
			}
			if len(got) != len(want) {
				t.Errorf("builder has %d pages, fresh build %d", len(got), len(want))
			}
			if e.most > 0 && len(ch.Pages) > e.most {
				t.Errorf("Update reported %d changed pages, want at most %d: %v", len(ch.Pages), e.most, ch.Pages)
			}
			// The keys are a fresh load's, and the pages reported are
			// exactly those whose key changed.
			if !maps.Equal(b.keys, fresh.keys) {
				t.Errorf("page keys differ from a fresh load's")
			}
			var changed, removed []string
			for f, k := range fresh.keys {
				if old, ok := oldKeys[f]; !ok || old != k {
					changed = append(changed, f)
				}
			}
			for f := range oldKeys {
				if _, ok := fresh.keys[f]; !ok {
					removed = append(removed, f)
				}
			}
			slices.Sort(changed)
			slices.Sort(removed)
			if !slices.Equal(ch.Pages, changed) || !slices.Equal(ch.Removed, removed) {
				t.Errorf("Update reported pages %v and removed %v; the keys changed for %v and are gone for %v",
					ch.Pages, ch.Removed, changed, removed)
			}
			if fmt.Sprint(ch.Problems) != fmt.Sprint(fresh.Problems()) {
				t.Errorf("problems %v, fresh build has %v", ch.Problems, fresh.Problems())
			}
			before = want
		})
	}
	return taken
}

// TestAddArticleChangesFewPages checks that adding an article changes the
// keys of the pages that can show it and no others: with the default
// theme, no page of a tag it does not have, no date page but those of its
// day, month and year, and no article page but its own, its neighbours'
// and those whose related stories changed. (Until the theme showed the
// article count on home pages only and the analysis read home page tests,
// every page of the site changed; until it followed periods from a date
// page's own, every date page.)
func TestAddArticleChangesFewPages(t *testing.T) {
	ctx := context.Background()
	root := writeTestSite(t, 24)
	b, err := NewBuilder(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	related := func() map[string]string {
		out := map[string]string{}
		for _, a := range b.site.Articles {
			out[a.URLPath()] = fmt.Sprint(b.site.Related(a))
		}
		return out
	}
	before := related()
	writeSiteFile(t, root, "content/01/added.md", testArticle("An added story", "2024-02-03",
		[]string{"Sport"}, "Body of the added story."))
	ch, err := b.Update(ctx, []string{"content/01/added.md"})
	if err != nil {
		t.Fatal(err)
	}
	after := related()
	var added *content.Article
	for _, a := range b.site.Articles {
		if a.Title == "An added story" {
			added = a
		}
	}
	if added == nil {
		t.Fatal("the added article is not in the site")
	}
	may := map[string]bool{added.URLPath(): true}
	older, newer := b.site.Neighbours(added)
	for _, a := range []*content.Article{older, newer} {
		if a != nil {
			may[a.URLPath()] = true
		}
	}
	for u, r := range after {
		if before[u] != r {
			may[u] = true
		}
	}
	articles := 0
	for _, f := range ch.Pages {
		p := b.pages[f]
		switch {
		case p.Kind == render.KindTag && p.Tag.Slug != "sport":
			t.Errorf("%s reported: the added article is not tagged %s", f, p.Tag.Name)
		case p.Period != nil && !strings.HasPrefix("/2024/02/03/", p.Period.URLPath()):
			t.Errorf("%s reported: the added article is on 3 February 2024, whose day, month and year already had articles", f)
		case p.Kind == render.KindArticle:
			articles++
			if !may[p.Article.URLPath()] {
				t.Errorf("%s reported: neither the added article, a neighbour, nor one whose related stories changed", f)
			}
		}
	}
	if articles == 0 || articles > len(may) {
		t.Errorf("%d article pages reported, want 1 to %d", articles, len(may))
	}
}

// TestUpdateBodyEdits checks Update's fast path for body edits against a
// fresh load, on a site of Markdown and raw text articles: it must be taken
// for body edits that change nothing the indexes are made of, and not for
// those that change an article's topic tags, make or unmake a duplicate,
// or change what is derived from the body (the summary).
func TestUpdateBodyEdits(t *testing.T) {
	root, edits := bodyEditSite(t)
	checkUpdates(t, root, edits)
}

// bodyEditSite writes a site of Markdown and raw text articles and returns
// it with edits to bodies that a fast path for body edits must take
// (fast) and must not take: those that change an article's topic tags,
// make or unmake a duplicate, or change what is derived from the body
// (the summary).
func bodyEditSite(t *testing.T) (string, []siteEdit) {
	root := t.TempDir()
	writeSiteFile(t, root, "sitegen.yaml", "title: Test archive\nbaseURL: https://example.org/\npaginate: 3\n")
	long := func(topic string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "Paragraph %d about %s: the council met on the river bank and talked for a long time about what the city should do next. ", i, topic)
		}
		return b.String()
	}
	for i := range 8 {
		writeSiteFile(t, root, fmt.Sprintf("content/md/story-%d.md", i), testArticle(
			fmt.Sprintf("Story number %d", i), fmt.Sprintf("2024-01-%02d", 1+i),
			[]string{"Council"}, long(fmt.Sprintf("topic %d", i), 3)))
	}
	writeSiteFile(t, root, "content/md/nosummary.md", "---\ntitle: No summary\ndate: 2024-01-20\n---\nThe first sentence is the summary. More text follows.\n\nA later paragraph.\n")
	raw := func(date, title, text string) string { return " date " + date + " " + title + "\n\n" + text + "\n" }
	writeSiteFile(t, root, "content/raw/militia.txt", raw("2024-02-01", "Militia leader killed in Baghdad",
		"Kataib Hezbollah said its leader was killed in Baghdad on Tuesday.\n\nKataib Hezbollah blamed the United States. Officials in Baghdad said the strike hit a car.\n\nThe group said it would answer."))
	writeSiteFile(t, root, "content/raw/cleric.txt", raw("2024-02-02", "Cleric calls for calm",
		"Muqtada al-Sadr called for calm in Baghdad.\n\nMuqtada al-Sadr told his followers to stay home. Baghdad was quiet on Wednesday.\n\nShops stayed closed."))
	writeSiteFile(t, root, "content/raw/market.txt", raw("2024-02-03", "Market prices rise",
		"Prices rose at the Shorja market.\n\nTraders at the Shorja market said flour cost more. The rise followed a poor harvest.\n\nBuyers were worried."))
	// Articles with a slug of their own keep their URL when retitled; the
	// raw text one names the second in a "Read more:" line.
	slugged := func(slug, title, date, author string) string {
		return fmt.Sprintf("---\ntitle: %q\nslug: %s\ndate: %s\ntags: [Council]\nauthor: %s\nsummary: A summary.\n---\n%s\n",
			title, slug, date, author, long(slug, 2))
	}
	writeSiteFile(t, root, "content/md/bridge.md", slugged("bridge", "Bridge reopens", "2024-01-05", "Ann Lee"))
	writeSiteFile(t, root, "content/md/ferry.md", slugged("ferry", "Ferry service ends", "2024-01-06", "Ann Lee"))
	writeSiteFile(t, root, "content/raw/floods.txt", raw("2024-02-04", "Floods close roads",
		"Floods closed roads in Basra on Monday.\n\nRead more: Ferry service ends\n\nThe water fell by evening."))

	write := func(rel, data string) func(t *testing.T, root string) []string {
		return func(t *testing.T, root string) []string {
			writeSiteFile(t, root, rel, data)
			return []string{rel}
		}
	}
	remove := func(rel string) func(t *testing.T, root string) []string {
		return func(t *testing.T, root string) []string {
			if err := os.Remove(filepath.Join(root, rel)); err != nil {
				t.Fatal(err)
			}
			return []string{rel}
		}
	}
	mdStory := func(i int, body string) string {
		return testArticle(fmt.Sprintf("Story number %d", i), fmt.Sprintf("2024-01-%02d", 1+i), []string{"Council"}, body)
	}
	edits := []siteEdit{
		{"md body, same meta", write("content/md/story-3.md", mdStory(3, long("topic 3", 3)+"An added sentence.")), 3, bodyPath},
		// The first fast edit made the index of hashes and fingerprints
		// and counted story 3's new text: a copy of it is a duplicate.
		{"md body becoming a duplicate of one edited before", write("content/md/story-7.md", mdStory(7, long("topic 3", 3)+"An added sentence.")), 0, fullPath},
		{"and edited to differ again", write("content/md/story-7.md", mdStory(7, long("topic 7", 3)+"Differs.")), 0, fullPath},
		{"md body, a new name no raw text article has", write("content/md/story-4.md",
			mdStory(4, long("topic 4", 3)+"Zebulon Quartz spoke. Zebulon Quartz left.")), 3, bodyPath},
		{"md body naming a raw text article's topic", write("content/md/story-5.md",
			mdStory(5, long("topic 5", 3)+"Muqtada al-Sadr spoke.")), 0, fullPath},
		{"txt body, same topics", write("content/raw/militia.txt", raw("2024-02-01", "Militia leader killed in Baghdad",
			"Kataib Hezbollah said its leader was killed in Baghdad on Tuesday.\n\nKataib Hezbollah blamed the United States. Officials in Baghdad said the strike hit a car.\n\nThe group said it would answer soon.")), 3, bodyPath},
		{"txt body changing its topic tags", write("content/raw/market.txt", raw("2024-02-03", "Market prices rise",
			"Prices rose at the Shorja market.\n\nAhmed Tamimi said flour cost more. Ahmed Tamimi blamed a poor harvest.\n\nBuyers were worried.")), 0, fullPath},
		{"md body becoming a duplicate of another", write("content/md/story-6.md", mdStory(6, long("topic 2", 3))), 0, fullPath},
		{"duplicate edited to differ again", write("content/md/story-6.md", mdStory(6, long("topic 6", 3)+"Now different.")), 0, fullPath},
		// The summary is shown, not indexed: the pages that show it.
		{"md body changing the derived summary", write("content/md/nosummary.md",
			"---\ntitle: No summary\ndate: 2024-01-20\n---\nA new first sentence. More text follows.\n\nA later paragraph.\n"), 12, bodyPath},
		{"md body with a derived summary kept", write("content/md/nosummary.md",
			"---\ntitle: No summary\ndate: 2024-01-20\n---\nA new first sentence. More text follows.\n\nA later paragraph, edited.\n"), 3, bodyPath},
		{"two bodies at once", func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/md/story-1.md", mdStory(1, long("topic 1", 4)))
			writeSiteFile(t, root, "content/md/story-2.md", mdStory(2, long("topic 2", 4)))
			return []string{"content/md/story-1.md", "content/md/story-2.md"}
		}, 6, bodyPath},
		{"byline", write("content/md/bridge.md", slugged("bridge", "Bridge reopens", "2024-01-05", "Ben Ode")), 16, bodyPath},
		{"headline, slug kept", write("content/md/bridge.md", slugged("bridge", "Bridge reopens to traffic", "2024-01-05", "Ben Ode")), 16, bodyPath},
		{"headline and body at once", write("content/md/bridge.md", slugged("bridge", "Old bridge reopens to traffic", "2024-01-05", "Ben Ode")+"More."), 16, bodyPath},
		{"headline only in case and punctuation", write("content/md/bridge.md", slugged("bridge", "Old Bridge Re-opens To Traffic!", "2024-01-05", "Ben Ode")), 16, bodyPath},
		{"headline another article has", write("content/md/bridge.md", slugged("bridge", "Story number 4", "2024-01-05", "Ben Ode")), 0, fullPath},
		{"and edited away from it", write("content/md/bridge.md", slugged("bridge", "Bridge reopens", "2024-01-05", "Ben Ode")), 0, fullPath},
		{"headline a Read more line names", write("content/md/ferry.md", slugged("ferry", "Ferry service resumes", "2024-01-06", "Ann Lee")), 0, fullPath},
		{"headline becoming one a Read more line names", write("content/md/bridge.md", slugged("bridge", "Ferry service ends", "2024-01-05", "Ben Ode")), 0, fullPath},
		// The article whose Read more line names it shows the headline.
		{"headline a Read more line names, in capitals", write("content/md/bridge.md", slugged("bridge", "FERRY SERVICE ENDS", "2024-01-05", "Ben Ode")), 0, fullPath},
		{"headline changing the slug", write("content/md/story-0.md", testArticle("Story number zero", "2024-01-01", []string{"Council"}, long("topic 0", 3))), 0, indexPath},
		// Edits that move an article (its date, slug or aliases) index the
		// site again, without package archive's steps when they leave
		// those as they were: the article is in no group of duplicates
		// before or after.
		{"date", write("content/md/story-0.md", testArticle("Story number zero", "2024-01-15", []string{"Council"}, long("topic 0", 3))), 0, indexPath},
		{"date of the article a Read more line names", write("content/md/bridge.md", slugged("bridge", "FERRY SERVICE ENDS", "2024-01-12", "Ben Ode")), 0, indexPath},
		{"raw text article's date", write("content/raw/militia.txt", raw("2024-02-09", "Militia leader killed in Baghdad",
			"Kataib Hezbollah said its leader was killed in Baghdad on Tuesday.\n\nKataib Hezbollah blamed the United States. Officials in Baghdad said the strike hit a car.\n\nThe group said it would answer soon.")), 0, indexPath},
		{"date of an article with a Read more line", write("content/raw/floods.txt", raw("2024-02-07", "Floods close roads",
			"Floods closed roads in Basra on Monday.\n\nRead more: Ferry service ends\n\nThe water fell by evening.")), 0, indexPath},
		// Ferry's source path sorts before story 3's: it takes the plain
		// slug, story 3 a "-2", which it drops when ferry moves away.
		{"slug another article has that day", write("content/md/ferry.md", slugged("story-number-3", "Ferry service resumes", "2024-01-04", "Ann Lee")), 0, indexPath},
		{"and moved to another day", write("content/md/ferry.md", slugged("story-number-3", "Ferry service resumes", "2024-01-07", "Ann Lee")), 0, indexPath},
		{"aliases", write("content/md/story-5.md", strings.Replace(mdStory(5, long("topic 5", 3)+"Muqtada al-Sadr spoke."),
			"\nsummary:", "\naliases: [/old/story-5.html]\nsummary:", 1)), 0, indexPath},
		{"date and a body at once", func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/md/story-1.md", testArticle("Story number 1", "2023-12-30", []string{"Council"}, long("topic 1", 4)))
			writeSiteFile(t, root, "content/md/story-2.md", mdStory(2, long("topic 2", 4)+"Edited."))
			return []string{"content/md/story-1.md", "content/md/story-2.md"}
		}, 0, indexPath},
		// A headline shared with an article of another day is no
		// duplicate; moved to that day, it becomes one.
		{"headline of an article of another day", write("content/md/ferry.md", slugged("ferry", "Story number 4", "2024-01-07", "Ann Lee")), 0, fullPath},
		{"and moved onto that day", write("content/md/ferry.md", slugged("ferry", "Story number 4", "2024-01-05", "Ann Lee")), 0, fullPath},
		{"and moved off it again", write("content/md/ferry.md", slugged("ferry", "Story number 4", "2024-01-08", "Ann Lee")), 0, fullPath},
		{"and its date changed, the headline still shared", write("content/md/ferry.md", slugged("ferry", "Story number 4", "2024-01-09", "Ann Lee")), 0, fullPath},
		// Added Markdown articles index the site again without package
		// archive's steps, but for those the steps would change: a copy
		// of another's text, a headline a Read more line names (which
		// then links it), a name a raw text article's topic tags weigh,
		// and raw text articles, whose topic tags are the archive's.
		{"add", write("content/md/one-more.md", testArticle("One more story", "2024-01-10", []string{"Council", "Roads"}, long("added", 3))), 0, indexPath},
		{"add a copy of another's text", write("content/md/copy.md", testArticle("A copied story", "2024-01-11", []string{"Council"}, long("added", 3))), 0, fullPath},
		{"a Read more line naming a headline no article has", write("content/raw/floods.txt", raw("2024-02-07", "Floods close roads",
			"Floods closed roads in Basra on Monday.\n\nRead more: Harbour closes\n\nThe water fell by evening.")), 0, fullPath},
		{"add the article it names", write("content/md/harbour.md", testArticle("Harbour closes", "2024-01-12", []string{"Council"}, long("harbour", 3))), 0, fullPath},
		{"add naming a raw text article's topic", write("content/md/sadr.md", testArticle("Sadr speaks", "2024-01-13", []string{"Council"}, long("sadr", 3)+"Muqtada al-Sadr spoke.")), 0, fullPath},
		{"add a raw text article", write("content/raw/port.txt", raw("2024-02-08", "Port reopens", "The port of Umm Qasr reopened on Sunday.\n\nShips waited outside the port of Umm Qasr.\n\nTraders were glad.")), 0, fullPath},
		{"add a draft", write("content/md/draft.md", "---\ntitle: A draft\ndate: 2024-01-14\ndraft: true\n---\nNot yet.\n"), 0, fullPath},
		{"add two at once, one on a day of its own", func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/md/first.md", testArticle("First of two", "2024-01-03", []string{"Council"}, long("first", 2)))
			writeSiteFile(t, root, "content/md/second.md", testArticle("Second of two", "2023-11-30", []string{"Elections"}, long("second", 2)))
			return []string{"content/md/first.md", "content/md/second.md"}
		}, 0, indexPath},
		{"add an article whose URL another has", write("content/md/zzz-again.md", testArticle("Second of two", "2023-11-30", []string{"Council"}, long("again", 2))), 0, fullPath},
		// Deleted Markdown articles too, but for the same conditions.
		{"delete", remove("content/md/nosummary.md"), 0, indexPath},
		{"delete the article a Read more line names", remove("content/md/harbour.md"), 0, fullPath},
		{"delete the copy kept of a duplicate's text", remove("content/md/copy.md"), 0, fullPath},
		{"delete an article naming a raw text article's topic", remove("content/md/sadr.md"), 0, fullPath},
		{"delete a raw text article", remove("content/raw/market.txt"), 0, fullPath},
		{"add an article with another's headline and day", write("content/md/twin.md", testArticle("Story number 1", "2023-12-30", []string{"Council"}, long("twin", 3))), 0, fullPath},
		{"delete the copy kept", remove("content/md/story-1.md"), 0, fullPath},
		{"two bodies becoming duplicates of each other", func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/md/story-1.md", mdStory(1, long("same", 4)))
			writeSiteFile(t, root, "content/md/story-2.md", mdStory(2, long("same", 4)))
			return []string{"content/md/story-1.md", "content/md/story-2.md"}
		}, 0, fullPath},
	}
	return root, edits
}

// TestUpdateKeepsFragmentsRight: the renderer keeps what the "cache"
// template function drew across updates (render.Renderer.KeepFragments)
// only where it cannot have changed: an article's fragments under its key,
// a tag's under its value. A fragment cached under .Chrome, which points at
// the site whose articles updateBodies changes in place, must be drawn
// again; so must an article's after any edit that changes what it shows.
func TestUpdateKeepsFragmentsRight(t *testing.T) {
	root, edits := bodyEditSite(t)
	writeSiteFile(t, root, "templates/list.html", `{{define "main"}}<h1>{{.Title}}</h1>
{{- cache "every-summary" .Chrome}}
{{- range .List}}{{cache "entry" .}}{{end}}{{end}}
{{define "every-summary"}}<ol>{{range .Site.Articles}}<li>{{.Summary}}</li>{{end}}</ol>{{end}}
{{define "entry"}}<p>{{.Title}}, {{range .Authors}}{{.}} {{end}}: {{.Summary}} ({{len .Body}} bytes) {{range .Tags}}{{cache "tag" .}}{{end}}</p>{{end}}
{{define "tag"}}<a href="/tags/{{.Slug}}/">{{.Name}}</a>{{end}}`)
	for i := range edits {
		edits[i].most = 0 // every list page shows every summary
	}
	edits = append(edits,
		siteEdit{name: "add", apply: func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/md/added.md", testArticle("An added story", "2024-01-09", []string{"Council", "Roads"}, "Added text."))
			return []string{"content/md/added.md"}
		}, path: indexPath},
		siteEdit{name: "retag", apply: func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/md/added.md", testArticle("An added story", "2024-01-09", []string{"Council", "Bridges"}, "Added text."))
			return []string{"content/md/added.md"}
		}, path: tagPath})
	checkUpdates(t, root, edits)
}

// TestRandomEditsMatchFreshLoad applies random edits to a small archive
// whose headlines, days and slugs come from small pools, so that URLs
// collide and articles become and stop being copies of one another, and
// a raw text article's Read more line names a headline of the pool: dates,
// headlines, slugs, tags and bodies changed, articles added and deleted.
// After each, as checkUpdates checks, every page is drawn as a fresh load
// draws it and the keys are a fresh load's, whichever path Update took;
// the fast paths must each have been taken.
func TestRandomEditsMatchFreshLoad(t *testing.T) {
	root, edits := randomEditSite(t, 7)
	taken := checkUpdates(t, root, edits)
	t.Logf("paths taken: %v", taken)
	for _, p := range []updatePath{fullPath, bodyPath, tagPath, indexPath} {
		if taken[p] < 3 {
			t.Errorf("path %d taken %d times in %d edits: the edits do not exercise it", p, taken[p], len(edits))
		}
	}
}

// randomEditSite writes the archive of TestRandomEditsMatchFreshLoad and
// returns its root and 80 random edits to it, made from seed.
func randomEditSite(t *testing.T, seed uint64) (string, []siteEdit) {
	type article struct {
		title, slug, date, body string
		tags                    []string
	}
	rng := rand.New(rand.NewPCG(seed, 13))
	titles := []string{"Floods close roads", "Bridge reopens", "Council meets", "Port strike ends", "Schools shut", "Market prices rise",
		"Mayor resigns", "Ferry returns", "Budget passes", "Teachers march", "Storm nears", "Harbour dredged",
		"Museum opens", "Tram delayed", "Library saved", "Park renamed", "Water rates up", "Rail link opens"}
	slugs := []string{"", "", "", "roads", "bridge"}
	tagPool := []string{"Council", "Roads", "Weather", "Ports", "Schools"}
	texts := []string{"river", "harbour", "budget", "teachers", "traders", "storm", "ferry", "mayor",
		"museum", "tram", "library", "park", "water", "rail", "market", "school"}
	pick := func(pool []string) string { return pool[rng.IntN(len(pool))] }
	randomArticle := func() article {
		a := article{title: pick(titles), slug: pick(slugs), date: fmt.Sprintf("2024-01-%02d", 1+rng.IntN(8)),
			body: fmt.Sprintf("%s and the %s, %d", pick(texts), pick(texts), rng.IntN(1000))}
		for range 1 + rng.IntN(2) {
			a.tags = append(a.tags, pick(tagPool))
		}
		return a
	}
	file := func(a article) string {
		slug := ""
		if a.slug != "" {
			slug = "slug: " + a.slug + "\n"
		}
		var body strings.Builder
		for i := range 4 {
			fmt.Fprintf(&body, "Paragraph %d on the %s: Ann Lee and the council talked for a long time about what the city should do next. ", i, a.body)
		}
		return fmt.Sprintf("---\ntitle: %q\n%sdate: %s\ntags: [%s]\n---\n%s\n", a.title, slug, a.date, strings.Join(a.tags, ", "), body.String())
	}
	root := t.TempDir()
	writeSiteFile(t, root, "sitegen.yaml", "title: Test archive\nbaseURL: https://example.org/\npaginate: 3\n")
	writeSiteFile(t, root, "content/raw/names.txt", " date 2024-01-03 Storm warning\n\nA storm is coming to the coast.\n\nRead more: Bridge reopens\n\nStay inside.\n")
	arts := map[string]article{}
	next := 0
	add := func() string {
		p := fmt.Sprintf("content/md/a%02d.md", next)
		next++
		arts[p] = randomArticle()
		writeSiteFile(t, root, p, file(arts[p]))
		return p
	}
	for range 14 {
		add()
	}
	var edits []siteEdit
	for i := range 80 {
		kind := rng.IntN(7)
		edits = append(edits, siteEdit{name: fmt.Sprintf("%d-%d", i, kind), path: anyPath, apply: func(t *testing.T, root string) []string {
			paths := slices.Sorted(maps.Keys(arts))
			p := paths[rng.IntN(len(paths))]
			a := arts[p]
			switch kind {
			case 0:
				a.date = fmt.Sprintf("2024-01-%02d", 1+rng.IntN(8))
			case 1:
				a.title = pick(titles)
			case 2:
				a.slug = pick(slugs)
			case 3:
				a.tags = []string{pick(tagPool)}
			case 4:
				a.body = fmt.Sprintf("%s and the %s, %d", pick(texts), pick(texts), rng.IntN(1000))
				if rng.IntN(4) == 0 { // a copy of another's text
					a.body = arts[paths[rng.IntN(len(paths))]].body
				}
			case 5:
				return []string{add()}
			case 6:
				if len(arts) > 6 {
					delete(arts, p)
					if err := os.Remove(filepath.Join(root, p)); err != nil {
						t.Fatal(err)
					}
					return []string{p}
				}
				a.body += " again"
			}
			arts[p] = a
			writeSiteFile(t, root, p, file(a))
			return []string{p}
		}})
	}
	return root, edits
}

// TestIndexPathListPages: on the index path, a page whose articles are
// the same is found unchanged or not by all its key reads of the list and
// the site (samePage), in a theme whose base.html reads nothing of periods
// or counts: a list page's pager (an article added last in a day's list,
// which filled its page, makes a page more, which the page before links
// to), and, with a timeline on list pages, a home page's periods (a date
// edit moves an article from one month's count to another's).
func TestIndexPathListPages(t *testing.T) {
	for _, timeline := range []string{"", `{{with timeline .}}<p>{{range .Cells}}{{.Count}} {{end}}</p>{{end}}`} {
		root := writeTestSite(t, 12)
		for _, title := range []string{"A day story", "Another day story"} { // with story 6: a page of three
			writeSiteFile(t, root, "content/02/"+slug.Make(title)+".md", testArticle(title, "2024-01-02", []string{"Health"}, "A body."))
		}
		writeSiteFile(t, root, "templates/base.html", `<!DOCTYPE html><title>{{.Title}}</title>{{template "main" .}}`)
		writeSiteFile(t, root, "templates/list.html", `{{define "main"}}{{with .Pager}}<p>{{.Number}} of {{.Total}}, next {{.Next}}</p>{{end}}`+
			timeline+`{{range .List}}{{.Title}} {{end}}{{end}}`)
		write := func(rel, data string) func(t *testing.T, root string) []string {
			return func(t *testing.T, root string) []string {
				writeSiteFile(t, root, rel, data)
				return []string{rel}
			}
		}
		checkUpdates(t, root, []siteEdit{
			{"added last", write("content/01/last.md", testArticle("The last of the day", "2024-01-02", []string{"Sport"}, "Body of the last story.")), 0, indexPath},
			{"date", write("content/01/story-005.md", testArticle("Story number 5", "2024-03-04", []string{"Iraq", "Economy"}, "Body of story 5.")), 0, indexPath},
		})
	}
}

// TestIndexPathTemplateSiteParts: the index path keys pages again with
// the site parts their templates read. Here the article template shows
// the article count, which an added or deleted article changes on every
// article page.
func TestIndexPathTemplateSiteParts(t *testing.T) {
	root := writeTestSite(t, 12)
	writeSiteFile(t, root, "templates/article.html", `{{define "main"}}<h1>{{.Article.Title}}</h1><p>One of {{len .Site.Articles}} stories.</p>{{end}}`)
	write := func(rel, data string) func(t *testing.T, root string) []string {
		return func(t *testing.T, root string) []string {
			writeSiteFile(t, root, rel, data)
			return []string{rel}
		}
	}
	checkUpdates(t, root, []siteEdit{
		{"date", write("content/01/story-005.md", testArticle("Story number 5", "2024-02-04", []string{"Iraq", "Economy"}, "Body of story 5.")), 0, indexPath},
		{"add", write("content/01/added.md", testArticle("An added story", "2024-02-03", []string{"Sport"}, "Body of the added story.")), 0, indexPath},
		{"delete", func(t *testing.T, root string) []string {
			if err := os.Remove(filepath.Join(root, "content/01/added.md")); err != nil {
				t.Fatal(err)
			}
			return []string{"content/01/added.md"}
		}, 0, indexPath},
	})
}

// TestSamples: one page of each template and kind, the first of each in
// Files order, and every template and kind of the site's pages among them.
func TestSamples(t *testing.T) {
	root := writeTestSite(t, 30)
	b, err := NewBuilder(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	kindOf := func(f string) [2]string {
		p := b.pages[f]
		return [2]string{p.Template(), p.Kind}
	}
	want := map[[2]string]string{}
	for _, f := range b.Files() {
		if _, ok := want[kindOf(f)]; !ok {
			want[kindOf(f)] = f
		}
	}
	got := b.Samples()
	if len(got) != len(want) {
		t.Errorf("%d samples, want %d: %v", len(got), len(want), got)
	}
	for _, f := range got {
		if want[kindOf(f)] != f {
			t.Errorf("sample %s, want %s for %v", f, want[kindOf(f)], kindOf(f))
		}
	}
	if len(want) < 6 {
		t.Errorf("the site has pages of %d templates and kinds, want 6 or more: %v", len(want), want)
	}
}

// TestDayMoveKeepsLaterHomePages checks that moving the newest article to
// a day of its own, where it keeps its place in every list, changes the
// first home page, whose timeline counts the articles of every period, and
// no later one: they draw no timeline (render.Charted).
func TestDayMoveKeepsLaterHomePages(t *testing.T) {
	ctx := context.Background()
	root := writeTestSite(t, 24)
	b, err := NewBuilder(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	before := renderAll(t, b)
	// Story 14, on 5 March 2024, is the newest.
	writeSiteFile(t, root, "content/02/story-014.md", testArticle("Story number 14", "2024-03-06",
		[]string{"Economy", "Climate"}, "Body of story 14.\n\nA second paragraph."))
	ch, err := b.Update(ctx, []string{"content/02/story-014.md"})
	if err != nil {
		t.Fatal(err)
	}
	later := 0
	for f, p := range b.pages {
		if p.Kind != render.KindHome || f == "index.html" {
			continue
		}
		later++
		if slices.Contains(ch.Pages, f) {
			t.Errorf("%s reported changed: only the first home page draws the timeline", f)
		}
	}
	if later < 2 {
		t.Fatalf("%d home pages after the first, want several", later)
	}
	if !slices.Contains(ch.Pages, "index.html") {
		t.Errorf("the first home page, which lists the article and charts its month, not reported changed: %v", ch.Pages)
	}
	fresh, err := NewBuilder(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	for f, w := range renderAll(t, fresh) {
		if !bytes.Equal(before[f], w) && !slices.Contains(ch.Pages, f) {
			t.Errorf("%s changed but Update did not report it", f)
		}
	}
}
