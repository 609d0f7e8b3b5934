package feed

import (
	"html"
	"time"

	"github.com/sitegen/sitegen/internal/xmldoc"
)

// RSS returns the feed as an RSS 2.0 document
// (https://www.rssboard.org/rss-specification), with atom:link rel="self"
// as the RSS Advisory Board recommends and dc:creator for bylines, since
// RSS's own <author> must be an e-mail address. Dates are RFC 1123 with a
// numeric zone, as the specification asks; text is escaped by xmldoc, as
// encoding/xml escapes it.
func (f *Feed) RSS() []byte {
	w := xmldoc.New(512 + 700*len(f.Articles))
	w.Start("rss", attr("version", "2.0"),
		attr("xmlns:atom", "http://www.w3.org/2005/Atom"), attr("xmlns:dc", "http://purl.org/dc/elements/1.1/"))
	w.Start("channel")
	w.Text("title", f.Title)
	w.Text("link", f.Page)
	w.Empty("atom:link", attr("href", f.RSSURL), attr("rel", "self"), attr("type", "application/rss+xml"))
	w.Text("description", f.Description)
	if f.Language != "" {
		w.Text("language", f.Language)
	}
	if u := f.updated(); !u.IsZero() {
		w.Time("lastBuildDate", u, time.RFC1123Z)
	}
	w.Text("generator", "sitegen")
	for i, e := range f.entryFacts() {
		a := f.Articles[i]
		w.Start("item")
		w.Text("title", a.Title)
		w.Text("link", e.url)
		w.Text("guid", e.id, attr("isPermaLink", "false"))
		w.Time("pubDate", a.Date, time.RFC1123Z)
		if a.Summary != "" {
			// Readers show <description> as HTML (RSS 2.0 allows "entity-encoded
			// HTML" there), so the plain-text summary is escaped as HTML before
			// xmldoc escapes it again: "<script>" must reach the reader as
			// text, not as a script. Atom says type="text" and needs no such step.
			w.Text("description", html.EscapeString(a.Summary))
		}
		for _, name := range a.Authors {
			w.Text("dc:creator", name)
		}
		for _, t := range a.Tags {
			w.Text("category", t.Name)
		}
		w.End("item")
	}
	w.End("channel")
	w.End("rss")
	return w.Bytes()
}
