// Package feed writes article lists as RSS 2.0 and Atom 1.0 documents,
// with package xmldoc.
//
// It owns the feed formats and the stable identifiers of entries; which
// lists get feeds and where they are written is the caller's business.
package feed

import (
	"crypto/sha1"
	"encoding/hex"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/xmldoc"
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

// attr is an attribute of a start tag.
func attr(name, value string) xmldoc.Attr { return xmldoc.Attr{Name: name, Value: value} }
