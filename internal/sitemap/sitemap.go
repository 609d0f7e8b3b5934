// Package sitemap writes the sitemaps protocol's XML files
// (https://www.sitemaps.org/protocol.html) and the robots.txt that points
// crawlers at them, with encoding/xml.
//
// It owns the protocol's limits: a site above MaxURLs pages gets a sitemap
// index and numbered sitemap files. Which pages are listed is the caller's
// business.
package sitemap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"
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

type urlEntry struct {
	XMLName xml.Name `xml:"url"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

type indexEntry struct {
	XMLName xml.Name `xml:"sitemap"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

// Write emits the sitemap of urls through emit. With at most MaxURLs URLs
// (and MaxBytes bytes) that is one file named index; otherwise index is a
// sitemap index of files named part(1), part(2)... each within the limits.
// dir is the absolute URL of the folder the files are served from.
func Write(urls []URL, dir, index string, part func(n int) string, emit func(name string, data []byte) error) error {
	var parts []*file
	cur := newFile("urlset")
	for _, u := range urls {
		// A <url> costs its location plus under 100 bytes of markup and date.
		if cur.count == MaxURLs || cur.buf.Len()+len(u.Loc)+100 > MaxBytes {
			parts = append(parts, cur)
			cur = newFile("urlset")
		}
		if err := cur.add(urlEntry{Loc: u.Loc, LastMod: w3cDate(u.LastMod)}, u.LastMod); err != nil {
			return fmt.Errorf("sitemap entry %s: %w", u.Loc, err)
		}
	}
	parts = append(parts, cur)
	if len(parts) == 1 {
		return emitFile(emit, index, cur)
	}
	idx := newFile("sitemapindex")
	for i, p := range parts {
		name := part(i + 1)
		if err := emitFile(emit, name, p); err != nil {
			return err
		}
		if err := idx.add(indexEntry{Loc: dir + name, LastMod: w3cDate(p.newest)}, p.newest); err != nil {
			return fmt.Errorf("sitemap index entry %s: %w", name, err)
		}
	}
	return emitFile(emit, index, idx)
}

// A file is one urlset or sitemapindex being encoded.
type file struct {
	root   xml.StartElement
	buf    bytes.Buffer
	enc    *xml.Encoder
	count  int       // entries so far
	newest time.Time // the latest lastmod among them
}

func newFile(root string) *file {
	f := &file{root: xml.StartElement{Name: xml.Name{Local: root},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}}}}
	f.buf.WriteString(xml.Header)
	f.enc = xml.NewEncoder(&f.buf)
	f.enc.Indent("", " ")
	f.enc.EncodeToken(f.root) // cannot fail: a valid element into a buffer
	return f
}

func (f *file) add(entry any, lastmod time.Time) error {
	if err := f.enc.Encode(entry); err != nil {
		return err
	}
	f.count++
	if lastmod.After(f.newest) {
		f.newest = lastmod
	}
	return f.enc.Flush()
}

func emitFile(emit func(string, []byte) error, name string, f *file) error {
	if err := f.enc.EncodeToken(f.root.End()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := f.enc.Close(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	f.buf.WriteByte('\n')
	return emit(name, f.buf.Bytes())
}

// w3cDate formats a lastmod in the W3C Datetime profile of ISO 8601.
func w3cDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// Robots returns a robots.txt that allows everything and names the
// sitemap's absolute URL.
func Robots(sitemapURL string) []byte {
	return []byte("User-agent: *\nAllow: /\n\nSitemap: " + sitemapURL + "\n")
}
