package content

import (
	"context"
	"io/fs"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoaderTree(t *testing.T) {
	md := func(title string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("---\ntitle: " + title + "\ndate: 2024-05-01\n---\nBody.\n")}
	}
	fsys := fstest.MapFS{
		"a.md":                              md("A"),
		"deep/er/b.markdown":                md("B"),
		"_index.md":                         md("section metadata"),
		"deep/_drafts/c.md":                 md("in a skipped folder"),
		".git/config":                       {Data: []byte("[core]")},
		"deep/.b.md.swp":                    {Data: []byte{0, 1, 2}},
		"wire/2005-03-14-budget.txt":        {Data: []byte("Budget passes\n\nThe budget passed.\n")},
		"wire/2005/03/15/vote.txt":          {Data: []byte("Vote held\n\nThe vote was held.\n")},
		"wire/2005/03/15/dated-in-file.txt": {Data: []byte(" date 2005-03-16 Headline here\n\nText.\n")},
		"photo.png":                         {Data: []byte("png")},
		"empty.txt":                         {Data: []byte("\n\n")},
		"binary.txt":                        {Data: []byte(" date 2005-01-01 x\n\x00\x01")},
		"bom.md":                            {Data: []byte("\uFEFF---\ntitle: BOM\ndate: 2024-05-02\n---\nText.\n")},
	}
	l := &Loader{FS: fsys, Location: time.UTC}
	arts, probs, err := l.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range arts {
		got[a.Source] = a.URLPath() + " " + a.Section
	}
	want := map[string]string{
		"a.md":                              "/2024/05/01/a/ ",
		"deep/er/b.markdown":                "/2024/05/01/b/ deep/er",
		"wire/2005-03-14-budget.txt":        "/2005/03/14/budget-passes/ wire",
		"wire/2005/03/15/vote.txt":          "/2005/03/15/vote-held/ wire",
		"wire/2005/03/15/dated-in-file.txt": "/2005/03/16/headline-here/ wire",
		"bom.md":                            "/2024/05/02/bom/ ",
	}
	for src, w := range want {
		if got[src] != w {
			t.Errorf("%s: got %q, want %q", src, got[src], w)
		}
	}
	if len(arts) != len(want) {
		t.Errorf("loaded %d articles, want %d: %v", len(arts), len(want), got)
	}
	var msgs []string
	for _, p := range probs {
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, w := range []string{
		"binary.txt:2: binary data",
		"empty.txt: empty file",
		"photo.png: not an article",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q:\n%s", w, all)
		}
	}
	if len(probs) != 3 {
		t.Errorf("%d problems, want 3:\n%s", len(probs), all)
	}
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := &Loader{FS: fstest.MapFS{"a.md": {Data: []byte("x")}}}
	if _, _, err := l.Load(ctx); err == nil {
		t.Error("Load ignored a cancelled context")
	}
}

// Load tells Walked how many article files the walk found before it opens
// any of them, and Loaded once for each it has read.
func TestLoadTellsWalked(t *testing.T) {
	md := &fstest.MapFile{Data: []byte("---\ntitle: T\ndate: 2024-05-01\n---\nBody.\n")}
	fsys := &openCounter{FS: fstest.MapFS{
		"a.md": md, "b/c.md": md, "b/2005/03/15/e.txt": {Data: []byte("Vote held\n\nThe vote was held.\n")},
		"photo.png": {Data: []byte("png")}, "_index.md": md,
	}}
	told := -1
	var loaded atomic.Int32
	l := &Loader{FS: fsys, Loaded: func() { loaded.Add(1) }, Walked: func(n int) {
		if fsys.articles.Load() != 0 {
			t.Errorf("Walked called after %d article files were opened; want before any", fsys.articles.Load())
		}
		told = n
	}}
	arts, probs, err := l.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 { // photo.png
		t.Errorf("problems %v; want one, for photo.png", probs)
	}
	if told != 3 || len(arts) != 3 || loaded.Load() != 3 {
		t.Errorf("Walked told %d, Loaded was called %d times, Load loaded %d articles; want 3 each", told, loaded.Load(), len(arts))
	}
	if fsys.articles.Load() < 3 {
		t.Errorf("%d article files opened; the counter misses the loader's reads", fsys.articles.Load())
	}
}

// openCounter counts the article files opened through it.
type openCounter struct {
	fs.FS
	articles atomic.Int32
}

func (c *openCounter) Open(name string) (fs.File, error) {
	if IsArticleFile(name) {
		c.articles.Add(1)
	}
	return c.FS.Open(name)
}
