// Package sitemap writes the sitemaps protocol's XML files
// (https://www.sitemaps.org/protocol.html) and the robots.txt that points
// crawlers at them, with package xmldoc.
//
// It owns the protocol's limits: a site above MaxURLs pages gets a sitemap
// index and numbered sitemap files. Which pages are listed is the caller's
// business.
package sitemap

import (
	"time"

	"github.com/sitegen/sitegen/internal/xmldoc"
)

// The protocol's limits for one sitemap file.
const (
	MaxURLs  = 50000
	MaxBytes = 50 << 20 // uncompressed
)

// Namespace is the sitemaps protocol's XML namespace.
const Namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"

// A URL is one page to list.
type URL struct {
	Loc     string    // absolute URL
	LastMod time.Time // when the page's content last changed; zero if unknown
}

// Write emits the sitemap of urls through emit. With at most MaxURLs URLs
// (and MaxBytes bytes) that is one file named index; otherwise index is a
// sitemap index of files named part(1), part(2)... each within the limits.
// dir is the absolute URL of the folder the files are served from.
func Write(urls []URL, dir, index string, part func(n int) string, emit func(name string, data []byte) error) error {
	var parts []*file
	cur := newFile("urlset", sizeOf(urls))
	for i, u := range urls {
		if !cur.addWithin(u) {
			parts = append(parts, cur)
			cur = newFile("urlset", sizeOf(urls[i:]))
			cur.add("url", u.Loc, u.LastMod)
		}
	}
	parts = append(parts, cur)
	if len(parts) == 1 {
		return emitFile(emit, index, cur)
	}
	idx := newFile("sitemapindex", 0)
	for i, p := range parts {
		name := part(i + 1)
		if err := emitFile(emit, name, p); err != nil {
			return err
		}
		idx.add("sitemap", dir+name, p.newest)
	}
	return emitFile(emit, index, idx)
}

// closing is the most a file's end adds to it: the root's end tag.
const closing = "\n</sitemapindex>\n"

// A file is one urlset or sitemapindex being written.
type file struct {
	root   string // the root element's name
	doc    *xmldoc.Writer
	count  int       // entries so far
	newest time.Time // the latest lastmod among them
}

// sizeOf is about the size of a sitemap file that lists urls, or as many
// of them as one file holds: grown to it at once, its buffer is not copied
// again and again on the way to a few megabytes.
func sizeOf(urls []URL) int {
	n := 200
	for _, u := range urls[:min(len(urls), MaxURLs)] {
		n += len(u.Loc) + 80
	}
	return min(n, MaxBytes+1<<16)
}

func newFile(root string, size int) *file {
	f := &file{root: root, doc: xmldoc.New(size)}
	f.doc.Start(root, xmldoc.Attr{Name: "xmlns", Value: Namespace})
	return f
}

// add writes an entry, <url> or <sitemap>, with its location and, when
// known, its lastmod.
func (f *file) add(name, loc string, lastmod time.Time) {
	f.doc.Start(name)
	f.doc.Text("loc", loc)
	if !lastmod.IsZero() {
		f.doc.Time("lastmod", lastmod, time.RFC3339)
	}
	f.doc.End(name)
	f.count++
	if lastmod.After(f.newest) {
		f.newest = lastmod
	}
}

// addWithin adds u's entry if the file stays within the protocol's limits
// with it, and reports whether it did.
func (f *file) addWithin(u URL) bool {
	if f.count == MaxURLs {
		return false
	}
	mark, newest := f.doc.Len(), f.newest
	f.add("url", u.Loc, u.LastMod)
	if f.doc.Len()+len(closing) > MaxBytes {
		f.doc.Truncate(mark)
		f.count, f.newest = f.count-1, newest
		return false
	}
	return true
}

func emitFile(emit func(string, []byte) error, name string, f *file) error {
	f.doc.End(f.root)
	return emit(name, f.doc.Bytes())
}

// Robots returns a robots.txt that allows everything and names the
// sitemap's absolute URL.
func Robots(sitemapURL string) []byte {
	return []byte("User-agent: *\nAllow: /\n\nSitemap: " + sitemapURL + "\n")
}
