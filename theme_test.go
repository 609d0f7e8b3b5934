package sitegen_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/sitegen/sitegen/internal/build"
)

// sampleSite copies the bundled sample archive (content/ and sitegen.yaml at
// the repo root) into a temporary site, with the config keys given replaced
// and extra files added, and returns the site's folder.
func sampleSite(t testing.TB, config map[string]string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS("content")); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile("sitegen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(cfg), "\n")
	for i, l := range lines {
		key, _, _ := strings.Cut(l, ":")
		if v, ok := config[key]; ok {
			lines[i] = key + ": " + v
		}
	}
	extra["sitegen.yaml"] = strings.Join(lines, "\n")
	for name, data := range extra {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// buildSite builds the site at src and returns the output folder.
func buildSite(t testing.TB, src string) string {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := build.Run(context.Background(), build.Options{Source: src, Dest: dest}); err != nil {
		t.Fatalf("building %s: %v", src, err)
	}
	return dest
}

// page parses one built page.
func page(t testing.TB, public, path string) *html.Node {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(public, filepath.FromSlash(path), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

// find returns the elements named tag (any tag if "") that have every
// attribute in attrs ("" matches any value).
func find(n *html.Node, tag string, attrs ...string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type != html.ElementNode || tag != "" && d.Data != tag {
			continue
		}
		ok := true
		for i := 0; i+1 < len(attrs); i += 2 {
			v, has := attr(d, attrs[i])
			ok = ok && has && (attrs[i+1] == "" || v == attrs[i+1])
		}
		if ok {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data + " ")
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func one(t *testing.T, n *html.Node, what, tag string, attrs ...string) *html.Node {
	t.Helper()
	found := find(n, tag, attrs...)
	if len(found) != 1 {
		t.Fatalf("%s: found %d <%s %q>, want 1", what, len(found), tag, attrs)
	}
	return found[0]
}

// sampleDay is a day of the sample archive with one article (the US
// embassy in Baghdad).
const sampleDay = "/2019/12/30/"

// sampleArticle returns the path of the article of sampleDay; its slug is
// left to the normalizer.
func sampleArticle(t *testing.T, public string) string {
	t.Helper()
	list := one(t, page(t, public, sampleDay), sampleDay, "ol", "class", "articles")
	href, _ := attr(one(t, one(t, list, sampleDay, "h2"), sampleDay, "a"), "href") // the headline's link, not its tags'

	return href
}

func TestThemeEnglish(t *testing.T) {
	public := buildSite(t, sampleSite(t, nil, map[string]string{}))
	home := page(t, public, "/")
	h := one(t, home, "home", "html")
	if l, _ := attr(h, "lang"); l != "en" {
		t.Errorf("<html lang=%q>, want en", l)
	}
	if d, _ := attr(h, "dir"); d != "ltr" {
		t.Errorf("<html dir=%q>, want ltr", d)
	}

	// The stylesheet is linked under a content-hashed name whose file holds
	// the theme's CSS.
	css := one(t, home, "home", "link", "rel", "stylesheet")
	href, _ := attr(css, "href")
	if !regexp.MustCompile(`^/style\.[0-9a-f]{10}\.css$`).MatchString(href) {
		t.Errorf("stylesheet href %q has no content hash", href)
	}
	got, err := os.ReadFile(filepath.Join(public, href))
	want, _ := os.ReadFile("assets/style.css")
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s does not hold assets/style.css (%v)", href, err)
	}

	// Landmarks, skip link, numbered pager with rel=next.
	for _, tag := range []string{"header", "nav", "main", "footer"} {
		if len(find(home, tag)) == 0 {
			t.Errorf("home has no <%s>", tag)
		}
	}
	skip := one(t, home, "skip link", "a", "class", "skip")
	if target, _ := attr(skip, "href"); len(find(home, "", "id", strings.TrimPrefix(target, "#"))) != 1 {
		t.Errorf("skip link points to %q, which is not on the page", target)
	}
	pager := one(t, home, "pager", "nav", "class", "pager")
	if next := one(t, pager, "pager", "a", "rel", "next"); text(next) != "Next →" {
		t.Errorf("pager's rel=next reads %q", text(next))
	}
	if cur := one(t, pager, "pager", "a", "aria-current", "page"); text(cur) != "1" {
		t.Errorf("current page reads %q, want 1", text(cur))
	}
	if got := text(one(t, home, "footer", "footer")); !regexp.MustCompile(`· [1-9][0-9]* articles$`).MatchString(got) {
		t.Errorf("footer reads %q, want the article count", got)
	}

	samplePath := sampleArticle(t, public)
	art := page(t, public, samplePath)
	tm := one(t, one(t, art, "dateline", "p", "class", "dateline"), "dateline", "time", "datetime", "")
	if dt, _ := attr(tm, "datetime"); dt != "2019-12-30T00:00:00+01:00" || text(tm) != "30 December 2019" {
		t.Errorf("dateline <time datetime=%q>%s</time>", dt, text(tm))
	}
	// The second newest article has neighbours on both sides.
	second := find(one(t, home, "home", "ol", "class", "articles"), "h2")[1]
	href, _ = attr(one(t, second, "second article", "a"), "href")
	for _, rel := range []string{"prev", "next"} {
		if len(find(page(t, public, href), "a", "rel", rel)) != 1 {
			t.Errorf("%s has no rel=%s link", href, rel)
		}
	}

	// Breadcrumbs on a day page: Home > Year > Month > Day.
	day := page(t, public, sampleDay)
	crumbs := one(t, day, "day", "nav", "class", "breadcrumbs")
	if got := text(crumbs); got != "Home 2019 December 30 December" {
		t.Errorf("breadcrumbs read %q", got)
	}
	if h1 := text(one(t, day, "day", "h1")); h1 != "30 December 2019" {
		t.Errorf("day page <h1> %q", h1)
	}

	// No JavaScript on article and list pages (JSON-LD data is not script).
	for _, p := range []string{"/", samplePath, sampleDay, "/tags/", "/2019/12/"} {
		var js int
		for _, s := range find(page(t, public, p), "script") {
			if typ, _ := attr(s, "type"); typ != "application/ld+json" {
				js++
			}
		}
		if js > 0 {
			t.Errorf("%s has %d <script> elements", p, js)
		}
	}
}

func TestThemeArabicAndGerman(t *testing.T) {
	ar := buildSite(t, sampleSite(t, map[string]string{"language": "ar"}, map[string]string{}))
	doc := page(t, ar, sampleArticle(t, ar))
	h := one(t, doc, "ar", "html")
	if l, _ := attr(h, "lang"); l != "ar" {
		t.Errorf("<html lang=%q>, want ar", l)
	}
	if d, _ := attr(h, "dir"); d != "rtl" {
		t.Errorf("<html dir=%q>, want rtl", d)
	}
	if got := text(one(t, one(t, doc, "ar", "p", "class", "dateline"), "ar", "time", "datetime", "")); got != "30 ديسمبر 2019" {
		t.Errorf("Arabic dateline %q", got)
	}
	if got := text(one(t, doc, "ar", "a", "class", "skip")); got != "انتقل إلى المحتوى" {
		t.Errorf("Arabic skip link %q", got)
	}
	if got := text(one(t, page(t, ar, "/2019/12/"), "ar", "h1")); got != "ديسمبر 2019" {
		t.Errorf("Arabic month title %q", got)
	}

	// A site's i18n/de.yaml overrides single entries of the theme's German.
	de := buildSite(t, sampleSite(t, map[string]string{"language": "de"},
		map[string]string{"i18n/de.yaml": "words:\n  home: Archiv\n"}))
	doc = page(t, de, sampleArticle(t, de))
	if got := text(one(t, one(t, doc, "de", "p", "class", "dateline"), "de", "time", "datetime", "")); got != "30. Dezember 2019" {
		t.Errorf("German dateline %q", got)
	}
	nav := one(t, doc, "de", "nav", "class", "sitenav")
	if got := text(nav); got != "Archiv Themen Suche" {
		t.Errorf("German site navigation reads %q, want the site's word and the theme's", got)
	}
}

// An article's time with another offset is shown, and filed, on its date in
// the site's time zone.
func TestThemeDatelineInSiteZone(t *testing.T) {
	site := t.TempDir()
	os.MkdirAll(filepath.Join(site, "content"), 0o755)
	os.WriteFile(filepath.Join(site, "sitegen.yaml"), []byte("timezone: Europe/Berlin\n"), 0o644)
	os.WriteFile(filepath.Join(site, "content", "late.md"), []byte(
		"---\ntitle: Late news\ndate: 2019-12-30T23:30:00-05:00\n---\nBody.\n"), 0o644)
	public := buildSite(t, site)
	tm := one(t, page(t, public, "/2019/12/31/late-news/"), "article", "time", "datetime", "")
	if dt, _ := attr(tm, "datetime"); dt != "2019-12-31T05:30:00+01:00" || text(tm) != "31 December 2019" {
		t.Errorf("dateline <time datetime=%q>%s</time>, want the Berlin date", dt, text(tm))
	}
}

// The theme's CSS stays one small file: under 10 KB gzipped.
func TestThemeCSSSize(t *testing.T) {
	css, err := os.ReadFile("assets/style.css")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(css)
	zw.Close()
	if buf.Len() >= 10*1024 {
		t.Errorf("assets/style.css is %d bytes gzipped; keep it under 10 KB", buf.Len())
	}
	if bytes.Contains(css, []byte("@import")) || regexp.MustCompile(`url\(\s*["']?(https?:)?//`).Match(css) {
		t.Error("assets/style.css requests a file from another host")
	}
}
