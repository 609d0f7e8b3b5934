package feed

import (
	"encoding/xml"
	"fmt"
	"time"
)

// The Atom 1.0 document (RFC 4287).
var (
	atomFeedName  = xml.Name{Space: "http://www.w3.org/2005/Atom", Local: "feed"}
	atomEntryName = xml.Name{Local: "entry"}
	atomAuthor    = xml.Name{Local: "author"}
	xmlLang       = xml.Name{Space: "http://www.w3.org/XML/1998/namespace", Local: "lang"}
	textType      = attr("type", "text")
)

// Atom returns the feed as an Atom 1.0 document. The feed's id is derived
// from its own URL, each entry's from EntryID; dates are RFC 3339. The
// site is the feed's author, so that entries without a byline are valid.
func (f *Feed) Atom() ([]byte, error) {
	w := newDocWriter(512 + 900*len(f.Articles))
	var lang []xml.Attr
	if f.Language != "" {
		lang = []xml.Attr{{Name: xmlLang, Value: f.Language}}
	}
	w.start(atomFeedName, lang...)
	w.text("title", f.Title, textType)
	w.text("id", uuid5(f.AtomURL))
	w.text("updated", f.updated().Format(time.RFC3339))
	w.empty("link", attr("href", f.Page), attr("rel", "alternate"), attr("type", "text/html"))
	w.empty("link", attr("href", f.AtomURL), attr("rel", "self"), attr("type", "application/atom+xml"))
	w.start(atomAuthor)
	w.text("name", f.Publisher)
	w.end(atomAuthor)
	w.text("generator", "sitegen")
	for i, e := range f.entryFacts() {
		a := f.Articles[i]
		w.start(atomEntryName)
		w.text("title", a.Title, textType)
		w.text("id", e.id)
		w.empty("link", attr("href", e.url), attr("rel", "alternate"), attr("type", "text/html"))
		w.text("published", a.Date.Format(time.RFC3339))
		w.text("updated", modified(a).Format(time.RFC3339))
		for _, name := range a.Authors {
			w.start(atomAuthor)
			w.text("name", name)
			w.end(atomAuthor)
		}
		for _, t := range a.Tags {
			if t.Name != "" {
				w.empty("category", attr("term", t.Slug), attr("label", t.Name))
			} else {
				w.empty("category", attr("term", t.Slug))
			}
		}
		if a.Summary != "" {
			w.text("summary", a.Summary, textType)
		}
		w.end(atomEntryName)
	}
	w.end(atomFeedName)
	b, err := w.bytes()
	if err != nil {
		return nil, fmt.Errorf("Atom feed %s: %w", f.AtomURL, err)
	}
	return b, nil
}
