package build

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	sitegen "github.com/sitegen/sitegen"
	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/i18n"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/search"
	"github.com/sitegen/sitegen/internal/site"
	"github.com/sitegen/sitegen/internal/sitemap"
)

const (
	evilTitle   = "He said \"stop\" </script><script>alert(1)</script> & left — Ελλάδα 中国 «Привет» \u2028 end"
	evilSummary = `A <b>bold</b> summary with "quotes" & ampersands </script>`
	evilPath    = "/2020/01/02/evil-title/"
	base        = "https://example.org/news"
)

// expected says what the fixture's articles should look like in feeds.
var expected = map[string]struct {
	path string
	date time.Time
}{
	evilTitle:                           {evilPath, time.Date(2020, 1, 2, 7, 30, 0, 0, time.UTC)},
	"Second story on Iraq":              {"/2020/01/03/second-story-on-iraq/", time.Date(2020, 1, 2, 23, 0, 0, 0, time.UTC)},
	"Third story, on the United States": {"/2020/02/10/third-story-on-the-united-states/", time.Date(2020, 2, 9, 23, 0, 0, 0, time.UTC)},
	"An old story about Iraq":           {"/2019/06/01/an-old-story-about-iraq/", time.Date(2019, 5, 31, 22, 0, 0, 0, time.UTC)},
	"Untagged":                          {"/2019/06/02/untagged/", time.Date(2019, 6, 1, 22, 0, 0, 0, time.UTC)},
}

func TestFeedsParseWithGofeed(t *testing.T) {
	dest := buildTxtar(t, "findsite.txtar")
	for _, tc := range []struct {
		file   string
		titles []string // newest first
	}{
		{"feed.xml", []string{"Third story, on the United States", "Second story on Iraq", evilTitle, "Untagged", "An old story about Iraq"}},
		{"atom.xml", []string{"Third story, on the United States", "Second story on Iraq", evilTitle, "Untagged", "An old story about Iraq"}},
		{"tags/iraq/feed.xml", []string{"Second story on Iraq", evilTitle, "An old story about Iraq"}},
		{"tags/iraq/atom.xml", []string{"Second story on Iraq", evilTitle, "An old story about Iraq"}},
		{"tags/rare-tag/atom.xml", []string{"Second story on Iraq", evilTitle}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dest, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := gofeed.NewParser().ParseString(string(data))
			if err != nil {
				t.Fatalf("gofeed cannot parse %s: %v", tc.file, err)
			}
			wantType := "rss"
			if strings.HasSuffix(tc.file, "atom.xml") {
				wantType = "atom"
			}
			if f.FeedType != wantType {
				t.Errorf("feed type %q, want %q", f.FeedType, wantType)
			}
			if !strings.HasPrefix(f.Link, base+"/") {
				t.Errorf("feed link %q is not absolute under %s", f.Link, base)
			}
			if f.FeedLink != base+"/"+tc.file {
				t.Errorf("self link %q, want %q", f.FeedLink, base+"/"+tc.file)
			}
			var titles []string
			for _, it := range f.Items {
				titles = append(titles, it.Title)
				want, ok := expected[it.Title]
				if !ok {
					t.Errorf("unexpected item title %q", it.Title)
					continue
				}
				if it.Link != base+want.path {
					t.Errorf("%q: link %q, want %q", it.Title, it.Link, base+want.path)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(want.date) {
					t.Errorf("%q: published %v, want %v", it.Title, it.PublishedParsed, want.date)
				}
				if !strings.HasPrefix(it.GUID, "urn:uuid:") {
					t.Errorf("%q: GUID %q is not a urn:uuid", it.Title, it.GUID)
				}
				if it.Title == evilTitle {
					if got := feedText(t, it.Description, strings.HasSuffix(tc.file, "feed.xml")); got != evilSummary {
						t.Errorf("summary shows as %q, want %q", got, evilSummary)
					}
					if len(it.Authors) != 1 || it.Authors[0].Name != `Jane "JJ" Doe` {
						t.Errorf("authors %+v, want Jane \"JJ\" Doe", it.Authors)
					}
					if !slices.Contains(it.Categories, "United States") && !slices.Contains(it.Categories, "united-states") {
						t.Errorf("categories %v lack the tag United States", it.Categories)
					}
					if wantType == "atom" && (it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(time.Date(2020, 1, 4, 23, 0, 0, 0, time.UTC))) {
						t.Errorf("updated %v, want the lastmod 2020-01-05 in Europe/Berlin", it.UpdatedParsed)
					}
				}
			}
			if !slices.Equal(titles, tc.titles) {
				t.Errorf("items\n%q\nwant\n%q", titles, tc.titles)
			}
		})
	}
}

func TestPagesLinkTheirFeeds(t *testing.T) {
	dest := buildTxtar(t, "findsite.txtar")
	for file, want := range map[string][]string{
		"index.html":                {base + "/feed.xml", base + "/atom.xml"},
		"tags/iraq/index.html":      {base + "/tags/iraq/feed.xml", base + "/tags/iraq/atom.xml", base + "/feed.xml", base + "/atom.xml"},
		"2020/index.html":           {base + "/feed.xml", base + "/atom.xml"},
		evilPath[1:] + "index.html": {base + "/feed.xml", base + "/atom.xml"},
	} {
		doc := parseHTML(t, filepath.Join(dest, file))
		var got []string
		for _, n := range findAll(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "alternate" }) {
			if typ := attr(n, "type"); typ != "application/rss+xml" && typ != "application/atom+xml" {
				t.Errorf("%s: alternate link of type %q", file, typ)
			}
			got = append(got, attr(n, "href"))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s links feeds %q, want %q", file, got, want)
		}
	}
}

func TestSitemapListsEveryPage(t *testing.T) {
	dest := buildTxtar(t, "findsite.txtar")
	data, err := os.ReadFile(filepath.Join(dest, "sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	set := parseURLSet(t, data)
	var pages int
	err = filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		rel = filepath.ToSlash(rel)
		if rel == "404.html" {
			if _, ok := set[base+"/404.html"]; ok {
				t.Error("the 404 page is in the sitemap")
			}
			return nil
		}
		pages++
		loc := base + "/" + strings.TrimSuffix(rel, "index.html")
		lastmod, ok := set[loc]
		if !ok {
			t.Errorf("sitemap lacks %s (%s)", loc, rel)
		} else if lastmod.IsZero() {
			t.Errorf("%s has no lastmod", loc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != pages {
		t.Errorf("sitemap has %d URLs for %d pages", len(set), pages)
	}
	if got := set[base+evilPath]; !got.Equal(time.Date(2020, 1, 4, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("lastmod of the edited article is %v, want its lastmod", got)
	}
	robots, err := os.ReadFile(filepath.Join(dest, "robots.txt"))
	if err != nil || !strings.Contains(string(robots), "Sitemap: "+base+"/sitemap.xml\n") {
		t.Errorf("robots.txt does not point at the sitemap: %q, %v", robots, err)
	}
}

// parseURLSet parses a sitemap <urlset> and returns its locations with
// their lastmod.
func parseURLSet(t *testing.T, data []byte) map[string]time.Time {
	t.Helper()
	var set struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(data, &set); err != nil {
		t.Fatalf("sitemap does not parse: %v", err)
	}
	out := map[string]time.Time{}
	for _, u := range set.URLs {
		if _, dup := out[u.Loc]; dup {
			t.Errorf("sitemap lists %s twice", u.Loc)
		}
		var lm time.Time
		if u.LastMod != "" {
			var err error
			if lm, err = time.Parse(time.RFC3339, u.LastMod); err != nil {
				t.Errorf("%s: lastmod %q: %v", u.Loc, u.LastMod, err)
			}
		}
		out[u.Loc] = lm
	}
	return out
}

// TestSitemapIndexAboveLimit builds the page set of a generated archive
// with more than 50,000 pages and checks the sitemap index and its parts.
func TestSitemapIndexAboveLimit(t *testing.T) {
	cfg := config.Default()
	cfg.BaseURL = "https://example.org/"
	var arts []*content.Article
	start := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range sitemap.MaxURLs + 10 {
		arts = append(arts, &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", i),
			Date: start.Add(time.Duration(i) * 3 * time.Hour), Source: fmt.Sprintf("gen/%d.md", i)})
	}
	s := &Site{Site: site.New(cfg, arts)}
	lang, err := i18n.Load("en", sitegen.DefaultI18n(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages := render.Pages(s.Site, lang)
	files := map[string][]byte{}
	if err := (&outputs{site: s.Site}).writeSitemap(pages, func(name string, data []byte) error {
		files[name] = data
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var idx struct {
		XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
		Sitemaps []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal(files["sitemap.xml"], &idx); err != nil {
		t.Fatalf("sitemap.xml is not a sitemap index: %v", err)
	}
	wantParts := (len(pages) - 1 + sitemap.MaxURLs - 1) / sitemap.MaxURLs // the 404 page is not listed
	if len(idx.Sitemaps) != wantParts {
		t.Fatalf("index lists %d sitemaps for %d pages, want %d", len(idx.Sitemaps), len(pages), wantParts)
	}
	all := map[string]time.Time{}
	for i, sm := range idx.Sitemaps {
		name := strings.TrimPrefix(sm.Loc, "https://example.org/")
		if name != fmt.Sprintf("sitemap-%d.xml", i+1) {
			t.Errorf("index entry %d is %s", i, sm.Loc)
		}
		if _, err := time.Parse(time.RFC3339, sm.LastMod); err != nil {
			t.Errorf("index entry %s: lastmod %q: %v", sm.Loc, sm.LastMod, err)
		}
		data, ok := files[name]
		if !ok {
			t.Fatalf("index points at %s, which was not written", name)
		}
		if len(data) > sitemap.MaxBytes {
			t.Errorf("%s is %d bytes, above the protocol's limit", name, len(data))
		}
		part := parseURLSet(t, data)
		if len(part) > sitemap.MaxURLs {
			t.Errorf("%s has %d URLs, above the limit", name, len(part))
		}
		for loc, lm := range part {
			all[loc] = lm
		}
	}
	for _, p := range pages {
		loc := "https://example.org" + p.Path
		if _, ok := all[loc]; !ok && p.Kind != render.KindMissing {
			t.Fatalf("no sitemap part lists %s", loc)
		}
	}
	if len(all) != len(pages)-1 {
		t.Errorf("parts list %d URLs, want %d", len(all), len(pages)-1)
	}
}

func TestArticleStructuredData(t *testing.T) {
	dest := buildTxtar(t, "findsite.txtar")
	doc := parseHTML(t, filepath.Join(dest, evilPath[1:], "index.html"))
	scripts := findAll(doc, func(n *html.Node) bool { return n.Data == "script" && attr(n, "type") == "application/ld+json" })
	if len(scripts) != 1 {
		t.Fatalf("%d JSON-LD scripts, want 1", len(scripts))
	}
	if scripts[0].FirstChild == nil {
		t.Fatal("empty JSON-LD script")
	}
	var ld struct {
		Context       string `json:"@context"`
		Type          string `json:"@type"`
		Headline      string
		URL           string
		DatePublished string
		DateModified  string
		Description   string
		Author        []struct {
			Type string `json:"@type"`
			Name string
		} `json:"author"`
		Publisher struct{ Name string }
		Keywords  []string
		Image     []string
	}
	if err := json.Unmarshal([]byte(scripts[0].FirstChild.Data), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse as JSON: %v\n%s", err, scripts[0].FirstChild.Data)
	}
	if ld.Context != "https://schema.org" || ld.Type != "NewsArticle" {
		t.Errorf("@context %q @type %q", ld.Context, ld.Type)
	}
	if ld.Headline != evilTitle {
		t.Errorf("headline %q, want %q", ld.Headline, evilTitle)
	}
	if ld.Description != evilSummary {
		t.Errorf("description %q, want %q", ld.Description, evilSummary)
	}
	if ld.URL != base+evilPath {
		t.Errorf("url %q", ld.URL)
	}
	if ld.DatePublished != "2020-01-02T08:30:00+01:00" || ld.DateModified != "2020-01-05T00:00:00+01:00" {
		t.Errorf("dates %q, %q", ld.DatePublished, ld.DateModified)
	}
	if len(ld.Author) != 1 || ld.Author[0].Name != `Jane "JJ" Doe` || ld.Author[0].Type != "Person" {
		t.Errorf("author %+v", ld.Author)
	}
	if ld.Publisher.Name != `Test "Archive" & Co` {
		t.Errorf("publisher %q", ld.Publisher.Name)
	}
	if !slices.Equal(ld.Keywords, []string{"Iraq", "United States", "Rare tag"}) {
		t.Errorf("keywords %q", ld.Keywords)
	}
	if !slices.Equal(ld.Image, []string{base + "/img/lead.jpg"}) {
		t.Errorf("image %q", ld.Image)
	}

	meta := map[string]string{}
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.Data == "meta" && attr(n, "property") != "" }) {
		meta[attr(n, "property")] = attr(n, "content")
	}
	for prop, want := range map[string]string{
		"og:type": "article", "og:title": evilTitle, "og:description": evilSummary,
		"og:url": base + evilPath, "og:image": base + "/img/lead.jpg", "og:site_name": `Test "Archive" & Co`,
		"article:published_time": "2020-01-02T08:30:00+01:00",
	} {
		if meta[prop] != want {
			t.Errorf("%s = %q, want %q", prop, meta[prop], want)
		}
	}
	canon := findAll(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "canonical" })
	if len(canon) != 1 || attr(canon[0], "href") != base+evilPath {
		t.Errorf("canonical link wrong: %d links", len(canon))
	}
	// The article without tags or image leaves those fields out.
	plain := parseHTML(t, filepath.Join(dest, "2019/06/02/untagged/index.html"))
	s := findAll(plain, func(n *html.Node) bool { return n.Data == "script" && attr(n, "type") == "application/ld+json" })
	if len(s) != 1 || strings.Contains(s[0].FirstChild.Data, `"keywords"`) || strings.Contains(s[0].FirstChild.Data, `"image"`) {
		t.Errorf("untagged article's JSON-LD should have neither keywords nor image")
	}
}

func TestRelatedAndTimelineOnPages(t *testing.T) {
	dest := buildTxtar(t, "findsite.txtar")
	doc := parseHTML(t, filepath.Join(dest, evilPath[1:], "index.html"))
	var related []string
	for _, aside := range findAll(doc, func(n *html.Node) bool { return n.Data == "aside" && strings.Contains(attr(n, "class"), "related") }) {
		for _, a := range findAll(aside, func(n *html.Node) bool { return n.Data == "a" }) {
			related = append(related, attr(a, "href"))
		}
	}
	want := []string{"/news/2020/01/03/second-story-on-iraq/", "/news/2020/02/10/third-story-on-the-united-states/", "/news/2019/06/01/an-old-story-about-iraq/"}
	if !slices.Equal(related, want) {
		t.Errorf("related stories %q, want %q", related, want)
	}
	for file, links := range map[string][]string{
		"index.html":         {"/news/2019/06/", "/news/2020/01/", "/news/2020/02/"},
		"2020/index.html":    {"/news/2020/01/", "/news/2020/02/"},
		"2020/01/index.html": {"/news/2020/01/02/", "/news/2020/01/03/"},
	} {
		doc := parseHTML(t, filepath.Join(dest, file))
		svgs := findAll(doc, func(n *html.Node) bool { return n.Data == "svg" })
		if len(svgs) != 1 {
			t.Errorf("%s: %d SVG charts, want 1", file, len(svgs))
			continue
		}
		var got []string
		for _, a := range findAll(svgs[0], func(n *html.Node) bool { return n.Data == "a" }) {
			got = append(got, attr(a, "href"))
		}
		if !slices.Equal(got, links) {
			t.Errorf("%s: chart links %q, want %q", file, got, links)
		}
	}
}

func parseHTML(t *testing.T, file string) *html.Node {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return doc
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestSearchDocumentFilesFollowEdits: the search documents are grouped
// search.DocsPerFile to a file, and an edit of one article's body makes
// only the file that holds it again; the other is kept as it was (same
// inode and mtime), and the result is what a clean build writes.
func TestSearchDocumentFilesFollowEdits(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, search.DocsPerFile+6)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	files := []string{"search/d/0.bin", "search/d/1.bin"}
	before := readTree(t, dest)
	for _, f := range files {
		if _, ok := before[f]; !ok {
			t.Fatalf("%s is not in the site", f)
		}
	}
	if _, ok := before["search/d/2.bin"]; ok {
		t.Fatalf("three document files for %d articles", search.DocsPerFile+6)
	}
	changedFiles := map[string]bool{}
	for _, story := range []int{14, 0} { // the newest date (document file 1: numbered oldest first), the oldest (file 0)
		t.Run(fmt.Sprint("story ", story), func(t *testing.T) {
			marker := fmt.Sprintf("Zeppelin%d", story)
			writeSiteFile(t, root, fmt.Sprintf("content/%02d/story-%03d.md", story%4, story), testArticle(
				fmt.Sprintf("Story number %d", story), fmt.Sprintf("2024-%02d-%02d", 1+story%3, 1+story%5),
				[]string{"Iraq", "Economy"}, "Body of story with "+marker+"."))
			ageFiles(t, root)
			if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
				t.Fatal(err)
			}
			after := readTree(t, dest)
			clean := filepath.Join(t.TempDir(), "clean")
			if _, err := Run(ctx, Options{Source: root, Dest: clean}); err != nil {
				t.Fatal(err)
			}
			want := readTree(t, clean)
			var changed []string
			for _, f := range files {
				a, b := after[f], before[f]
				if !bytes.Equal(a.data, want[f].data) {
					t.Errorf("%s differs from a clean build's", f)
				}
				if a.ino != b.ino || !a.mtime.Equal(b.mtime) {
					changed = append(changed, f)
					if !bytes.Contains(a.data, []byte(marker)) {
						t.Errorf("%s was made again without the edit", f)
					}
				} else if bytes.Contains(a.data, []byte(marker)) || !bytes.Equal(a.data, b.data) {
					t.Errorf("%s was kept though the edit changed it", f)
				}
			}
			if len(changed) != 1 {
				t.Errorf("files made again after one body edit: %q, want one", changed)
			}
			for _, f := range changed {
				changedFiles[f] = true
			}
			before = after
		})
	}
	if len(changedFiles) != 2 {
		t.Errorf("the two edits changed %v; want one edit in each file", changedFiles)
	}

	// An article newer than all the others takes the next number: the
	// first file, full, is kept; the last is made again with it.
	writeSiteFile(t, root, "content/00/newest.md", testArticle("The newest story", "2024-04-01",
		[]string{"Iraq"}, "Body of the newest story, Zeppelin."))
	ageFiles(t, root)
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	after := readTree(t, dest)
	if a, b := after[files[0]], before[files[0]]; a.ino != b.ino || !a.mtime.Equal(b.mtime) {
		t.Errorf("%s made again after an article was added after all others", files[0])
	}
	if a := after[files[1]]; !bytes.Contains(a.data, []byte("The newest story")) {
		t.Errorf("%s lacks the added article", files[1])
	}
	assertCleanBuild(t, root, dest, false)
}

// TestSearchShardsFollowEdits: on an archive whose search index has many
// term shards, after a body, title, tag, date, added and deleted article,
// the incremental build's index is the clean build's, byte for byte; the
// shards an edit cannot change keep their files (same inode and mtime),
// and a body edit keeps most of them.
func TestSearchShardsFollowEdits(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeSiteFile(t, root, "sitegen.yaml", "title: Test archive\nbaseURL: https://example.org/\n")
	rng := rand.New(rand.NewPCG(5, 5))
	body := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i%40 == 39 {
				b.WriteString("\n\n")
			}
			fmt.Fprintf(&b, "w%x ", rng.IntN(20000)*rng.IntN(20000)/20000) // many rare words, a few common
		}
		return b.String()
	}
	bodies := map[int]string{}
	story := func(i int, title, date string, tags []string, text string) {
		bodies[i] = text
		writeSiteFile(t, root, fmt.Sprintf("content/story-%03d.md", i), testArticle(title, date, tags, text))
	}
	for i := range 300 {
		story(i, fmt.Sprintf("Story %d", i), fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28), []string{fmt.Sprint("Tag ", i%9)}, body(100+rng.IntN(200)))
	}
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dest)
	shards := 0
	for f := range before {
		if strings.HasPrefix(f, "search/t/") {
			shards++
		}
	}
	if shards < 8 {
		t.Fatalf("%d term shards: the test needs more", shards)
	}
	for _, e := range []struct {
		name string
		edit func()
		keep bool // most shards must be kept
	}{
		{"body", func() {
			// A word for another: the average length stays, which on an
			// archive this small moves the impacts of most shards.
			story(7, "Story 7", "2024-08-08", []string{"Tag 7"}, "Replaced"+bodies[7][strings.IndexByte(bodies[7], ' '):])
		}, true},
		{"title", func() { story(8, "A new headline", "2024-09-09", []string{"Tag 8"}, bodies[8]) }, false},
		{"tag", func() { story(9, "Story 9", "2024-10-10", []string{"Tag 0", "Brand new"}, bodies[9]) }, false},
		{"date", func() { story(10, "Story 10", "2023-01-01", []string{"Tag 1"}, bodies[10]) }, false},
		{"added", func() { story(200, "Story 200", "2024-06-15", []string{"Tag 2"}, body(150)) }, false},
		{"deleted", func() {
			if err := os.Remove(filepath.Join(root, "content/story-011.md")); err != nil {
				t.Fatal(err)
			}
		}, false},
	} {
		t.Run(e.name, func(t *testing.T) {
			e.edit()
			ageFiles(t, root)
			// The shards the index makes, rather than keeps: those the
			// build cache did not bring back are made, and left alone by
			// the writer only after comparing their bytes.
			var indexed atomic.Int32
			beforeSavingExtra = func(name string) error {
				if strings.HasPrefix(name, "search/t/") {
					indexed.Add(1)
				}
				return nil
			}
			_, err := Run(ctx, Options{Source: root, Dest: dest})
			beforeSavingExtra = nil
			if err != nil {
				t.Fatal(err)
			}
			clean := filepath.Join(t.TempDir(), "clean")
			if _, err := Run(ctx, Options{Source: root, Dest: clean}); err != nil {
				t.Fatal(err)
			}
			got, want := readTree(t, dest), readTree(t, clean)
			kept, made := 0, 0
			for f, w := range want {
				if !strings.HasPrefix(f, "search/") {
					continue
				}
				g, b := got[f], before[f]
				if !bytes.Equal(g.data, w.data) {
					t.Errorf("%s differs from the clean build's", f)
				}
				if !strings.HasPrefix(f, "search/t/") {
					continue
				}
				if g.ino == b.ino && g.mtime.Equal(b.mtime) {
					kept++
				} else {
					made++
					if bytes.Equal(g.data, b.data) {
						t.Errorf("%s rewritten though its bytes did not change", f)
					}
				}
			}
			for f := range got {
				if _, ok := want[f]; !ok {
					t.Errorf("%s left in the incremental build, not in the clean one", f)
				}
			}
			t.Logf("%d term shards kept, %d made; the index made %d", kept, made, indexed.Load())
			if e.keep && kept <= made {
				t.Errorf("a body edit kept %d term shards and made %d", kept, made)
			}
			if int(indexed.Load()) != made {
				t.Errorf("the index made %d term shards, of which the writer kept %d: it should have kept them itself", indexed.Load(), int(indexed.Load())-made)
			}
			before = got
		})
	}
}

// TestMayBeOutput: every file Outputs makes is a name MayBeOutput allows,
// and pages, assets and names browsers ask for on their own are not.
func TestMayBeOutput(t *testing.T) {
	root := writeTestSite(t, 30)
	b, err := NewBuilder(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := b.Outputs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for name := range outs {
		if !MayBeOutput(name) {
			t.Errorf("MayBeOutput(%q) = false for a file Outputs made", name)
		}
	}
	if len(outs) < 10 {
		t.Errorf("Outputs made %d files: %v", len(outs), slices.Sorted(maps.Keys(outs)))
	}
	for _, name := range append(b.Files(), "favicon.ico", "apple-touch-icon.png", ".well-known/appspecific/com.chrome.devtools.json", "style.css", "search.js") {
		if MayBeOutput(name) {
			t.Errorf("MayBeOutput(%q) = true", name)
		}
	}
}

// TestOutputsAfterUpdates: after each kind of edit, a Builder's Outputs
// equal those of a Builder loaded afresh, byte for byte, and its search
// index analyzes only the articles whose analysis the last call's does not
// hold: one for a body edit, none when nothing changed, fewer than all but
// for a configuration edit; the documents a date edit renumbers are copied,
// and the feeds a body edit leaves as they were.
func TestOutputsAfterUpdates(t *testing.T) {
	ctx := context.Background()
	root := writeTestSite(t, search.DocsPerFile+6)
	b, err := NewBuilder(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	outputs := func(b *Builder) (map[string][]byte, int64) {
		t.Helper()
		n := analyzedSearchDocs.Load()
		outs, err := b.Outputs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return outs, analyzedSearchDocs.Load() - n
	}
	if _, n := outputs(b); n != int64(len(b.Site().Articles)) {
		t.Errorf("the first Outputs analyzed %d articles, want all %d", n, len(b.Site().Articles))
	}
	if _, n := outputs(b); n != 0 {
		t.Errorf("Outputs again with nothing changed analyzed %d articles", n)
	}
	for _, e := range siteEdits {
		t.Run(e.name, func(t *testing.T) {
			if _, err := b.Update(ctx, e.apply(t, root)); err != nil {
				t.Fatal(err)
			}
			copied, feeds := copiedSearchDocs.Load(), keptFeeds.Load()
			got, n := outputs(b)
			copied, feeds = copiedSearchDocs.Load()-copied, keptFeeds.Load()-feeds
			fresh, err := NewBuilder(ctx, root)
			if err != nil {
				t.Fatal(err)
			}
			want, all := outputs(fresh)
			if !maps.EqualFunc(got, want, bytes.Equal) {
				for name := range want {
					if !bytes.Equal(got[name], want[name]) {
						t.Errorf("%s differs from a fresh Builder's", name)
					}
				}
				t.Errorf("%d files, a fresh Builder's %d", len(got), len(want))
			}
			// A configuration edit changes every analysis's key (the
			// base URL may have changed).
			if e.name == "body" && n != 1 || n >= all && e.name != "config" {
				t.Errorf("analyzed %d articles of %d", n, all)
			}
			// A date edit renumbers documents: those not edited are copied
			// from the last call's files.
			if e.name == "date" && copied == 0 {
				t.Error("no search document copied after a date edit")
			}
			// A body edit changes the feeds that show the article only.
			if e.name == "body" && feeds == 0 {
				t.Error("no feed copied after a body edit")
			}
		})
	}
}

// TestOutputsMatchBuild checks that Builder.Outputs, which the preview
// serves from, holds the bytes a build writes for every file besides the
// pages, on a site whose search index has many term shards: the index puts
// each shard together in one buffer that it reuses, and Outputs must copy
// what it keeps.
func TestOutputsMatchBuild(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeSiteFile(t, root, "sitegen.yaml", "title: Test archive\nbaseURL: https://example.org/\n")
	rng := rand.New(rand.NewPCG(6, 12))
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		b := make([]byte, 5+rng.IntN(6))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	for i := range 300 {
		var body strings.Builder
		for range 60 {
			body.WriteString(word() + " ")
		}
		writeSiteFile(t, root, fmt.Sprintf("content/story-%03d.md", i), testArticle(
			"Story "+word(), fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28), []string{word()}, body.String()))
	}
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	built := readTree(t, dest)
	b, err := NewBuilder(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := b.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shards := 0
	for name, data := range outs {
		if strings.HasPrefix(name, "search/t/") {
			shards++
		}
		if f, ok := built[name]; !ok || !bytes.Equal(f.data, data) {
			t.Errorf("%s: Outputs holds %d bytes, the build wrote %d (written: %v)", name, len(data), len(f.data), ok)
		}
	}
	if shards < 3 {
		t.Errorf("%d term shards, want several", shards)
	}
}
