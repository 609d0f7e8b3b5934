// Package feed writes article lists as RSS 2.0 and Atom 1.0 documents
// with encoding/xml.
//
// It owns the feed formats and the stable identifiers of entries; which
// lists get feeds and where they are written is the caller's business.
package feed

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"strings"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// A Feed is one list of articles, newest first, to publish as RSS and Atom.
// Every URL is absolute.
type Feed struct {
	Title       string             // channel and feed title
	Description string             // RSS channel description
	Language    string             // BCP 47 tag, e.g. "en"
	Publisher   string             // Atom feed author: the site's name
	Page        string             // URL of the HTML page that lists the same articles
	RSSURL      string             // URL of the RSS document itself
	AtomURL     string             // URL of the Atom document itself
	SiteURL     string             // baseURL; with an article's Source it makes the entry's ID
	Articles    []*content.Article // the entries, newest first, already cut to length
	ArticleURL  func(*content.Article) string

	entries []entry // what both documents say of each article; see entryFacts
}

// entry is what the RSS item and the Atom entry of one article share.
type entry struct {
	id  string // EntryID
	url string // ArticleURL
}

// entryFacts returns the IDs and URLs of the feed's articles, computed
// once for both documents.
func (f *Feed) entryFacts() []entry {
	if f.entries == nil {
		f.entries = make([]entry, len(f.Articles))
		for i, a := range f.Articles {
			f.entries[i] = entry{id: EntryID(f.SiteURL, a), url: f.ArticleURL(a)}
		}
	}
	return f.entries
}

// EntryID returns an article's permanent feed identifier: a name-based
// UUID (RFC 9562 version 5) of the site URL and the article's source path.
// Editing the title, the date or the slug does not change it, so feed
// readers do not show an edited story as new.
func EntryID(siteURL string, a *content.Article) string {
	return uuid5(siteURL + "#" + a.Source)
}

// uuid5 is the version 5 UUID of name in the URL namespace.
func uuid5(name string) string {
	ns := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var sum [sha1.Size]byte
	u := h.Sum(sum[:0])[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	const prefix = "urn:uuid:"
	var out [len(prefix) + 36]byte
	copy(out[:], prefix)
	o := out[len(prefix):]
	hex.Encode(o[0:8], u[0:4])
	o[8] = '-'
	hex.Encode(o[9:13], u[4:6])
	o[13] = '-'
	hex.Encode(o[14:18], u[6:8])
	o[18] = '-'
	hex.Encode(o[19:23], u[8:10])
	o[23] = '-'
	hex.Encode(o[24:36], u[10:16])
	return string(out[:])
}

// modified is when an article last changed: its update time if known.
func modified(a *content.Article) time.Time {
	if !a.Updated.IsZero() && a.Updated.After(a.Date) {
		return a.Updated
	}
	return a.Date
}

// updated is the newest change among the feed's articles. Deriving it from
// the content, not the clock, keeps builds byte-for-byte reproducible.
func (f *Feed) updated() time.Time {
	var t time.Time
	for _, a := range f.Articles {
		if m := modified(a); m.After(t) {
			t = m
		}
	}
	return t
}

// A docWriter encodes one XML document element by element through an
// xml.Encoder, which escapes and indents as xml.Marshal does, without the
// reflection Marshal spends on every field of every entry (most of a
// feed's cost when its documents were marshalled from structs). The first
// error sticks and is returned by bytes.
type docWriter struct {
	buf bytes.Buffer
	enc *xml.Encoder
	err error
}

func newDocWriter(size int) *docWriter {
	w := &docWriter{}
	w.buf.Grow(size)
	w.buf.WriteString(xml.Header)
	w.enc = xml.NewEncoder(&w.buf)
	w.enc.Indent("", " ")
	return w
}

// start opens an element.
func (w *docWriter) start(name xml.Name, attr ...xml.Attr) {
	if w.err == nil {
		w.err = w.enc.EncodeToken(xml.StartElement{Name: name, Attr: attr})
	}
}

// end closes the element start opened.
func (w *docWriter) end(name xml.Name) {
	if w.err == nil {
		w.err = w.enc.EncodeToken(xml.EndElement{Name: name})
	}
}

// text writes <name attr...>s</name>, s escaped as Marshal escapes a
// string field. A CharData token escapes the same but for newlines, which
// Marshal writes as &#xA;: text with one goes through EncodeElement, the
// rest without its reflection.
func (w *docWriter) text(name string, s string, attr ...xml.Attr) {
	if w.err != nil {
		return
	}
	start := xml.StartElement{Name: xml.Name{Local: name}, Attr: attr}
	if strings.IndexByte(s, '\n') >= 0 {
		w.err = w.enc.EncodeElement(s, start)
		return
	}
	w.err = w.enc.EncodeToken(start)
	if w.err == nil {
		w.err = w.enc.EncodeToken(xml.CharData(s))
	}
	if w.err == nil {
		w.err = w.enc.EncodeToken(start.End())
	}
}

// empty writes an element without content: <name attr...></name>.
func (w *docWriter) empty(name string, attr ...xml.Attr) {
	n := xml.Name{Local: name}
	w.start(n, attr...)
	w.end(n)
}

// bytes ends the document.
func (w *docWriter) bytes() ([]byte, error) {
	if w.err == nil {
		w.err = w.enc.Close()
	}
	if w.err != nil {
		return nil, w.err
	}
	w.buf.WriteByte('\n')
	return w.buf.Bytes(), nil
}

// attr is an attribute without a namespace.
func attr(name, value string) xml.Attr { return xml.Attr{Name: xml.Name{Local: name}, Value: value} }
