package feed

import (
	"time"

	"github.com/sitegen/sitegen/internal/xmldoc"
)

var textType = attr("type", "text")

// Atom returns the feed as an Atom 1.0 document (RFC 4287). The feed's id
// is derived from its own URL, each entry's from EntryID; dates are RFC
// 3339. The site is the feed's author, so that entries without a byline
// are valid.
func (f *Feed) Atom() []byte {
	w := xmldoc.New(512 + 900*len(f.Articles))
	root := []xmldoc.Attr{attr("xmlns", "http://www.w3.org/2005/Atom")}
	if f.Language != "" {
		root = append(root, attr("xml:lang", f.Language))
	}
	w.Start("feed", root...)
	w.Text("title", f.Title, textType)
	w.Text("id", uuid5(f.AtomURL))
	w.Time("updated", f.updated(), time.RFC3339)
	w.Empty("link", attr("href", f.Page), attr("rel", "alternate"), attr("type", "text/html"))
	w.Empty("link", attr("href", f.AtomURL), attr("rel", "self"), attr("type", "application/atom+xml"))
	w.Start("author")
	w.Text("name", f.Publisher)
	w.End("author")
	w.Text("generator", "sitegen")
	for i, e := range f.entryFacts() {
		a := f.Articles[i]
		w.Start("entry")
		w.Text("title", a.Title, textType)
		w.Text("id", e.id)
		w.Empty("link", attr("href", e.url), attr("rel", "alternate"), attr("type", "text/html"))
		w.Time("published", a.Date, time.RFC3339)
		w.Time("updated", modified(a), time.RFC3339)
		for _, name := range a.Authors {
			w.Start("author")
			w.Text("name", name)
			w.End("author")
		}
		for _, t := range a.Tags {
			if t.Name != "" {
				w.Empty("category", attr("term", t.Slug), attr("label", t.Name))
			} else {
				w.Empty("category", attr("term", t.Slug))
			}
		}
		if a.Summary != "" {
			w.Text("summary", a.Summary, textType)
		}
		w.End("entry")
	}
	w.End("feed")
	return w.Bytes()
}
