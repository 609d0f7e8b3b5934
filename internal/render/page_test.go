package render

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"weak"

	sitegen "github.com/sitegen/sitegen"
	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/i18n"
	"github.com/sitegen/sitegen/internal/site"
)

func TestPagerLinks(t *testing.T) {
	tests := []struct {
		number, total int
		want          string // numbers, "…" for gaps, [n] for the current page
	}{
		{1, 1, "[1]"},
		{1, 2, "[1] 2"},
		{2, 2, "1 [2]"},
		{1, 7, "[1] 2 3 … 7"},
		{4, 7, "1 2 3 [4] 5 6 7"},
		{5, 9, "1 2 3 4 [5] 6 7 8 9"},
		{6, 20, "1 … 4 5 [6] 7 8 … 20"},
		{20, 20, "1 … 18 19 [20]"},
		{1250, 2500, "1 … 1248 1249 [1250] 1251 1252 … 2500"},
	}
	for _, tt := range tests {
		p := &Pager{Number: tt.number, Total: tt.total, First: "/tags/x/"}
		var got []string
		for _, l := range p.Links() {
			switch {
			case l.Number == 0:
				got = append(got, "…")
			case l.Current:
				got = append(got, fmt.Sprintf("[%d]", l.Number))
			default:
				got = append(got, fmt.Sprint(l.Number))
			}
			if l.Number > 0 && l.Path != PageURL("/tags/x/", l.Number) {
				t.Errorf("page %d: path %q", l.Number, l.Path)
			}
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("page %d of %d: %s, want %s", tt.number, tt.total, s, tt.want)
		}
	}
}

// dailyStories returns n articles a day apart from 2024-01-01, each with
// one of three tags.
func dailyStories(n int) []*content.Article {
	var arts []*content.Article
	for i := range n {
		arts = append(arts, &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", i), Source: fmt.Sprintf("s%02d.md", i),
			Date: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC), Tags: []content.Tag{content.MakeTag(fmt.Sprint("T", i%3))}})
	}
	return arts
}

// englishPagesOfTwo returns the theme's English and a configuration that
// cuts lists into pages of two.
func englishPagesOfTwo(t *testing.T) (*i18n.Lang, *config.Config) {
	t.Helper()
	lang, err := i18n.Load("en", sitegen.DefaultI18n(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Paginate = 2
	return lang, cfg
}

// Retagged gives, for a site whose articles' tags changed, the pages Pages
// gives, reusing every page but the tag index and tag pages.
func TestRetagged(t *testing.T) {
	lang, cfg := englishPagesOfTwo(t)
	var arts []*content.Article
	for i := range 9 {
		a := &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", i), Source: fmt.Sprintf("s%d.md", i),
			Date: time.Date(2024, 1, 1+i%4, 0, 0, 0, 0, time.UTC), Tags: []content.Tag{content.MakeTag("All"), content.MakeTag(fmt.Sprint("T", i%3))}}
		if i%4 == 0 {
			a.Aliases = []string{fmt.Sprintf("/old/%d.html", i)}
		}
		arts = append(arts, a)
	}
	s := site.New(cfg, arts)
	pages := Pages(s, lang)
	arts[3].Tags = []content.Tag{content.MakeTag("T0"), content.MakeTag("New")} // leaves All and T0 gains one
	arts[7].Tags = nil
	s2 := s.Retag(nil)
	kept := map[*Page]bool{}
	for _, p := range pages {
		if p.Kind != KindTags && p.Kind != KindTag {
			kept[p] = true
		}
	}
	got, want := Retagged(pages, s2, lang), Pages(s2, lang)
	if len(got) != len(want) {
		t.Fatalf("%d pages, Pages gives %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("page %d: %+v, Pages gives %+v", i, got[i], want[i])
		}
		if kind := got[i].Kind; kind != KindTags && kind != KindTag && !kept[got[i]] {
			t.Errorf("page %d (%s) was made anew", i, got[i].Path)
		}
	}
}

// PagesLike gives the pages Pages gives, after articles moved, were
// added or deleted, taking the page of an article not moved from the pages
// before when its neighbours are the same, and only then.
func TestPagesLike(t *testing.T) {
	lang, cfg := englishPagesOfTwo(t)
	arts := dailyStories(12)
	r := rand.New(rand.NewPCG(4, 2))
	s := site.New(cfg, slices.Clone(arts))
	pages := Pages(s, lang)
	for round := range 30 {
		moved := map[*content.Article]bool{}
		switch a := arts[r.IntN(len(arts))]; r.IntN(4) {
		case 0, 1:
			a.Date = time.Date(2024, 1, 1+r.IntN(20), 0, 0, 0, 0, time.UTC)
			moved[a] = true
		case 2:
			n := &content.Article{Title: fmt.Sprint("Added ", round), Slug: fmt.Sprint("added-", round), Source: fmt.Sprintf("a%02d.md", round),
				Date: time.Date(2024, 1, 1+r.IntN(20), 0, 0, 0, 0, time.UTC)}
			arts = append(arts, n)
			moved[n] = true
		case 3:
			if len(arts) > 2 {
				arts = slices.DeleteFunc(arts, func(b *content.Article) bool { return b == a })
				moved[a] = true
			}
		}
		before := map[*Page]*content.Article{} // the pages before that are article pages, with their articles' neighbours
		neighbours := map[*content.Article][2]*content.Article{}
		for _, p := range pages {
			if p.Kind == KindArticle {
				before[p] = p.Article
				neighbours[p.Article] = [2]*content.Article{p.Older, p.Newer}
			}
		}
		s = site.New(cfg, slices.Clone(arts))
		got, want := PagesLike(s, lang, pages, func(a *content.Article) bool { return !moved[a] }), Pages(s, lang)
		if len(got) != len(want) {
			t.Fatalf("round %d: %d pages, Pages gives %d", round, len(got), len(want))
		}
		reused := 0
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("round %d, page %d: %+v, Pages gives %+v", round, i, got[i], want[i])
			}
			if a, ok := before[got[i]]; ok {
				reused++
				if moved[a] || neighbours[a] != [2]*content.Article{got[i].Older, got[i].Newer} {
					t.Errorf("round %d: the page of %s was taken from before, its article moved or its neighbours changed", round, a.Source)
				}
			}
		}
		if reused < len(arts)-8 { // all but the pages of a moved article and its neighbours, before and after
			t.Errorf("round %d: %d article pages taken from before, of %d", round, reused, len(arts))
		}
		pages = got
	}
}

// The pages PagesLike makes keep no earlier site alive: a page it takes
// from before is given the new site, and a page it does not take leaves
// nothing behind that points at the old one. The preview makes pages so
// after every edit for as long as it runs.
func TestPagesLikeLeavesNoEarlierSite(t *testing.T) {
	lang, cfg := englishPagesOfTwo(t)
	arts := dailyStories(30)
	s := site.New(cfg, slices.Clone(arts))
	pages := Pages(s, lang)
	var sites []weak.Pointer[site.Site]
	for round := range 6 {
		sites = append(sites, weak.Make(s))
		a := arts[3+round]
		a.Date = a.Date.AddDate(0, 0, 7) // moved a week on: its page and its neighbours' made anew
		s = site.New(cfg, slices.Clone(arts))
		moved := map[*content.Article]bool{a: true}
		prev := map[string]*Page{}
		for _, p := range pages {
			prev[p.File()] = p
		}
		pages = PagesLike(s, lang, pages, func(b *content.Article) bool { return !moved[b] })
		// As the preview's Builder keeps them (movePages): where a file's
		// page lists the same articles as before, the Page before, given
		// the new one's fields.
		for i, p := range pages {
			if old := prev[p.File()]; old != nil && old != p && p.Kind != KindArticle && slices.Equal(old.List, p.List) {
				*old = *p
				pages[i] = old
			}
		}
	}
	runtime.GC()
	runtime.GC()
	for i, w := range sites {
		if w.Value() != nil {
			t.Errorf("the site of round %d is alive after %d more rounds; only the last round's pages are held", i, len(sites)-i)
		}
	}
	runtime.KeepAlive(pages)
}

// A page's file is DIR/index.html for a path ending in a slash, the path
// itself otherwise, without the leading slash; AppendFile appends the same.
func TestPageFile(t *testing.T) {
	for path, want := range map[string]string{
		"/":                   "index.html",
		"/2024/05/01/story/":  "2024/05/01/story/index.html",
		"/tags/x/page/2/":     "tags/x/page/2/index.html",
		"/404.html":           "404.html",
		"/news/old-story.htm": "news/old-story.htm",
	} {
		p := &Page{Path: path}
		if got := p.File(); got != want {
			t.Errorf("File of %q = %q, want %q", path, got, want)
		}
		if got := string(p.AppendFile([]byte("x/"))); got != "x/"+want {
			t.Errorf("AppendFile of %q = %q, want %q", path, got, "x/"+want)
		}
	}
}

// BenchmarkPages lists the pages of a site of 50,000 articles over five
// years, each with two or three of 2,000 tags, as an edit build does once
// it has indexed the site.
func BenchmarkPages(b *testing.B) {
	lang, err := i18n.Load("en", sitegen.DefaultI18n(), nil)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 5))
	arts := make([]*content.Article, 50000)
	for i := range arts {
		var tags []content.Tag
		for range 2 + r.IntN(2) {
			tags = append(tags, content.MakeTag(fmt.Sprint("tag ", r.IntN(2000))))
		}
		arts[i] = &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", i), Source: fmt.Sprintf("s%d.md", i),
			Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(5*365*24)) * time.Hour), Tags: tags}
	}
	s := site.New(config.Default(), arts)
	for b.Loop() {
		Pages(s, lang)
	}
}

// Pages makes the article pages in two halves and the list pages beside
// them: the article pages are still in the site's order with their
// neighbours, the list pages follow them in Pages' order, and all pages
// of a kind share one Chrome.
func TestPagesInOrder(t *testing.T) {
	lang, cfg := englishPagesOfTwo(t)
	arts := dailyStories(13) // halves of 6 and 7
	arts[4].Aliases = []string{"/old/4.html"}
	s := site.New(cfg, arts)
	pages := Pages(s, lang)
	n := len(s.Articles)
	for i, a := range s.Articles {
		p := pages[i]
		if p.Kind != KindArticle || p.Article != a || p.Path != a.URLPath() {
			t.Fatalf("page %d: %s %s, want the page of %s", i, p.Kind, p.Path, a.Source)
		}
		if want := older(s.Articles, i); p.Older != want {
			t.Errorf("page %d: older %v, want %v", i, p.Older, want)
		}
		if want := newer(s.Articles, i); p.Newer != want {
			t.Errorf("page %d: newer %v, want %v", i, p.Newer, want)
		}
	}
	var kinds []string
	chrome := map[string]*Chrome{}
	for i, p := range pages {
		if c, ok := chrome[p.Kind]; ok && c != p.Chrome {
			t.Errorf("page %d (%s): a Chrome of its own", i, p.Path)
		}
		chrome[p.Kind] = p.Chrome
		if p.Site != s || p.Chrome.Kind != p.Kind {
			t.Errorf("page %d (%s): site or chrome not its own", i, p.Path)
		}
		if i >= n && (len(kinds) == 0 || kinds[len(kinds)-1] != p.Kind) {
			kinds = append(kinds, p.Kind)
		}
	}
	want := []string{KindHome, KindTags, KindTag, KindYear, KindMonth, KindDay, KindAlias, KindSearch, KindMissing}
	if !slices.Equal(kinds, want) {
		t.Errorf("the pages after the articles go %v, want %v", kinds, want)
	}
}
