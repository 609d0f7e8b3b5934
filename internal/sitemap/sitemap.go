// Package sitemap writes the sitemaps protocol's XML files
// (https://www.sitemaps.org/protocol.html) and the robots.txt that points
// crawlers at them, their text escaped by encoding/xml.
//
// It owns the protocol's limits: a site above MaxURLs pages gets a sitemap
// index and numbered sitemap files. Which pages are listed is the caller's
// business.
package sitemap

import (
	"bytes"
	"encoding/xml"
	"time"
	"unicode/utf8"
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
	var loc bytes.Buffer // an entry's location, escaped
	for i, u := range urls {
		l := escape(&loc, u.Loc)
		if cur.count == MaxURLs || len(cur.buf)+entrySize(len(l)) > MaxBytes {
			parts = append(parts, cur)
			cur = newFile("urlset", sizeOf(urls[i:]))
		}
		cur.add("url", l, u.LastMod)
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
		idx.add("sitemap", escape(&loc, dir+name), p.newest)
	}
	return emitFile(emit, index, idx)
}

// escape returns s as XML text: s itself when it has nothing to escape,
// as the URLs of a site nearly always, else s escaped by xml.EscapeText
// into buf.
func escape(buf *bytes.Buffer, s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= utf8.RuneSelf || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			buf.Reset()
			xml.EscapeText(buf, []byte(s)) // cannot fail: into a buffer
			return buf.String()
		}
	}
	return s
}

// A file is one urlset or sitemapindex being written, indented by one
// space a level as encoding/xml's Encoder.Indent("", " ") would, with
// text escaped by xml.EscapeText: the markup of an entry is fixed, and
// writing it directly takes a quarter of the time the encoder's tokens
// did (BenchmarkWrite).
type file struct {
	root   string // the root element's name
	buf    []byte
	count  int       // entries so far
	newest time.Time // the latest lastmod among them
}

// The markup around an entry's text; entrySize is an entry's size.
const (
	locOpen  = "\n  <loc>"
	locClose = "</loc>"
	modOpen  = "\n  <lastmod>"
	modClose = "</lastmod>"
)

// entrySize bounds the size of an entry whose escaped location has n
// bytes: its markup and a lastmod.
func entrySize(n int) int { return n + 100 }

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
	f := &file{root: root, buf: make([]byte, 0, max(size, 256))}
	f.buf = append(f.buf, xml.Header...)
	f.buf = append(f.buf, "<"+root+` xmlns="`+Namespace+`">`...)
	return f
}

// add writes an entry, <url> or <sitemap>, with its escaped location and,
// when known, its lastmod.
func (f *file) add(name, loc string, lastmod time.Time) {
	f.buf = append(f.buf, "\n <"+name+">"...)
	f.buf = append(f.buf, locOpen...)
	f.buf = append(f.buf, loc...)
	f.buf = append(f.buf, locClose...)
	if !lastmod.IsZero() {
		f.buf = append(f.buf, modOpen...)
		f.buf = lastmod.AppendFormat(f.buf, time.RFC3339)
		f.buf = append(f.buf, modClose...)
	}
	f.buf = append(f.buf, "\n </"+name+">"...)
	f.count++
	if lastmod.After(f.newest) {
		f.newest = lastmod
	}
}

func emitFile(emit func(string, []byte) error, name string, f *file) error {
	f.buf = append(f.buf, "\n</"+f.root+">\n"...)
	return emit(name, f.buf)
}

// Robots returns a robots.txt that allows everything and names the
// sitemap's absolute URL.
func Robots(sitemapURL string) []byte {
	return []byte("User-agent: *\nAllow: /\n\nSitemap: " + sitemapURL + "\n")
}
