// Package feed writes article lists as RSS 2.0 and Atom 1.0 documents
// with encoding/xml.
//
// It owns the feed formats and the stable identifiers of entries; which
// lists get feeds and where they are written is the caller's business.
package feed

import (
	"bytes"
	"crypto/sha1"
	"encoding/xml"
	"fmt"
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
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
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

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
