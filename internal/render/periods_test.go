package render

import (
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"testing"

	sitegen "github.com/sitegen/sitegen"
	"github.com/sitegen/sitegen/internal/site"
)

// TestPeriodReads checks which periods the analysis finds a list template
// reads from a date page's own, and that it gives up (ok false) where it
// cannot follow them.
func TestPeriodReads(t *testing.T) {
	type reads = []PeriodRead
	for _, tc := range []struct {
		list string
		want reads // nil: the analysis gives up
	}{
		{`{{define "main"}}{{.Title}}{{end}}`, reads{}},
		{`{{define "main"}}{{len .Period.Articles}}{{end}}`, reads{{"", true}}},
		{`{{define "main"}}{{with .Period}}{{with .Prev}}{{with .Prev}}{{len .Articles}}{{end}}{{end}}{{end}}{{end}}`,
			reads{{"", false}, {"p", false}, {"pp", true}}},
		{`{{define "main"}}{{range .Period.Children}}{{template "x" .}}{{end}}{{end}}{{define "x"}}{{.Next.URLPath}}{{end}}`,
			reads{{"", false}, {"c", false}, {"cn", false}}},
		{`{{define "main"}}{{$p := .Period}}{{$p.Parent.Start}}{{end}}`, reads{{"", false}, {"u", false}}},
		{`{{define "main"}}{{range $i, $c := .Period.Children}}{{$i}} {{len $c.Articles}}{{end}}{{end}}`, reads{{"", false}, {"c", true}}},
		{`{{define "main"}}{{cache "x" .Period.Parent}}{{end}}{{define "x"}}{{with .}}{{.Parent.Kind}}{{end}}{{end}}`,
			reads{{"", false}, {"u", false}, {"uu", false}}},
		{`{{define "main"}}{{with timeline .}}{{.Title}}{{end}}{{end}}`, reads{{"", false}, {"c", true}}},
		{`{{define "main"}}{{with .Period}}{{$.Period.Next.Start}}{{end}}{{end}}`, reads{{"", false}, {"n", false}}},
		{`{{define "main"}}{{if or .Period.Prev .Period.Next}}x{{end}}{{end}}`, reads{{"", false}, {"n", false}, {"p", false}}},
		{`{{define "main"}}{{with index .Period.Children 0}}{{len .Articles}}{{end}}{{end}}`, reads{{"", false}, {"c", true}}},
		{`{{define "main"}}{{range .List}}{{.URLPath}} {{.Title}}{{end}}{{with .Pager}}{{.Prev}}{{end}}{{end}}`, reads{}},
		// The site's years, from the page, its chrome or its feeds.
		{`{{define "main"}}{{range .Site.Years}}{{.Start}}{{end}}{{end}}`, reads{{"Y", false}}},
		{`{{define "main"}}{{len .Site.Years}}{{end}}`, reads{{"Y", false}}},
		{`{{define "main"}}{{cache "x" .Chrome}}{{end}}{{define "x"}}{{range .Site.Years}}{{len .Articles}}{{end}}{{end}}`,
			reads{{"Y", true}}},
		{`{{define "main"}}{{range .FeedSet.Site.Years}}{{range .Children}}{{.URLPath}}{{end}}{{end}}{{end}}`,
			reads{{"Y", false}, {"Yc", false}}},
		{`{{define "main"}}{{(index $.Site.Years 0).Next.Start}}{{.Period.Start}}{{end}}`,
			reads{{"", false}, {"Y", false}, {"Yn", false}}},
		{`{{define "main"}}{{.Site.Config.Title}} {{len .Site.Tags}} {{.Chrome.Home}}{{end}}`, reads{}},
		// What the analysis cannot follow.
		{`{{define "main"}}{{.Period}}{{end}}`, nil},
		{`{{define "main"}}{{with or .Period.Prev .Period.Next}}{{.Start}}{{end}}{{end}}`, nil},
		{`{{define "main"}}{{printf "%v" .Period.Prev}}{{end}}`, nil},
		{`{{define "main"}}{{template "up" .Period}}{{end}}{{define "up"}}{{with .Parent}}{{template "up" .}}{{end}}{{end}}`, nil},
		{`{{define "main"}}{{$p := .Period}}{{if .Title}}{{$p = .Period.Prev}}{{end}}{{$p.Start}}{{end}}`, nil},
		{`{{define "main"}}{{with .Period}}{{.Unknown}}{{end}}{{end}}`, nil},
		{`{{define "main"}}{{range .Period.Articles}}{{.Title}}{{end}}{{end}}`, nil},
		{`{{define "main"}}{{printf "%v" .Chrome.Site}}{{end}}`, nil},
		{`{{define "main"}}{{.FeedSet}}{{end}}`, nil},
		{`{{define "main"}}{{range .Site.Years}}{{.Articles}}{{end}}{{end}}`, nil},
		{`{{define "main"}}{{$x := .}}{{template "x" $x}}{{end}}{{define "x"}}{{.Period.Children}}{{end}}`, nil},
	} {
		got, ok := depsRenderer(t, tc.list).PeriodReads("list.html")
		if tc.want == nil {
			if ok {
				t.Errorf("%s: reads %v, want the analysis to give up", tc.list, got)
			}
			continue
		}
		if !ok || !slices.Equal(got, tc.want) && len(got)+len(tc.want) > 0 {
			t.Errorf("%s: reads %v (ok %v), want %v", tc.list, got, ok, tc.want)
		}
	}
}

// TestDefaultThemePeriodReads: the default theme's date pages read their
// own period's count, its children's counts (sub-period lists, the
// timeline), their neighbours, parent and grandparent (breadcrumbs); its
// home pages, the years (the years' links).
func TestDefaultThemePeriodReads(t *testing.T) {
	got, ok := defaultRenderer(t).PeriodReads("list.html")
	want := []PeriodRead{{"", true}, {"Y", false}, {"c", true}, {"n", false}, {"p", false}, {"u", false}, {"uu", false}}
	if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("list.html reads %v (ok %v), want %v", got, ok, want)
	}
}

// FuzzTemplateAnalysis runs the analyses of what page templates read
// (Deps, PageDeps, PeriodReads, Bodies) on arbitrary list templates: a
// site's own templates must never make them panic.
func FuzzTemplateAnalysis(f *testing.F) {
	list, err := fs.ReadFile(sitegen.DefaultTemplates(), "list.html")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(list))
	for _, s := range []string{
		`{{define "main"}}{{cache}}{{cache "x"}}{{. | cache "x"}}{{end}}`,
		`{{define "main"}}{{with .Period}}{{range $i, $c := .Children}}{{template "main" $c}}{{end}}{{end}}{{end}}`,
		`{{define "main"}}{{$x := .Period}}{{$x = $x.Prev}}{{if eq .Kind "home"}}{{len .Site.Articles}}{{end}}{{end}}`,
		`{{define "main"}}{{(index .Period.Children 0).Parent.Next}}{{timeline}}{{timeline . .}}{{end}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		r, err := templatesRenderer(map[string]string{"list.html": list})
		if err != nil {
			return // a template that does not parse: New reports it
		}
		r.Deps("list.html")
		r.Bodies("list.html")
		r.PeriodReads("list.html")
		for _, kind := range []string{KindHome, KindYear, KindTag} {
			r.PageDeps(&Page{Kind: kind, template: "list.html"})
		}
	})
}

// TestSiteHolders checks what the period analysis assumes of the values a
// page template reaches: from the page, by fields and by methods, the only
// ones that hold the site, from whose Years periods can be reached, are
// the page itself, its Chrome and its FeedSet (and periods hold only
// periods and articles). A type added with a *site.Site field must be
// followed by periodWalk.fields too.
func TestSiteHolders(t *testing.T) {
	siteType := reflect.TypeFor[*site.Site]()
	periodType := reflect.TypeFor[*site.Period]()
	holders := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		if seen[ty] || ty == siteType || ty == periodType {
			return
		}
		seen[ty] = true
		for m := range ty.Methods() {
			for i := range m.Type.NumOut() {
				walk(m.Type.Out(i))
			}
		}
		switch ty.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			walk(ty.Elem())
		case reflect.Struct:
			for f := range ty.Fields() {
				if !f.IsExported() {
					continue
				}
				if f.Type == siteType {
					holders[ty.Name()+"."+f.Name] = true
				}
				walk(f.Type)
			}
		}
	}
	walk(reflect.TypeFor[*Page]())
	want := []string{"Chrome.Site", "FeedSet.Site", "Page.Site"}
	if got := slices.Sorted(maps.Keys(holders)); !slices.Equal(got, want) {
		t.Errorf("the site is held by %v, want %v", got, want)
	}
}
