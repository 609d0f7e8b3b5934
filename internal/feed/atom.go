package feed

import (
	"encoding/xml"
	"fmt"
	"time"
)

// The Atom 1.0 document (RFC 4287).
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Title     atomText    `xml:"title"`
	ID        string      `xml:"id"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"` // the site, so entries without a byline are valid
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	Title      atomText       `xml:"title"`
	ID         string         `xml:"id"`
	Link       atomLink       `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary"`
}

// Atom returns the feed as an Atom 1.0 document. The feed's id is derived
// from its own URL, each entry's from EntryID; dates are RFC 3339.
func (f *Feed) Atom() ([]byte, error) {
	doc := atomFeed{Lang: f.Language, Title: atomText{Type: "text", Text: f.Title},
		ID: uuid5(f.AtomURL), Updated: f.updated().Format(time.RFC3339),
		Links: []atomLink{
			{Href: f.Page, Rel: "alternate", Type: "text/html"},
			{Href: f.AtomURL, Rel: "self", Type: "application/atom+xml"},
		},
		Author: atomPerson{Name: f.Publisher}, Generator: "sitegen"}
	for _, a := range f.Articles {
		e := atomEntry{Title: atomText{Type: "text", Text: a.Title}, ID: EntryID(f.SiteURL, a),
			Link:      atomLink{Href: f.ArticleURL(a), Rel: "alternate", Type: "text/html"},
			Published: a.Date.Format(time.RFC3339), Updated: modified(a).Format(time.RFC3339)}
		for _, name := range a.Authors {
			e.Authors = append(e.Authors, atomPerson{Name: name})
		}
		for _, t := range a.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t.Slug, Label: t.Name})
		}
		if a.Summary != "" {
			e.Summary = &atomText{Type: "text", Text: a.Summary}
		}
		doc.Entries = append(doc.Entries, e)
	}
	b, err := marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("Atom feed %s: %w", f.AtomURL, err)
	}
	return b, nil
}
