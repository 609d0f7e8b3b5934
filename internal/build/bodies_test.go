package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		})
	}
}
