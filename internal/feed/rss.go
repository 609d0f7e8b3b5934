package feed

import (
	"html"
	"time"
)

// RSS returns the feed as an RSS 2.0 document
// (https://www.rssboard.org/rss-specification), with atom:link rel="self"
// as the RSS Advisory Board recommends and dc:creator for bylines, since
// RSS's own <author> must be an e-mail address. Dates are RFC 1123 with a
// numeric zone, as the specification asks; text is escaped by encoding/xml.
func (f *Feed) RSS() []byte {
	w := newDocWriter(512 + 700*len(f.Articles))
	w.start("rss", attr("version", "2.0"),
		attr("xmlns:atom", "http://www.w3.org/2005/Atom"), attr("xmlns:dc", "http://purl.org/dc/elements/1.1/"))
	w.start("channel")
	w.text("title", f.Title)
	w.text("link", f.Page)
	w.empty("atom:link", attr("href", f.RSSURL), attr("rel", "self"), attr("type", "application/rss+xml"))
	w.text("description", f.Description)
	if f.Language != "" {
		w.text("language", f.Language)
	}
	if u := f.updated(); !u.IsZero() {
		w.time("lastBuildDate", u, time.RFC1123Z)
	}
	w.text("generator", "sitegen")
	for i, e := range f.entryFacts() {
		a := f.Articles[i]
		w.start("item")
		w.text("title", a.Title)
		w.text("link", e.url)
		w.text("guid", e.id, attr("isPermaLink", "false"))
		w.time("pubDate", a.Date, time.RFC1123Z)
		if a.Summary != "" {
			// Readers show <description> as HTML (RSS 2.0 allows "entity-encoded
			// HTML" there), so the plain-text summary is escaped as HTML before
			// encoding/xml escapes it again: "<script>" must reach the reader as
			// text, not as a script. Atom says type="text" and needs no such step.
			w.text("description", html.EscapeString(a.Summary))
		}
		for _, name := range a.Authors {
			w.text("dc:creator", name)
		}
		for _, t := range a.Tags {
			w.text("category", t.Name)
		}
		w.end("item")
	}
	w.end("channel")
	w.end("rss")
	return w.bytes()
}
