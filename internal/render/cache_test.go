package render

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/site"
)

func TestHoldsNoPointer(t *testing.T) {
	for _, c := range []struct {
		v    any
		want bool
	}{
		{"text", true},
		{3, true},
		{[2]float64{}, true},
		{content.Tag{}, true},
		{struct {
			A [3]string
			B struct{ C bool }
		}{}, true},
		{&content.Article{}, false},
		{time.Time{}, false}, // its *Location
		{Chrome{}, false},
		{struct{ A any }{}, false},
		{[1]*site.Period{}, false},
		{struct{ F func() }{}, false},
	} {
		if got := holdsNoPointer(reflect.TypeOf(c.v)); got != c.want {
			t.Errorf("holdsNoPointer(%T) = %v, want %v", c.v, got, c.want)
		}
	}
}

// TestKeepFragments: fragments of articles named by an ID, and of values
// without pointers, outlive KeepFragments, as long as live says the ID is
// still the site's; fragments of other pointers, and of articles the ID
// function does not know, are drawn again. Each article here is changed in
// place behind the cache's back, so a kept fragment shows its old title.
func TestKeepFragments(t *testing.T) {
	r, err := templatesRenderer(map[string]string{"list.html": `{{define "main"}}
{{- range .List}}{{cache "entry" .}}{{end}}|{{cache "tags" .Tag}}|{{cache "tag" .Tag.Tag}}{{end}}
{{define "entry"}}[{{.Title}}]{{end}}
{{define "tags"}}{{.Name}}{{end}}
{{define "tag"}}{{.Name}}{{end}}`})
	if err != nil {
		t.Fatal(err)
	}
	named, other := &content.Article{Title: "Named"}, &content.Article{Title: "Other"}
	tag := &site.Tag{Tag: content.Tag{Name: "Iraq", Slug: "iraq"}}
	p := &Page{Kind: KindTag, List: []*content.Article{named, other}, Tag: tag, template: "list.html"}
	ids := map[*content.Article]ArticleID{named: {1}}
	r.IdentifyArticles(func(a *content.Article) (ArticleID, bool) { id, ok := ids[a]; return id, ok })
	draw := func() string {
		t.Helper()
		var b strings.Builder
		if err := r.Render(&b, p); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got, want := draw(), "[Named][Other]|Iraq|Iraq"; got != want {
		t.Fatalf("first drawing: %q, want %q", got, want)
	}
	named.Title, other.Title, tag.Name = "Named, changed", "Other, changed", "Iraq, changed"
	r.KeepFragments(func(id ArticleID) bool { return id == ArticleID{1} })
	if got, want := draw(), "[Named][Other, changed]|Iraq, changed|Iraq, changed"; got != want {
		t.Errorf("after KeepFragments: %q, want %q (the named article and the tag value kept)", got, want)
	}
	oldTag := fragmentKey{set: r.sets["list.html"], name: "tag", arg: content.Tag{Name: "Iraq", Slug: "iraq"}}
	if r.fragments.durable[oldTag] != "Iraq" {
		t.Errorf("the fragment of the tag value before the change was not kept")
	}
	named.Title = "Named, changed again"
	r.KeepFragments(func(ArticleID) bool { return false })
	if got, want := draw(), "[Named, changed again][Other, changed]|Iraq, changed|Iraq, changed"; got != want {
		t.Errorf("after KeepFragments with the ID gone: %q, want %q", got, want)
	}
	ids[named] = ArticleID{2}
	named.Title = "Named, under a new ID"
	r.KeepFragments(nil)
	if got, want := draw(), "[Named, under a new ID][Other, changed]|Iraq, changed|Iraq, changed"; got != want {
		t.Errorf("after a new ID: %q, want %q", got, want)
	}
	r.ResetCache()
	tag.Name = "Iraq, reset"
	if got, want := draw(), "[Named, under a new ID][Other, changed]|Iraq, reset|Iraq, reset"; got != want {
		t.Errorf("after ResetCache: %q, want %q", got, want)
	}
}
