package build

import (
	"context"
	"slices"
	"testing"

	"github.com/sitegen/sitegen/internal/content"
)

// The indexes of pages by the bodies and by the other fields they show
// give, for any set of articles, exactly the pages a walk over every page
// with showsBodyOf and showsAnyOf finds.
func TestPagesOfMatchWalk(t *testing.T) {
	for _, theme := range []string{"", "all"} {
		root := writeTestSite(t, 13)
		if theme == "all" { // a list template that reads every article
			writeSiteFile(t, root, "templates/list.html", `{{define "main"}}{{range .Site.Articles}}{{.Title}}{{end}}{{end}}`)
		}
		b, err := NewBuilder(context.Background(), root)
		if err != nil {
			t.Fatal(err)
		}
		arts := b.site.Articles
		for _, set := range [][]*content.Article{{arts[0]}, {arts[5]}, {arts[len(arts)-1]}, {arts[2], arts[9]}} {
			changed := map[*content.Article]bool{}
			for _, a := range set {
				changed[a] = true
			}
			kr := b.newKeyer()
			var want []string
			for f, p := range b.pages {
				if kr.showsBodyOf(p, changed) {
					want = append(want, f)
				}
			}
			got := b.bodyPagesOf(changed)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) || len(got) == 0 {
				t.Errorf("theme %q, %d articles: bodyPagesOf = %v, want %v", theme, len(set), got, want)
			}
			// The pages that show the articles' other fields, through the
			// index and through a walk: the preview's and the build's ways.
			want = want[:0]
			for f, p := range b.pages {
				if b.showsAnyOf(p, changed) {
					want = append(want, f)
				}
			}
			got = b.addShownPagesOf(nil, changed)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) || len(got) <= len(set) {
				t.Errorf("theme %q, %d articles: addShownPagesOf = %v, want %v", theme, len(set), got, want)
			}
		}
		if (theme == "all") != (len(b.bodyPages.all) > 0) {
			t.Errorf("theme %q: %d pages read every article", theme, len(b.bodyPages.all))
		}
	}
}
