package feed

import "time"

var textType = attr("type", "text")

// Atom returns the feed as an Atom 1.0 document (RFC 4287). The feed's id
// is derived from its own URL, each entry's from EntryID; dates are RFC
// 3339. The site is the feed's author, so that entries without a byline
// are valid.
func (f *Feed) Atom() []byte {
	w := newDocWriter(512 + 900*len(f.Articles))
	root := []attribute{attr("xmlns", "http://www.w3.org/2005/Atom")}
	if f.Language != "" {
		root = append(root, attr("xml:lang", f.Language))
	}
	w.start("feed", root...)
	w.text("title", f.Title, textType)
	w.text("id", uuid5(f.AtomURL))
	w.time("updated", f.updated(), time.RFC3339)
	w.empty("link", attr("href", f.Page), attr("rel", "alternate"), attr("type", "text/html"))
	w.empty("link", attr("href", f.AtomURL), attr("rel", "self"), attr("type", "application/atom+xml"))
	w.start("author")
	w.text("name", f.Publisher)
	w.end("author")
	w.text("generator", "sitegen")
	for i, e := range f.entryFacts() {
		a := f.Articles[i]
		w.start("entry")
		w.text("title", a.Title, textType)
		w.text("id", e.id)
		w.empty("link", attr("href", e.url), attr("rel", "alternate"), attr("type", "text/html"))
		w.time("published", a.Date, time.RFC3339)
		w.time("updated", modified(a), time.RFC3339)
		for _, name := range a.Authors {
			w.start("author")
			w.text("name", name)
			w.end("author")
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
		w.end("entry")
	}
	w.end("feed")
	return w.bytes()
}
