package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/sitegen/sitegen/internal/content"
)

func TestEntryIDIsStable(t *testing.T) {
	a := &content.Article{Title: "First title", Slug: "first-title", Source: "dw/a-1.txt",
		Date: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)}
	id := EntryID("https://example.org/", a)
	edited := *a
	edited.Title, edited.Slug, edited.Date = "A corrected title", "a-corrected-title", a.Date.AddDate(0, 0, 1)
	if got := EntryID("https://example.org/", &edited); got != id {
		t.Errorf("editing title, slug and date changed the ID from %s to %s", id, got)
	}
	other := *a
	other.Source = "dw/a-2.txt"
	if EntryID("https://example.org/", &other) == id {
		t.Error("two source files share an ID")
	}
	if EntryID("https://other.example/", a) == id {
		t.Error("two sites share an ID")
	}
	if len(id) != len("urn:uuid:")+36 || id[len("urn:uuid:")+14] != '5' {
		t.Errorf("%s is not a version 5 urn:uuid", id)
	}
}

// TestControlCharacters checks that text XML cannot carry (a stray form
// feed from a scrape) still gives feeds a real parser reads.
func TestControlCharacters(t *testing.T) {
	a := &content.Article{Title: "Bad \f byte \x00 here", Summary: "also \x1b here", Source: "x.txt",
		Date: time.Date(2020, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))}
	f := &Feed{Title: "T", Page: "https://example.org/", RSSURL: "https://example.org/feed.xml",
		AtomURL: "https://example.org/atom.xml", SiteURL: "https://example.org/", Articles: []*content.Article{a},
		ArticleURL: func(*content.Article) string { return "https://example.org/x/" }}
	for name, gen := range map[string]func() ([]byte, error){"RSS": f.RSS, "Atom": f.Atom} {
		data, err := gen()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		parsed, err := gofeed.NewParser().ParseString(string(data))
		if err != nil {
			t.Fatalf("%s does not parse: %v\n%s", name, err, data)
		}
		it := parsed.Items[0]
		if !strings.HasPrefix(it.Title, "Bad ") || !strings.HasSuffix(it.Title, " here") {
			t.Errorf("%s title %q", name, it.Title)
		}
		if it.PublishedParsed == nil || !it.PublishedParsed.Equal(a.Date) {
			t.Errorf("%s published %v, want %v", name, it.PublishedParsed, a.Date)
		}
	}
}
