package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sitegen/sitegen/internal/render"
)

// Two pages bound for one file stop the build with both named, instead of
// leaving whichever was written last.
func TestUniqueFiles(t *testing.T) {
	ok := []*render.Page{{Path: "/a/", Kind: render.KindArticle}, {Path: "/a.html", Kind: render.KindAlias}}
	if err := uniqueFiles(ok); err != nil {
		t.Errorf("distinct files refused: %v", err)
	}
	clash := []*render.Page{{Path: "/a/", Kind: render.KindArticle}, {Path: "/b/", Kind: render.KindTag}, {Path: "/a/index.html", Kind: render.KindAlias}}
	err := uniqueFiles(clash)
	if err == nil || !strings.Contains(err.Error(), "a/index.html") || !strings.Contains(err.Error(), "/a/ (article)") {
		t.Errorf("uniqueFiles = %v; want both pages named", err)
	}
}

// Aliases become redirect pages to the article, inside public/ only.
func TestAliasPages(t *testing.T) {
	root := t.TempDir()
	src := "---\ntitle: Moved story\ndate: 2024-05-01\naliases: [/news/2024/moved.html, /old/moved/, /etc/passwd]\n---\nBody.\n"
	if err := os.MkdirAll(filepath.Join(root, "content"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "content", "moved.md"), []byte(src), 0o644)
	dest := filepath.Join(root, "out", "public")
	if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"news/2024/moved.html", "old/moved/index.html", "etc/passwd/index.html"} {
		data, err := os.ReadFile(filepath.Join(dest, f))
		if err != nil {
			t.Errorf("alias page %s: %v", f, err)
			continue
		}
		if !strings.Contains(string(data), `content="0; url=/2024/05/01/moved-story/"`) || !strings.Contains(string(data), `rel="canonical"`) {
			t.Errorf("%s is not a redirect to the article:\n%s", f, data)
		}
	}
}

// A build killed while writing the build cache leaves a temporary file
// beside public/; the next build removes it.
func TestStaleCacheTempRemoved(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "content"), 0o755)
	os.WriteFile(filepath.Join(root, "content", "a.md"), []byte("---\ntitle: A\ndate: 2024-05-01\n---\nBody.\n"), 0o644)
	dest := filepath.Join(root, "out", "public")
	os.MkdirAll(filepath.Dir(dest), 0o755)
	stale := cachePath(dest) + ".tmp-123"
	os.WriteFile(stale, []byte("half a cache"), 0o644)
	if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale cache file is still there")
	}
}
