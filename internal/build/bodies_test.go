package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sitegen/sitegen/internal/content"
)

// TestSpilledBodiesMatchMemory builds sites whose templates show bodies
// in different ways to disk, where bodies wait in the spill file until a
// page needs them (withBodies), and checks every page against the same
// page drawn by a Builder, which keeps bodies in memory: whichever bodies
// a template shows, a page gets them all.
func TestSpilledBodiesMatchMemory(t *testing.T) {
	for _, tc := range []struct {
		name, file, main string
	}{
		{"default theme", "", ""},
		{"own body", "article.html", `{{with .Article}}<h1>{{.Title}}</h1>{{.Body}}{{end}}`},
		{"neighbours' bodies", "article.html",
			`{{.Article.Body}}{{with .Older}}<aside>{{.Body}}</aside>{{end}}{{with .Newer}}<aside>{{.Body}}</aside>{{end}}`},
		{"list bodies", "list.html", `{{range .List}}<article>{{.Body}}</article>{{end}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := writeTestSite(t, 12)
			if tc.file != "" {
				writeSiteFile(t, root, "templates/"+tc.file, `{{define "main"}}`+tc.main+`{{end}}`)
			}
			dest := filepath.Join(t.TempDir(), "public")
			if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
				t.Fatal(err)
			}
			matchMemory(t, root, dest)
		})
	}
}

// TestTemplateChangeSpillsBodies changes the templates of a built site, so
// that the build from its cache draws every page again and reads every
// article's body back from its source: the bodies go to the spill file as a
// cold build's do, not into memory, and the pages still get them all.
func TestTemplateChangeSpillsBodies(t *testing.T) {
	for _, tc := range []struct {
		name, file, main string
	}{
		{"own body", "article.html", `{{with .Article}}<h1>{{.Title}}</h1>{{.Body}}{{end}}`},
		{"neighbours' bodies", "article.html",
			`{{.Article.Body}}{{with .Older}}<aside>{{.Body}}</aside>{{end}}{{with .Newer}}<aside>{{.Body}}</aside>{{end}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := agedSite(t, 12)
			dest := filepath.Join(t.TempDir(), "public")
			if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
				t.Fatal(err)
			}
			writeSiteFile(t, root, "templates/"+tc.file, `{{define "main"}}`+tc.main+`{{end}}`)
			ageFiles(t, root)
			before := hydratedToSpill.Load()
			rep, err := Run(context.Background(), Options{Source: root, Dest: dest})
			if err != nil {
				t.Fatal(err)
			}
			if n := hydratedToSpill.Load() - before; n != int64(rep.Articles) {
				t.Errorf("%d bodies read back into the spill file, want all %d articles'", n, rep.Articles)
			}
			matchMemory(t, root, dest)
		})
	}
}

// matchMemory checks every page built in dest against the same page drawn
// by a Builder of root, which keeps bodies in memory, and that some page
// shows a body.
func matchMemory(t *testing.T, root, dest string) {
	t.Helper()
	b, err := NewBuilder(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	bodies := 0
	for file, want := range renderAll(t, b) {
		got, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs between the build and memory:\n%s\nwant\n%s", file, got, want)
		}
		bodies += strings.Count(string(got), "A second paragraph.")
	}
	if bodies == 0 {
		t.Error("no page shows a body")
	}
}

// TestCheckLoadsWithoutBodies loads the bundled sample archive, raw text
// and Markdown, as sitegen check does, the bodies dropped as they are
// parsed, and as a build does: nothing but the bodies may differ, neither
// the articles, normalized and indexed, nor what normalization reports.
func TestCheckLoadsWithoutBodies(t *testing.T) {
	full, err := load(context.Background(), repoRoot, nil)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := load(context.Background(), repoRoot, func(l *content.Loader) { l.DropBodies = true })
	if err != nil {
		t.Fatal(err)
	}
	if len(bare.Site.Articles) != len(full.Site.Articles) {
		t.Fatalf("%d articles without bodies, %d with", len(bare.Site.Articles), len(full.Site.Articles))
	}
	bodies := 0
	for i, a := range full.Site.Articles {
		b := bare.Site.Articles[i]
		if b.Body != "" {
			t.Errorf("%s: body kept", b.Source)
		}
		if a.Body != "" {
			bodies++
		}
		c := *a
		c.Body = ""
		if !reflect.DeepEqual(&c, b) {
			t.Errorf("%s differs but for its body:\n%+v\nwant\n%+v", a.Source, b, &c)
		}
	}
	if bodies == 0 {
		t.Error("the sample's articles have no bodies")
	}
	if !reflect.DeepEqual(bare.Findings, full.Findings) || bare.Duplicates != full.Duplicates ||
		!reflect.DeepEqual(bare.Problems, full.Problems) || !reflect.DeepEqual(bare.Site.Notes, full.Site.Notes) {
		t.Errorf("what normalization reports differs without bodies")
	}
	if len(full.Findings) == 0 {
		t.Error("the sample gives no findings to compare")
	}
}
