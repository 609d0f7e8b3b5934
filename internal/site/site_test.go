package site

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
)

func art(src, slug, date string, tags ...string) *content.Article {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		panic(err)
	}
	a := &content.Article{Source: src, Slug: slug, Title: slug, Date: d}
	for _, t := range tags {
		a.Tags = append(a.Tags, content.MakeTag(t))
	}
	return a
}

func TestIndexes(t *testing.T) {
	a := art("a.md", "a", "2019-12-30", "Iraq")
	b := art("b.md", "b", "2019-12-31", "iraq", "Economy")
	c := art("c.md", "c", "2020-01-02", "Economy")
	d := art("d.md", "d", "2020-03-01")
	s := New(config.Default(), []*content.Article{c, a, d, b})

	var order []string
	for _, x := range s.Articles {
		order = append(order, x.Slug)
	}
	if got := strings.Join(order, ","); got != "d,c,b,a" {
		t.Errorf("order = %s, want newest first d,c,b,a", got)
	}
	if older, newer := s.Neighbours(b); older != a || newer != c {
		t.Errorf("neighbours of b = %v, %v", older, newer)
	}
	if older, newer := s.Neighbours(a); older != nil || newer != b {
		t.Errorf("neighbours of the oldest = %v, %v", older, newer)
	}
	for i, x := range s.Articles {
		if p, ok := s.Position(x); !ok || p != i {
			t.Errorf("position of %s = %d, %v, want %d", x.Slug, p, ok, i)
		}
	}
	cp := *b
	if _, ok := s.Position(&cp); ok {
		t.Error("a copy of an article has a position")
	}

	iraq := s.Tag("iraq")
	if iraq == nil || len(iraq.Articles) != 2 || iraq.Articles[0] != b || iraq.Name != "iraq" {
		t.Errorf("tag iraq = %+v", iraq)
	}
	if len(s.Tags) != 2 || s.Tags[0].Slug != "economy" {
		t.Errorf("tags = %v", s.Tags)
	}

	if len(s.Years) != 2 {
		t.Fatalf("years = %d, want 2", len(s.Years))
	}
	y2019, y2020 := s.Years[0], s.Years[1]
	if y2019.Next != y2020 || y2020.Prev != y2019 || y2019.URLPath() != "/2019/" {
		t.Errorf("year links wrong")
	}
	dec := y2019.Children[0]
	jan := y2020.Children[0]
	if dec.Next != jan || jan.Prev != dec || jan.Parent != y2020 || dec.URLPath() != "/2019/12/" {
		t.Errorf("months must link across the year boundary: dec.Next=%v jan.Prev=%v", dec.Next, jan.Prev)
	}
	if len(jan.Children) != 1 || jan.Next != y2020.Children[1] {
		t.Errorf("January 2020 children/next wrong")
	}
	day31 := dec.Children[1]
	if day31.URLPath() != "/2019/12/31/" || day31.Next != jan.Children[0] || len(day31.Articles) != 1 {
		t.Errorf("day links wrong: %s", day31.URLPath())
	}
	if len(y2020.Articles) != 2 || y2020.Articles[0] != d {
		t.Errorf("2020 articles not newest first")
	}
}

func TestDuplicateURLs(t *testing.T) {
	x := art("z/first.md", "same", "2020-01-01")
	y := art("a/second.md", "same", "2020-01-01")
	z := art("m/third.md", "same", "2020-01-01")
	taken := art("q/taken.md", "same-2", "2020-01-01")
	s := New(config.Default(), []*content.Article{x, y, z, taken})
	// The source that sorts first keeps the plain slug; the others skip taken names.
	if y.Slug != "same" || z.Slug != "same-3" || x.Slug != "same-4" || taken.Slug != "same-2" {
		t.Errorf("slugs = %s %s %s %s", y.Slug, z.Slug, x.Slug, taken.Slug)
	}
	if len(s.Notes) != 2 || !strings.Contains(s.Notes[0], "m/third.md: URL /2020/01/01/same/ is taken by a/second.md") {
		t.Errorf("notes = %q", s.Notes)
	}
}

// A slug renamed for a URL taken moves its article in the order: New,
// which indexes the articles while it checks their URLs, indexes them
// again, and the site is the one the renamed articles make.
func TestDuplicateURLsIndexedInFinalOrder(t *testing.T) {
	arts := []*content.Article{
		art("b.md", "same", "2020-01-01", "T1", "all"),
		art("a.md", "same", "2020-01-01", "T2", "all"),
		art("c.md", "same-1", "2020-01-01", "T3", "all"),
		art("d.md", "other", "2020-01-02", "all"),
	}
	s := New(config.Default(), arts)
	if len(s.Renamed()) != 1 {
		t.Fatalf("%d articles renamed, want 1", len(s.Renamed()))
	}
	var fresh []*content.Article // the articles with the slugs New gave them
	for _, a := range s.Articles {
		c := *a
		c.Tags = slices.Clone(a.Tags)
		fresh = append(fresh, &c)
	}
	want := New(config.Default(), fresh)
	describe := func(s *Site) string {
		out := ""
		for i, a := range s.Articles {
			out += fmt.Sprintf("%d %s %s %d\n", i, a.Source, a.Slug, s.position[a])
		}
		for _, tg := range s.Tags {
			out += tg.Slug + ":"
			for i, a := range tg.Articles {
				out += fmt.Sprintf(" %s@%d", a.Source, tg.positions[i])
			}
			out += "\n"
		}
		for i := range s.Articles {
			for _, tg := range s.artTags[s.tagsAt[i]:s.tagsAt[i+1]] {
				out += fmt.Sprintf("%d:%s ", i, tg.Slug)
			}
		}
		return out + "\n" + describePeriods(s.Years)
	}
	if got, want := describe(s), describe(want); got != want {
		t.Errorf("New with a slug renamed gives\n%s\nthe renamed articles give\n%s", got, want)
	}
}

// sortByDate orders articles exactly as content.SortByDate does, ties and
// articles equal in date, slug and source included.
func TestSortByDateMatchesContent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		n := 1 + rng.IntN(400)
		arts := make([]*content.Article, n)
		for i := range arts {
			loc := time.UTC
			if rng.IntN(3) == 0 {
				loc = time.FixedZone("X", 3600*(rng.IntN(5)-2))
			}
			arts[i] = &content.Article{
				Date:   time.Date(2024, 1, 1+rng.IntN(3), rng.IntN(2), 0, 0, rng.IntN(2), time.UTC).In(loc),
				Slug:   fmt.Sprintf("s%d", rng.IntN(3)),
				Source: fmt.Sprintf("p%d.md", rng.IntN(n)), // some sources twice: order kept as given
				Title:  fmt.Sprint(i),
			}
		}
		want := slices.Clone(arts)
		content.SortByDate(want)
		got := slices.Clone(arts)
		sortByDate(got)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: sortByDate differs from content.SortByDate", round)
		}
	}
}

// Retag, after edits to articles' tags in place, gives the tag index New
// gives for the same articles: tags by slug, each named as its newest
// article spells it, with its articles in order; so does a Retag of a
// Retag. The edits add, drop, reorder, repeat and respell tags; Retag is
// told which articles were edited, or (every fourth round) not.
func TestRetagMatchesNew(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	arts := taggedArchive(r)
	s := New(config.Default(), arts)
	for round := range 40 {
		edited := map[*content.Article]bool{}
		for range 1 + r.IntN(3) {
			a := s.Articles[r.IntN(len(s.Articles))]
			edited[a] = true
			switch r.IntN(4) {
			case 0:
				a.Tags = append(slices.Clip(a.Tags), content.MakeTag(tagNames[r.IntN(len(tagNames))]))
			case 1:
				if len(a.Tags) > 0 {
					a.Tags = slices.Delete(slices.Clone(a.Tags), 0, 1)
				}
			case 2:
				a.Tags = slices.Clone(a.Tags)
				slices.Reverse(a.Tags)
			case 3:
				a.Tags = []content.Tag{content.MakeTag(fmt.Sprint("Own ", round))}
			}
		}
		if round%4 == 3 {
			edited = nil // any article may have changed
		}
		s = s.Retag(edited)
		want := New(config.Default(), copyArticles(arts))
		if got, w := describeTags(s), describeTags(want); got != w {
			t.Fatalf("round %d: Retag gives\n%s\nNew gives\n%s", round, got, w)
		}
	}
}

// TestNewLikeMatchesNew checks NewLike against New over random rounds of
// edits in place, to tags and dates (which reorder the site), each site
// made like the one before and told which articles were edited (every
// fourth round not): the same tags, lists, related stories and URLs (an
// edit may give an article another's URL, which New renames).
func TestNewLikeMatchesNew(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 11))
	arts := taggedArchive(r)
	s := New(config.Default(), slices.Clone(arts))
	for round := range 40 {
		edited := map[*content.Article]bool{}
		for range 1 + r.IntN(3) {
			a := s.Articles[r.IntN(len(s.Articles))]
			edited[a] = true
			switch r.IntN(5) {
			case 0:
				a.Tags = append(slices.Clip(a.Tags), content.MakeTag(tagNames[r.IntN(len(tagNames))]))
			case 1:
				a.Tags = []content.Tag{content.MakeTag(fmt.Sprint("Own ", round))}
			case 2:
				a.Date = time.Date(2024, 1, 1+r.IntN(12), r.IntN(24), 0, 0, 0, time.UTC)
			case 3: // another article's URL
				o := s.Articles[r.IntN(len(s.Articles))]
				a.Slug, a.Date = o.Slug, o.Date.Add(time.Minute)
			case 4:
				a.Slug = fmt.Sprint("own-", round)
			}
		}
		if round%4 == 3 {
			edited = nil // any article may have changed
		}
		copies := copyArticles(arts) // before either renames slugs in place
		s = NewLike(config.Default(), slices.Clone(s.Articles), s, edited)
		want := New(config.Default(), copies)
		if got, w := describeTags(s)+describeRelated(s)+describeURLs(s), describeTags(want)+describeRelated(want)+describeURLs(want); got != w {
			t.Fatalf("round %d: NewLike gives\n%s\nNew gives\n%s", round, got, w)
		}
	}
}

// copyArticles returns copies of arts, their tags copied too, for a site
// that shares nothing with one of arts.
func copyArticles(arts []*content.Article) []*content.Article {
	copies := make([]*content.Article, len(arts))
	for i, a := range arts {
		c := *a
		c.Tags = slices.Clone(a.Tags)
		copies[i] = &c
	}
	return copies
}

// describeURLs lists every article of s by source, in order, with its
// URL, and then the site's notes.
func describeURLs(s *Site) string {
	var b strings.Builder
	for _, a := range s.Articles {
		b.WriteString(a.Source + " " + a.URLPath() + "\n")
	}
	return b.String() + strings.Join(s.Notes, "\n")
}

// describeRelated lists every article of s by source, in order, with its
// related stories.
func describeRelated(s *Site) string {
	var b strings.Builder
	for _, a := range s.Articles {
		b.WriteString(a.Source + ":")
		for _, r := range s.Related(a) {
			b.WriteString(" " + r.Source)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// tagNames are the tags of taggedArchive, three of them one tag spelled
// three ways.
var tagNames = []string{"Iraq", "iraq", "IRAQ", "Economy", "Sport", "Climate", "Health", "Ports"}

// taggedArchive makes 80 articles over nine days with up to two random
// tags of tagNames each.
func taggedArchive(r *rand.Rand) []*content.Article {
	var arts []*content.Article
	for i := range 80 {
		a := &content.Article{Title: fmt.Sprint("Story ", i), Slug: fmt.Sprint("story-", i), Source: fmt.Sprintf("s%02d.md", i),
			Date: time.Date(2024, 1, 1+i%9, 0, 0, 0, 0, time.UTC)}
		for range r.IntN(3) {
			a.Tags = append(a.Tags, content.MakeTag(tagNames[r.IntN(len(tagNames))]))
		}
		arts = append(arts, a)
	}
	return arts
}

func describeTags(s *Site) string {
	var b strings.Builder
	for _, t := range s.Tags {
		fmt.Fprintf(&b, "%s %q:", t.Slug, t.Name)
		for _, a := range t.Articles {
			b.WriteString(" " + a.Source)
		}
		if s.Tag(t.Slug) != t {
			b.WriteString(" (not found by its slug)")
		}
		b.WriteString("\n")
	}
	return b.String()
}
