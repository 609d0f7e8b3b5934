package build

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Payloads that break out of text, attributes, scripts and URLs when a
// template forgets to escape, as found in scraped and exported archives.
const (
	xssScript = `<script>alert(1)</script>`
	xssAttr   = `"><img src=x onerror=alert(2)>`
	xssClose  = `</script><script>alert(3)</script>`
	xssJSURL  = `javascript:alert(4)`
	xssQuote  = `' onmouseover='alert(5)`
	bidi      = "\u202Egnp.exe"
)

const hostileTitle = "Hostile " + xssScript + xssAttr + xssClose + xssQuote + bidi + " end"

// hostileSite writes a site whose every field carries the payloads: front
// matter, a Markdown body with raw HTML and javascript: links, and a raw
// text article.
func hostileSite(t *testing.T, config string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"sitegen.yaml": "title: " + jsonString(xssAttr+" site") + "\n" + config,
		"content/hostile.md": "---\n" +
			"title: " + jsonString(hostileTitle) + "\n" +
			"date: 2024-05-01\n" +
			"tags: [" + jsonString(xssScript) + ", " + jsonString(xssAttr) + ", " + jsonString(xssJSURL) + "]\n" +
			"author: " + jsonString(xssAttr+xssClose) + "\n" +
			"summary: " + jsonString(xssScript+xssQuote+xssJSURL) + "\n" +
			"---\n" +
			"Text before.\n\n<script>alert(7)</script>\n\n<img src=x onerror=alert(8)>\n\n" +
			"[click](javascript:alert(9)) and <a href=\"javascript:alert(10)\">raw link</a>.\n",
		"content/raw.txt": " date 2024-05-02 \n\n" + xssScript + " headline " + xssQuote + "\n\n" +
			"A paragraph with " + xssAttr + " and " + xssClose + " and " + xssJSURL + ".\n",
	}
	for name, data := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// scriptFindings walks a parsed page and reports every place where input
// became markup: script elements or event-handler attributes carrying a
// payload, and javascript: URLs.
func scriptFindings(n *html.Node) []string {
	var found []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" && n.FirstChild != nil && strings.Contains(n.FirstChild.Data, "alert(") {
				typ := ""
				for _, a := range n.Attr {
					if a.Key == "type" {
						typ = a.Val
					}
				}
				if typ != "application/ld+json" { // data, checked apart as JSON
					found = append(found, "<script> with "+n.FirstChild.Data)
				}
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					found = append(found, "<"+n.Data+" "+a.Key+"="+a.Val+">")
				}
				if (a.Key == "href" || a.Key == "src" || a.Key == "action") &&
					strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					found = append(found, "<"+n.Data+" "+a.Key+"="+a.Val+">")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return found
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func findElement(n *html.Node, tag string) *html.Node {
	if n.Type == html.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, tag); f != nil {
			return f
		}
	}
	return nil
}

// TestHostileInputIsEscaped builds the hostile site and parses every HTML
// page with an HTML5 parser: no payload may become a script, an event
// handler or a javascript: link, the title must come back as the very text
// written (escaped, not dropped), and no bidi override may reach a page
// outside an article body. JSON-LD blocks, where a theme has them, must
// parse as JSON and hold the title as written.
func TestHostileInputIsEscaped(t *testing.T) {
	root := hostileSite(t, "")
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	wantTitle := strings.ReplaceAll(hostileTitle, bidi, "gnp.exe")
	pages := 0
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		pages++
		rel, _ := filepath.Rel(dest, p)
		doc, err := html.Parse(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		for _, f := range scriptFindings(doc) {
			t.Errorf("%s: input became markup: %s", rel, f)
		}
		if strings.Contains(string(data), "\u202E") && !strings.Contains(rel, "2024/05/01/") {
			t.Errorf("%s: a bidi override reached the page", rel)
		}
		checkJSONLD(t, rel, doc, wantTitle)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 5 {
		t.Fatalf("only %d pages built", pages)
	}
	checkFeedsAndIndex(t, dest, wantTitle)
	article := parseFile(t, filepath.Join(dest, "2024/05/01/hostile-script-alert-1-script-img-src-x-onerror-alert-2-script-script-alert-3/index.html"))
	if h1 := findElement(article, "h1"); h1 == nil || strings.TrimSpace(textOf(h1)) != wantTitle {
		t.Errorf("<h1> is not the title as written:\n got %q\nwant %q", textOf(h1), wantTitle)
	}
	body := textOf(article)
	for _, s := range []string{"raw link", "click", "Text before."} {
		if !strings.Contains(body, s) {
			t.Errorf("article lost %q", s)
		}
	}
}

func parseFile(t *testing.T, p string) *html.Node {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		entries, _ := filepath.Glob(filepath.Join(filepath.Dir(filepath.Dir(p)), "*"))
		t.Fatalf("%v (beside it: %v)", err, entries)
	}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// checkJSONLD parses each JSON-LD block of a page as JSON; an article's
// headline must be its title as written.
func checkJSONLD(t *testing.T, rel string, doc *html.Node, title string) {
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" {
			for _, a := range n.Attr {
				if a.Key == "type" && a.Val == "application/ld+json" && n.FirstChild != nil {
					var v map[string]any
					if err := json.Unmarshal([]byte(n.FirstChild.Data), &v); err != nil {
						t.Errorf("%s: JSON-LD does not parse: %v\n%s", rel, err, n.FirstChild.Data)
					} else if h, ok := v["headline"].(string); ok && strings.HasPrefix(h, "Hostile") && h != title {
						t.Errorf("%s: JSON-LD headline %q, want %q", rel, h, title)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// Raw HTML in Markdown is omitted unless the site turns rawHTML on; then it
// passes through as written, scripts included, for trusted archives.
func TestRawHTMLConfig(t *testing.T) {
	for _, on := range []bool{false, true} {
		config := ""
		if on {
			config = "rawHTML: true\n"
		}
		dest := filepath.Join(t.TempDir(), "public")
		if _, err := Run(context.Background(), Options{Source: hostileSite(t, config), Dest: dest}); err != nil {
			t.Fatal(err)
		}
		matches, _ := filepath.Glob(filepath.Join(dest, "2024/05/01/*/index.html"))
		if len(matches) != 1 {
			t.Fatalf("article pages: %v", matches)
		}
		data, _ := os.ReadFile(matches[0])
		raw := bytes.Contains(data, []byte("<script>alert(7)</script>")) && bytes.Contains(data, []byte(`<img src=x onerror=alert(8)>`))
		if raw != on {
			t.Errorf("rawHTML %v: raw HTML passed through = %v", on, raw)
		}
		if !on && !bytes.Contains(data, []byte("raw HTML omitted")) {
			t.Errorf("rawHTML off: no trace of the omitted HTML")
		}
	}
}

// feedText returns what a feed reader shows for a summary. RSS readers
// render <description> as HTML, so there the summary must parse as HTML
// into text alone, no elements; Atom's type="text" is shown as it is.
func feedText(t *testing.T, desc string, isHTML bool) string {
	t.Helper()
	if !isHTML {
		return desc
	}
	nodes, err := html.ParseFragment(strings.NewReader(desc), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range nodes {
		if n.Type != html.TextNode {
			t.Errorf("RSS description %q holds markup: <%s>", desc, n.Data)
		}
		b.WriteString(textOf(n))
	}
	return b.String()
}

// checkFeedsAndIndex reads the hostile article back from the RSS and Atom
// feeds with a real feed parser and from the search index as JSON: each
// must hold the title and summary as written, and an RSS summary must be
// text once a reader renders it as HTML.
func checkFeedsAndIndex(t *testing.T, dest, title string) {
	t.Helper()
	summary := xssScript + xssQuote + xssJSURL
	for _, name := range []string{"feed.xml", "atom.xml"} {
		data, err := os.ReadFile(filepath.Join(dest, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		f, err := gofeed.NewParser().ParseString(string(data))
		if err != nil {
			t.Errorf("%s does not parse: %v", name, err)
			continue
		}
		found := false
		for _, it := range f.Items {
			if !strings.HasPrefix(it.Title, "Hostile") {
				continue
			}
			found = true
			if it.Title != title {
				t.Errorf("%s: title %q, want %q", name, it.Title, title)
			}
			if got := feedText(t, it.Description, name == "feed.xml"); got != summary {
				t.Errorf("%s: summary shows as %q, want %q", name, got, summary)
			}
		}
		if !found {
			t.Errorf("%s: no hostile item", name)
		}
	}
	found := false
	filepath.WalkDir(filepath.Join(dest, "search"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.Contains(p, "/d/") || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		_, docs := splitDocFile(data)
		for _, data := range docs {
			var doc struct {
				T, S string
			}
			if json.Unmarshal(data, &doc) == nil && strings.HasPrefix(doc.T, "Hostile") {
				found = true
				if doc.T != title || doc.S != summary {
					t.Errorf("search index %s: title %q, summary %q; want %q, %q", p, doc.T, doc.S, title, summary)
				}
			}
		}
		return nil
	})
	if !found {
		t.Error("the search index has no document for the hostile article")
	}
}
