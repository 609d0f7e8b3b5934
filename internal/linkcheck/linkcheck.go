// Package linkcheck finds the internal links of a built site that lead
// nowhere.
//
// It parses every HTML page of an output folder with an HTML5 parser, takes
// each link that points into the site (relative, root-relative, or absolute
// under the site's base URL) and checks that a file answers it, as a static
// host would: a path ending in "/" is served by its index.html. Tests use it
// to prove that a build's pages link only to pages it wrote.
package linkcheck

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

// A Broken link is one whose target is not in the site.
type Broken struct {
	Page   string // the page holding the link, relative to the site root
	Link   string // the attribute value as written
	Target string // the file it should resolve to
}

func (b Broken) String() string { return fmt.Sprintf("%s: %s (no %s)", b.Page, b.Link, b.Target) }

// linkAttrs are the attributes that make the browser fetch or navigate.
var linkAttrs = map[string]string{"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "form": "action"}

// Check walks every .html file of site and returns the broken internal
// links, sorted, and the number of internal links checked. baseURL is the
// site's absolute base URL ("https://example.org/news/").
func Check(site fs.FS, baseURL string) ([]Broken, int, error) {
	base, err := url.Parse(baseURL)
	if err != nil {
		return nil, 0, fmt.Errorf("base URL: %w", err)
	}
	var broken []Broken
	checked := 0
	err = fs.WalkDir(site, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		links, err := pageLinks(site, p)
		if err != nil {
			return err
		}
		pageURL := base.ResolveReference(&url.URL{Path: strings.TrimSuffix(p, "index.html")})
		for _, l := range links {
			target, internal := resolve(base, pageURL, l)
			if !internal {
				continue
			}
			checked++
			if !exists(site, target) {
				broken = append(broken, Broken{Page: p, Link: l, Target: target})
			}
		}
		return nil
	})
	sort.Slice(broken, func(i, j int) bool {
		if broken[i].Page != broken[j].Page {
			return broken[i].Page < broken[j].Page
		}
		return broken[i].Target < broken[j].Target
	})
	return broken, checked, err
}

// pageLinks returns the link attribute values of one HTML file.
func pageLinks(site fs.FS, p string) ([]string, error) {
	f, err := site.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", p, err)
	}
	var links []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if attr, ok := linkAttrs[n.Data]; ok {
				for _, a := range n.Attr {
					if a.Key == attr {
						links = append(links, a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return links, nil
}

// resolve turns a link on pageURL into a file path inside the site, and
// reports whether the link points into the site at all.
func resolve(base, pageURL *url.URL, link string) (string, bool) {
	u, err := url.Parse(link)
	if err != nil {
		return link, true // a malformed link is broken
	}
	abs := pageURL.ResolveReference(u)
	if abs.Scheme != base.Scheme || abs.Host != base.Host {
		return "", false
	}
	if !strings.HasPrefix(abs.Path, base.Path) {
		// Same host, but above the site's base path: no file of the site answers it.
		return outside + abs.Path, true
	}
	rel := strings.TrimPrefix(abs.Path, base.Path)
	if rel == "" || strings.HasSuffix(rel, "/") {
		rel += "index.html"
	}
	return rel, true
}

// outside prefixes the targets of links that leave the site's base path.
const outside = "outside the site: "

func exists(site fs.FS, p string) bool {
	if strings.HasPrefix(p, outside) {
		return false
	}
	fi, err := fs.Stat(site, p)
	if err == nil && fi.IsDir() {
		_, err = fs.Stat(site, path.Join(p, "index.html"))
	}
	return err == nil
}
