package render

import (
	"testing"
	"testing/fstest"

	sitegen "github.com/sitegen/sitegen"
	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/i18n"
)

func TestDeps(t *testing.T) {
	base := `<title>{{.Site.Config.Title}}</title>{{template "main" .}}`
	for _, tc := range []struct {
		list string
		want SiteDeps
	}{
		{`{{define "main"}}{{range .List}}{{.Title}}{{end}}{{end}}`, 0},
		{`{{define "main"}}{{len .Site.Articles}}{{end}}`, DepsArticleCount},
		{`{{define "main"}}{{range .Site.Articles}}{{.Title}}{{end}}{{end}}`, DepsAll},
		{`{{define "main"}}{{with .Site}}{{.Title}}{{end}}{{end}}`, DepsAll},
		{`{{define "main"}}{{$s := .Site}}{{len $s.Articles}}{{end}}`, DepsAll},
		{`{{define "main"}}{{range .Site.Tags}}{{.Name}} {{len .Articles}}{{end}}{{end}}`, DepsTags},
		{`{{define "main"}}{{range .Site.Tags}}{{range .Articles}}{{.Title}}{{end}}{{end}}{{end}}`, DepsTags | DepsAll},
		{`{{define "main"}}{{with .Period}}{{.Prev.Start}}{{end}}{{end}}`, DepsPeriods},
		{`{{define "main"}}{{(.Site).Tags}}{{end}}`, DepsAll},
		{`{{define "main"}}{{with .Older}}{{.Body}}{{end}}{{end}}`, DepsBodies},
		{`{{define "main"}}{{.Site.Neighbours .Article}}{{end}}`, DepsAll},
		{`{{define "main"}}{{.Site.Notes}}{{end}}`, DepsNotes},
		{`{{define "main"}}{{range .Related}}{{.Title}}{{end}}{{end}}`, DepsRelated},
		{`{{define "main"}}{{with timeline .}}{{.Title}}{{end}}{{end}}`, DepsPeriods},
	} {
		fsys := fstest.MapFS{
			"base.html":    {Data: []byte(base)},
			"article.html": {Data: []byte(`{{define "main"}}{{.Article.Body}}{{end}}`)},
			"tags.html":    {Data: []byte(`{{define "main"}}{{end}}`)},
			"alias.html":   {Data: []byte(`{{.Article.URLPath}}`)},
			"search.html":  {Data: []byte(`{{define "main"}}{{end}}`)},
			"404.html":     {Data: []byte(`{{define "main"}}{{end}}`)},
			"list.html":    {Data: []byte(tc.list)},
		}
		lang, err := i18n.Load("en", sitegen.DefaultI18n(), nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(config.Default(), Theme{Templates: fsys, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Deps("list.html"); got != tc.want {
			t.Errorf("%s: Deps = %b, want %b", tc.list, got, tc.want)
		}
	}
}
