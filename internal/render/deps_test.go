package render

import (
	"testing"
	"testing/fstest"

	sitegen "github.com/sitegen/sitegen"
	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/i18n"
)

func TestDeps(t *testing.T) {
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
		{`{{define "main"}}{{with .Period}}{{.Prev.Start}}{{end}}{{end}}`, DepsPagePeriod},
		{`{{define "main"}}{{range .Site.Years}}{{.Start}}{{end}}{{end}}`, DepsPeriods},
		{`{{define "main"}}{{(.Site).Tags}}{{end}}`, DepsAll},
		{`{{define "main"}}{{with .Older}}{{.Body}}{{end}}{{end}}`, DepsBodies},
		{`{{define "main"}}{{.Site.Neighbours .Article}}{{end}}`, DepsAll},
		{`{{define "main"}}{{.Site.Notes}}{{end}}`, DepsNotes},
		{`{{define "main"}}{{range .Related}}{{.Title}}{{end}}{{end}}`, DepsRelated},
		{`{{define "main"}}{{with timeline .}}{{.Title}}{{end}}{{end}}`, DepsPagePeriod},
	} {
		r := depsRenderer(t, tc.list)
		if got := r.Deps("list.html"); got != tc.want {
			t.Errorf("%s: Deps = %b, want %b", tc.list, got, tc.want)
		}
	}
}

// TestPageDeps checks that what a template reads only under a test that
// the page is a home page counts on home pages alone, and that anything
// else still counts on every page.
func TestPageDeps(t *testing.T) {
	count := `{{len .Site.Articles}}`
	for _, tc := range []struct {
		list        string
		other, home SiteDeps
	}{
		{`{{define "main"}}{{if .Chrome.Home}}` + count + `{{end}}{{end}}`, 0, DepsArticleCount},
		{`{{define "main"}}{{with .Chrome}}{{if .Home}}` + count + `{{end}}{{end}}{{end}}`, 0, DepsArticleCount},
		{`{{define "main"}}{{if eq .Kind "home"}}{{.Site.Tags}}{{else}}{{.Site.Notes}}{{end}}{{end}}`, DepsNotes, DepsNotes | DepsTags},
		{`{{define "main"}}{{if .Article}}{{.Title}}{{else if eq .Kind "home"}}` + count + `{{end}}{{end}}`, 0, DepsArticleCount},
		{`{{define "main"}}{{if .Chrome.Home}}{{range .List}}{{if .Title}}{{.Site.Notes}}{{end}}{{end}}{{end}}{{end}}`, 0, DepsNotes},
		// Not tests of a home page, or not only: every page.
		{`{{define "main"}}{{if not .Chrome.Home}}` + count + `{{end}}{{end}}`, DepsArticleCount, DepsArticleCount},
		{`{{define "main"}}{{if eq .Kind "tag"}}` + count + `{{end}}{{end}}`, DepsArticleCount, DepsArticleCount},
		{`{{define "main"}}{{if .Tag}}` + count + `{{end}}{{end}}`, DepsArticleCount, DepsArticleCount},
		{`{{define "main"}}{{if eq .Title "home"}}` + count + `{{end}}{{end}}`, DepsArticleCount, DepsArticleCount},
		{`{{define "main"}}{{if or .Chrome.Home .Tag}}` + count + `{{end}}{{end}}`, DepsArticleCount, DepsArticleCount},
		{`{{define "main"}}{{if $h := .Chrome.Home}}` + count + `{{end}}{{end}}`, DepsArticleCount, DepsArticleCount},
		{`{{define "main"}}{{if .Chrome.Home}}{{.Title}}{{else}}` + count + `{{end}}{{end}}`, DepsArticleCount, DepsArticleCount},
		{`{{define "main"}}{{if .Chrome.Home}}{{template "part" .}}{{end}}{{end}}{{define "part"}}` + count + `{{end}}`, DepsArticleCount, DepsArticleCount},
		{`{{define "main"}}{{if .Chrome.Home}}{{end}}` + count + `{{end}}`, DepsArticleCount, DepsArticleCount},
	} {
		r := depsRenderer(t, tc.list)
		for _, c := range []struct {
			kind string
			want SiteDeps
		}{{KindHome, tc.home}, {KindTag, tc.other}, {KindYear, tc.other}} {
			p := &Page{Kind: c.kind, template: "list.html"}
			if got := r.PageDeps(p); got != c.want {
				t.Errorf("%s: PageDeps(%s page) = %b, want %b", tc.list, c.kind, got, c.want)
			}
		}
		if got := r.Deps("list.html"); got != tc.home|tc.other {
			t.Errorf("%s: Deps = %b, want %b", tc.list, got, tc.home|tc.other)
		}
	}
}

// depsRenderer returns a Renderer whose list.html is list and whose other
// page templates read nothing of the site but an article's body.
func depsRenderer(t *testing.T, list string) *Renderer {
	t.Helper()
	r, err := templatesRenderer(map[string]string{
		"base.html":    `<title>{{.Site.Config.Title}}</title>{{template "main" .}}`,
		"article.html": `{{define "main"}}{{.Article.Body}}{{end}}`,
		"list.html":    list,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// templatesRenderer returns a Renderer of the given page templates, the
// others drawing nothing.
func templatesRenderer(templates map[string]string) (*Renderer, error) {
	fsys := fstest.MapFS{
		"base.html":    {Data: []byte(`{{template "main" .}}`)},
		"article.html": {Data: []byte(`{{define "main"}}{{end}}`)},
		"tags.html":    {Data: []byte(`{{define "main"}}{{end}}`)},
		"alias.html":   {Data: []byte(`{{.Article.URLPath}}`)},
		"search.html":  {Data: []byte(`{{define "main"}}{{end}}`)},
		"404.html":     {Data: []byte(`{{define "main"}}{{end}}`)},
		"list.html":    {Data: []byte(`{{define "main"}}{{end}}`)},
	}
	for name, text := range templates {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	lang, err := i18n.Load("en", sitegen.DefaultI18n(), nil)
	if err != nil {
		return nil, err
	}
	return New(config.Default(), Theme{Templates: fsys, Lang: lang})
}

// defaultRenderer returns a Renderer of the default theme.
func defaultRenderer(t testing.TB) *Renderer {
	t.Helper()
	lang, err := i18n.Load("en", sitegen.DefaultI18n(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(config.Default(), Theme{Templates: sitegen.DefaultTemplates(), Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
