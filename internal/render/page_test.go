package render

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

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

// Retagged gives, for a site whose articles' tags changed, the pages Pages
// gives, reusing every page but the tag index and tag pages.
func TestRetagged(t *testing.T) {
	lang, err := i18n.Load("en", sitegen.DefaultI18n(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Paginate = 2
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
