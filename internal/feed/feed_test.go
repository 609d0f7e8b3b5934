package feed

import (
	"fmt"
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
	for name, gen := range map[string]func() []byte{"RSS": f.RSS, "Atom": f.Atom} {
		data := gen()
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

// referenceFeed is a feed over articles whose fields hold what a scrape or
// a front matter may carry: markup, quotes, newlines, tabs, control and
// invalid bytes, empty strings.
func referenceFeed(arts []*content.Article, lang string) *Feed {
	return &Feed{Title: "Site · <Tag> & \"more\"\n", Description: "Newest of\tit", Language: lang,
		Publisher: "Pub & Co", Page: "https://example.org/tags/x/", RSSURL: "https://example.org/tags/x/feed.xml",
		AtomURL: "https://example.org/tags/x/atom.xml", SiteURL: "https://example.org/", Articles: arts,
		ArticleURL: func(a *content.Article) string { return "https://example.org" + a.URLPath() + "?a=1&b=2" }}
}

func TestFeedsMatchReference(t *testing.T) {
	zone := time.FixedZone("", -5*3600)
	arts := []*content.Article{
		{Title: "Plain", Slug: "plain", Source: "a.md", Date: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)},
		{Title: "Line\none\r\ttab <b>&amp;</b> 'q' \"dq\" \x00\x1b\xff \u2028 Ελλάδα", Slug: "x", Source: "dw/b.txt",
			Summary: "Sum <script>alert(1)</script>\nnext & 'last'", Authors: []string{"Jane \"JJ\" Doe", "", "A\nB"},
			Tags: []content.Tag{{Name: "Iraq", Slug: "iraq"}, {Name: "", Slug: "empty"}, {Name: "R&D <x>", Slug: "r-d-x"}},
			Date: time.Date(2019, 12, 30, 14, 5, 0, 0, zone), Updated: time.Date(2020, 2, 1, 0, 0, 0, 0, zone)},
		{Title: "Old update", Slug: "old", Source: "c.md", Summary: "s",
			Date: time.Date(2018, 5, 6, 0, 0, 0, 0, time.UTC), Updated: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range []struct {
		name string
		arts []*content.Article
		lang string
	}{
		{"empty", nil, ""},
		{"one", arts[:1], "en"},
		{"all", arts, "de"},
		{"all, no language", arts, ""},
	} {
		checkAgainstReference(t, tc.name, referenceFeed(tc.arts, tc.lang))
	}
}

func checkAgainstReference(t *testing.T, name string, f *Feed) {
	t.Helper()
	for _, doc := range []struct {
		kind string
		got  func() []byte
		ref  func() ([]byte, error)
	}{{"RSS", f.RSS, f.referenceRSS}, {"Atom", f.Atom, f.referenceAtom}} {
		got := doc.got()
		want, err := doc.ref()
		if err != nil {
			t.Fatalf("%s %s: reference: %v", name, doc.kind, err)
		}
		if string(got) != string(want) {
			t.Errorf("%s %s differs from the reference:\n%s\nwant\n%s", name, doc.kind, got, want)
		}
	}
}

func FuzzFeedsMatchReference(f *testing.F) {
	f.Add("Title", "Summary", "Author", "Tag", "tag", int64(0), int64(0))
	f.Add("a\nb\r\tc <&>\"'", "", "", "", "", int64(1577934245), int64(1577934246))
	f.Add("\x00\xff\ufffd", "s\x1b", "x\u2028", "T\nU", "", int64(-1), int64(99999999999))
	f.Fuzz(func(t *testing.T, title, summary, author, tagName, tagSlug string, date, updated int64) {
		a := &content.Article{Title: title, Summary: summary, Source: title + ".md", Slug: tagSlug,
			Date: time.Unix(date, 0).UTC(), Updated: time.Unix(updated, 0).In(time.FixedZone("", 3600))}
		if author != "" {
			a.Authors = []string{author, author}
		}
		if tagName != "" || tagSlug != "" {
			a.Tags = []content.Tag{{Name: tagName, Slug: tagSlug}}
		}
		checkAgainstReference(t, "fuzz", referenceFeed([]*content.Article{a, a}, tagName))
	})
}

func TestUUID5(t *testing.T) {
	// Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/#dw/a-1.txt")
	if got, want := uuid5("https://example.org/#dw/a-1.txt"), "urn:uuid:5538d116-bc71-5001-b68a-0ce462e9b17e"; got != want {
		t.Errorf("uuid5 = %s, want %s", got, want)
	}
}

// BenchmarkFeeds writes one tag's feed of 20 articles as RSS and Atom, as
// a build does for the site and for each of its tags.
func BenchmarkFeeds(b *testing.B) {
	arts := make([]*content.Article, 20)
	for i := range arts {
		arts[i] = &content.Article{Title: fmt.Sprintf("Ministers meet in Baghdad as talks on the budget resume, day %d", i),
			Slug: fmt.Sprintf("ministers-meet-%d", i), Source: fmt.Sprintf("posts/2020/01/ministers-meet-%d.md", i),
			Summary: "The talks, which broke down in March over oil revenues, resumed on Monday with both sides saying a deal was near; observers were less sure.",
			Authors: []string{"Jane Doe"}, Tags: []content.Tag{{Name: "Iraq", Slug: "iraq"}, {Name: "Oil", Slug: "oil"}, {Name: "Budget", Slug: "budget"}},
			Date: time.Date(2020, 1, 20-i/2, 10, i, 0, 0, time.UTC)}
	}
	b.ReportAllocs()
	for b.Loop() {
		f := &Feed{Title: "The Example Chronicle · Iraq", Description: "Newest articles of The Example Chronicle · Iraq", Language: "en",
			Publisher: "The Example Chronicle", Page: "https://news.example.org/tags/iraq/", RSSURL: "https://news.example.org/tags/iraq/index.xml",
			AtomURL: "https://news.example.org/tags/iraq/atom.xml", SiteURL: "https://news.example.org/", Articles: arts,
			ArticleURL: func(a *content.Article) string { return "https://news.example.org/2020/01/20/" + a.Slug + "/" }}
		f.RSS()
		f.Atom()
	}
}
