package render

import (
	"strings"
	"testing"
)

func TestBodies(t *testing.T) {
	for _, tc := range []struct {
		main, more string // the article template's "main", and other templates it calls
		want       BodyUse
	}{
		{`{{.Article.Title}}{{range .List}}{{.Title}}{{end}}`, "", BodiesNone},
		{`{{.Article.Body}}`, "", BodyOwn},
		{`{{with .Article}}<h1>{{.Title}}</h1>{{.Body}}{{end}}`, "", BodyOwn},
		{`{{$.Article.Body}}`, "", BodyOwn},
		{`{{with .Article}}{{$.Article.Body}}{{end}}`, "", BodyOwn},
		{`{{with .Article}}{{template "x" $}}{{end}}`, `{{define "x"}}{{.Article.Body}}{{end}}`, BodyOwn},
		{`{{template "x" .Article}}`, `{{define "x"}}{{.Body}}{{end}}`, BodyOwn},
		{`{{cache "x" .Article}}`, `{{define "x"}}{{.Body}}{{end}}`, BodyOwn},
		{`{{if .Article}}{{.Article.Body}}{{else}}none{{end}}`, "", BodyOwn},
		{`{{with .Older}}{{.Body}}{{end}}`, "", BodiesAny},
		{`{{.Newer.Body}}`, "", BodiesAny},
		{`{{with .Article}}{{.Body}}{{end}}{{with .Older}}{{.Body}}{{end}}`, "", BodiesAny},
		{`{{range .List}}{{.Body}}{{end}}`, "", BodiesAny},
		{`{{with .Article}}{{range .SeeAlso}}{{.Body}}{{end}}{{end}}`, "", BodiesAny},
		{`{{with .Article}}{{with .SeeAlso}}{{.Body}}{{end}}{{end}}`, "", BodiesAny},
		{`{{template "x" .Older}}`, `{{define "x"}}{{.Body}}{{end}}`, BodiesAny},
		{`{{template "x" .}}`, `{{define "x"}}{{.Older.Body}}{{end}}`, BodiesAny},
		{`{{cache "x" .Older}}`, `{{define "x"}}{{.Body}}{{end}}`, BodiesAny},
		{`{{cache (print "x") .Article}}`, `{{define "x"}}{{.Title}}{{end}}`, BodiesAny},
		{`{{$a := .Article}}{{$a.Body}}`, "", BodiesAny},
		{`{{with $a := .Article}}{{.Body}}{{end}}`, "", BodiesAny},
		{`{{(.Article).Body}}`, "", BodiesAny},
		{`{{with .Related}}{{(index . 0).Body}}{{end}}`, "", BodiesAny},
		{`{{range .Site.Articles}}{{.Body}}{{end}}`, "", BodiesAny},
		{`{{template "x" .}}`, `{{define "x"}}{{template "x" .}}{{end}}`, BodiesNone}, // recursion ends
	} {
		r, err := templatesRenderer(map[string]string{
			"base.html":    `<title>{{.Title}}</title>{{template "main" .}}`,
			"article.html": `{{define "main"}}` + tc.main + `{{end}}` + tc.more,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Bodies("article.html"); got != tc.want {
			t.Errorf("%s %s: Bodies = %d, want %d", tc.main, tc.more, got, tc.want)
		}
		if got := r.Bodies("list.html"); got != BodiesNone {
			t.Errorf("%s: list.html Bodies = %d, want none", tc.main, got)
		}
		if tc.want != BodiesNone && strings.Contains(tc.main+tc.more, "Body") && r.Deps("article.html")&DepsBodies == 0 {
			t.Errorf("%s: Bodies %d but Deps lacks DepsBodies", tc.main, tc.want)
		}
	}
}

// The default theme's article page shows its own story's body, and no
// other page shows a body.
func TestDefaultThemeBodies(t *testing.T) {
	r := defaultRenderer(t)
	for _, name := range pageTemplates {
		want := BodiesNone
		if name == "article.html" {
			want = BodyOwn
		}
		if got := r.Bodies(name); got != want {
			t.Errorf("%s: Bodies = %d, want %d", name, got, want)
		}
	}
}
