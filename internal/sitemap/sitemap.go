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
	"strings"
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

// The entries' elements: <url> in a urlset, <sitemap> in an index.
var (
	urlName   = xml.Name{Local: "url"}
	indexName = xml.Name{Local: "sitemap"}
	locStart  = xml.StartElement{Name: xml.Name{Local: "loc"}}
	modStart  = xml.StartElement{Name: xml.Name{Local: "lastmod"}}
)

// Write emits the sitemap of urls through emit. With at most MaxURLs URLs
// (and MaxBytes bytes) that is one file named index; otherwise index is a
// sitemap index of files named part(1), part(2)... each within the limits.
// dir is the absolute URL of the folder the files are served from.
func Write(urls []URL, dir, index string, part func(n int) string, emit func(name string, data []byte) error) error {
	var parts []*file
	cur := newFile("urlset")
	cur.buf.Grow(sizeOf(urls))
	for i, u := range urls {
		// A <url> costs its location plus under 100 bytes of markup and date.
		if cur.count == MaxURLs || cur.buf.Len()+len(u.Loc)+100 > MaxBytes {
			parts = append(parts, cur)
			cur = newFile("urlset")
			cur.buf.Grow(sizeOf(urls[i:]))
		}
		if err := cur.add(urlName, u.Loc, u.LastMod); err != nil {
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
		if err := idx.add(indexName, dir+name, p.newest); err != nil {
			return fmt.Errorf("sitemap index entry %s: %w", name, err)
		}
	}
	return emitFile(emit, index, idx)
}

// textElement writes <start>s</start>, with s escaped as Marshal escapes a
// string field. A CharData token escapes the same but for newlines, which
// Marshal writes as &#xA;: text with one goes through EncodeElement, the
// rest without its reflection.
func textElement(enc *xml.Encoder, start xml.StartElement, s string) error {
	if strings.IndexByte(s, '\n') >= 0 {
		return enc.EncodeElement(s, start)
	}
	err := enc.EncodeToken(start)
	if err == nil {
		err = enc.EncodeToken(xml.CharData(s))
	}
	if err == nil {
		err = enc.EncodeToken(start.End())
	}
	return err
}

// A file is one urlset or sitemapindex being encoded.
type file struct {
	root   xml.StartElement
	buf    bytes.Buffer
	enc    *xml.Encoder
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

func newFile(root string) *file {
	f := &file{root: xml.StartElement{Name: xml.Name{Local: root},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}}}}
	f.buf.WriteString(xml.Header)
	f.enc = xml.NewEncoder(&f.buf)
	f.enc.Indent("", " ")
	f.enc.EncodeToken(f.root) // cannot fail: a valid element into a buffer
	return f
}

// add writes an entry: <url> or <sitemap> with its loc and, when known,
// its lastmod. It goes element by element, which writes what marshalling
// a struct of the two did without the reflection over its fields: a
// sitemap has an entry for every page.
func (f *file) add(name xml.Name, loc string, lastmod time.Time) error {
	err := f.enc.EncodeToken(xml.StartElement{Name: name})
	if err == nil {
		err = textElement(f.enc, locStart, loc)
	}
	if err == nil && !lastmod.IsZero() {
		err = textElement(f.enc, modStart, w3cDate(lastmod))
	}
	if err == nil {
		err = f.enc.EncodeToken(xml.EndElement{Name: name})
	}
	if err != nil {
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
