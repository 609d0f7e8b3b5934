package render

import (
	"bytes"
	"errors"
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

// fragmentsRenderer returns a renderer whose list pages draw each
// article's entry with {{cache "entry" .}}, knowing articles by ids.
func fragmentsRenderer(t testing.TB, ids map[*content.Article]ArticleID) *Renderer {
	t.Helper()
	r, err := templatesRenderer(map[string]string{"list.html": `{{define "main"}}{{range .List}}{{cache "entry" .}}{{end}}{{end}}
{{define "entry"}}[{{.Title}}]{{end}}`})
	if err != nil {
		t.Fatal(err)
	}
	r.IdentifyArticles(func(a *content.Article) (ArticleID, bool) { id, ok := ids[a]; return id, ok })
	return r
}

// TestSaveFragments: fragments written by one renderer and read by another
// with the same stamp are used as if drawn there (here the articles
// changed in place, so a fragment read back shows the old title); another
// stamp or damaged data adds nothing.
func TestSaveFragments(t *testing.T) {
	a, b, other := &content.Article{Title: "A"}, &content.Article{Title: "B <b>"}, &content.Article{Title: "Other"}
	ids := map[*content.Article]ArticleID{a: {1}, b: {2}}
	p := &Page{Kind: KindHome, List: []*content.Article{a, b, other}, template: "list.html"}
	draw := func(r *Renderer) string {
		t.Helper()
		var s strings.Builder
		if err := r.Render(&s, p); err != nil {
			t.Fatal(err)
		}
		return s.String()
	}
	first := fragmentsRenderer(t, ids)
	if got, want := draw(first), "[A][B &lt;b&gt;][Other]"; got != want {
		t.Fatalf("first drawing %q, want %q", got, want)
	}
	if held, drawn := first.ArticleFragments(); held != 2 || drawn != 2 {
		t.Errorf("ArticleFragments() = %d, %d, want 2, 2 (the article without an ID is not counted)", held, drawn)
	}
	var saved bytes.Buffer
	if err := first.WriteFragments(&saved, []byte("stamp")); err != nil {
		t.Fatal(err)
	}
	a.Title, b.Title, other.Title = "A2", "B2", "Other2"

	r := fragmentsRenderer(t, ids)
	if _, err := r.ReadFragments(saved.String(), []byte("another stamp")); !errors.Is(err, ErrFragmentsStamp) {
		t.Errorf("ReadFragments with another stamp: %v, want ErrFragmentsStamp", err)
	}
	data := saved.Bytes()
	for i := range data {
		damaged := bytes.Clone(data)
		damaged[i] ^= 0x20
		if n, err := r.ReadFragments(string(damaged), []byte("stamp")); err == nil {
			t.Fatalf("ReadFragments of data with byte %d changed: %d fragments, no error", i, n)
		}
	}
	for _, cut := range []int{0, 1, len(data) / 2, len(data) - 1} {
		if _, err := r.ReadFragments(string(data[:cut]), []byte("stamp")); err == nil {
			t.Errorf("ReadFragments of the first %d bytes: no error", cut)
		}
	}
	if got, want := draw(r), "[A2][B2][Other2]"; got != want {
		t.Fatalf("after failed reads: %q, want %q (nothing read)", got, want)
	}

	r = fragmentsRenderer(t, ids)
	if n, err := r.ReadFragments(string(data), []byte("stamp")); err != nil || n != 2 {
		t.Fatalf("ReadFragments = %d, %v, want 2, nil", n, err)
	}
	if got, want := draw(r), "[A][B &lt;b&gt;][Other2]"; got != want {
		t.Errorf("with fragments read back: %q, want %q", got, want)
	}
	if _, drawn := r.ArticleFragments(); drawn != 0 {
		t.Errorf("%d article fragments drawn, want 0: all were read", drawn)
	}
	var again bytes.Buffer
	if err := r.WriteFragments(&again, []byte("stamp")); err != nil || !bytes.Equal(again.Bytes(), data) {
		t.Errorf("fragments read back and written again differ from what was read (err %v)", err)
	}
}

// FuzzReadFragments: no input makes ReadFragments panic, and what it
// accepts, written again, reads back the same.
func FuzzReadFragments(f *testing.F) {
	a := &content.Article{Title: "A"}
	r := fragmentsRenderer(f, map[*content.Article]ArticleID{a: {1}})
	var s strings.Builder
	if err := r.Render(&s, &Page{Kind: KindHome, List: []*content.Article{a}, template: "list.html"}); err != nil {
		f.Fatal(err)
	}
	var saved bytes.Buffer
	if err := r.WriteFragments(&saved, []byte("s")); err != nil {
		f.Fatal(err)
	}
	f.Add(saved.Bytes())
	f.Add([]byte(fragmentsMagic))
	r, r2 := fragmentsRenderer(f, nil), fragmentsRenderer(f, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		r.ResetCache()
		r2.ResetCache()
		n, err := r.ReadFragments(string(data), []byte("s"))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := r.WriteFragments(&out, []byte("s")); err != nil {
			t.Fatal(err)
		}
		if n2, err := r2.ReadFragments(out.String(), []byte("s")); err != nil || n2 != n {
			t.Fatalf("read %d fragments, wrote them and read back %d (%v)", n, n2, err)
		}
	})
}
