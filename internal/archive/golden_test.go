package archive

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/topics"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/golden/*.txtar")

// TestGolden normalizes each archive in testdata/golden/*.txtar: the files
// under "content/" (real DW and BBC articles, some altered as the comment
// says) and an optional "tags.yaml". It compares what the archive's
// articles became, field by field, with the file "want", and the problems
// and findings (what was removed, and why) with "findings". Run with
// -update to rewrite both on purpose.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden archives: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			var in []txtar.File
			for _, f := range ar.Files {
				if f.Name == "want" || f.Name == "findings" {
					continue
				}
				in = append(in, f)
				fsys[f.Name] = &fstest.MapFile{Data: f.Data}
			}
			want, findings := normalizeArchive(t, fsys)
			if *update {
				ar.Files = append(in, txtar.File{Name: "want", Data: want}, txtar.File{Name: "findings", Data: findings})
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, f := range ar.Files {
				var got []byte
				switch f.Name {
				case "want":
					got = want
				case "findings":
					got = findings
				default:
					continue
				}
				if !bytes.Equal(got, f.Data) {
					t.Errorf("%s differs (run go test -update to accept)\n--- got:\n%s\n--- want:\n%s", f.Name, got, f.Data)
				}
			}
		})
	}
}

// normalizeArchive loads fsys's content/ as the build does and dumps the
// result.
func normalizeArchive(t *testing.T, fsys fstest.MapFS) (want, findings []byte) {
	t.Helper()
	rules, err := topics.LoadRules(fsys)
	if err != nil {
		t.Fatal(err)
	}
	sub := fstest.MapFS{}
	for name, f := range fsys {
		if rest, ok := strings.CutPrefix(name, "content/"); ok {
			sub[rest] = f
		}
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	l := &content.Loader{FS: sub, Location: berlin}
	arts, probs, err := l.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Normalize(context.Background(), arts, rules)
	if err != nil {
		t.Fatal(err)
	}
	var w, f bytes.Buffer
	for _, a := range res.Articles {
		dumpArticle(&w, a)
	}
	for _, p := range probs {
		fmt.Fprintf(&f, "problem: %s\n", p)
	}
	var all []*content.Article
	all = append(all, res.Articles...)
	for _, d := range res.Duplicates {
		all = append(all, d.Article)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Source < all[j].Source })
	for _, a := range all {
		for _, x := range a.Findings {
			fmt.Fprintf(&f, "%s\n", x)
		}
	}
	for _, d := range res.Duplicates {
		fmt.Fprintf(&f, "%s: duplicate of %s (%s)\n", d.Article.Source, d.Of.Source, d.Reason)
	}
	return w.Bytes(), f.Bytes()
}

func dumpArticle(w *bytes.Buffer, a *content.Article) {
	fmt.Fprintf(w, "== %s\n", a.Source)
	fmt.Fprintf(w, "url: %s\ntitle: %s\ndate: %s\n", a.URLPath(), a.Title, a.Date.Format(time.RFC3339))
	field := func(name string, v string) {
		if v != "" {
			fmt.Fprintf(w, "%s: %s\n", name, v)
		}
	}
	var tags []string
	for _, t := range a.Tags {
		tags = append(tags, t.Name)
	}
	var related []string
	for _, r := range a.SeeAlso {
		related = append(related, r.URLPath())
	}
	aliases := append([]string(nil), a.Aliases...)
	sort.Strings(aliases)
	field("section", a.Section)
	field("tags", strings.Join(tags, " | "))
	field("agencies", strings.Join(a.Agencies, ", "))
	field("initials", a.Initials)
	field("editor", a.Editor)
	field("contributors", strings.Join(a.Contributors, ", "))
	field("translation", a.Translation)
	field("related", strings.Join(related, " "))
	field("aliases", strings.Join(aliases, " "))
	field("summary", a.Summary)
	fmt.Fprintf(w, "body:\n%s\n", a.Body)
}
