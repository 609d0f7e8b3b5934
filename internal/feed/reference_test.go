package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"time"
)

// The feeds as sitegen wrote them before they were encoded element by
// element: whole documents marshalled from structs with encoding/xml. Kept
// to check that the element-by-element encoding writes the same bytes
// (TestFeedsMatchReference, FuzzFeedsMatchReference).

// The RSS 2.0 document (https://www.rssboard.org/rss-specification), with
// atom:link rel="self" as the RSS Advisory Board recommends and dc:creator
// for bylines, since RSS's own <author> must be an e-mail address.
type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	AtomNS  string     `xml:"xmlns:atom,attr"`
	DCNS    string     `xml:"xmlns:dc,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Self          rssSelf   `xml:"atom:link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Generator     string    `xml:"generator"`
	Items         []rssItem `xml:"item"`
}

type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Description string   `xml:"description,omitempty"`
	Creators    []string `xml:"dc:creator"`
	Categories  []string `xml:"category"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	ID          string `xml:",chardata"`
}

// RSS returns the feed as an RSS 2.0 document. Dates are RFC 1123 with a
// numeric zone, as the specification asks; text is escaped by encoding/xml.
func (f *Feed) referenceRSS() ([]byte, error) {
	doc := rssDoc{Version: "2.0", AtomNS: "http://www.w3.org/2005/Atom", DCNS: "http://purl.org/dc/elements/1.1/",
		Channel: rssChannel{
			Title: f.Title, Link: f.Page, Description: f.Description, Language: f.Language,
			Self:      rssSelf{Href: f.RSSURL, Rel: "self", Type: "application/rss+xml"},
			Generator: "sitegen",
		}}
	if u := f.updated(); !u.IsZero() {
		doc.Channel.LastBuildDate = u.Format(time.RFC1123Z)
	}
	for _, a := range f.Articles {
		// Readers show <description> as HTML (RSS 2.0 allows "entity-encoded
		// HTML" there), so the plain-text summary is escaped as HTML before
		// encoding/xml escapes it again: "<script>" must reach the reader as
		// text, not as a script. Atom says type="text" and needs no such step.
		it := rssItem{Title: a.Title, Link: f.ArticleURL(a), Description: html.EscapeString(a.Summary),
			GUID:    rssGUID{ID: EntryID(f.SiteURL, a)},
			PubDate: a.Date.Format(time.RFC1123Z), Creators: a.Authors}
		for _, t := range a.Tags {
			it.Categories = append(it.Categories, t.Name)
		}
		doc.Channel.Items = append(doc.Channel.Items, it)
	}
	b, err := referenceMarshal(doc)
	if err != nil {
		return nil, fmt.Errorf("RSS feed %s: %w", f.RSSURL, err)
	}
	return b, nil
}

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
func (f *Feed) referenceAtom() ([]byte, error) {
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
	b, err := referenceMarshal(doc)
	if err != nil {
		return nil, fmt.Errorf("Atom feed %s: %w", f.AtomURL, err)
	}
	return b, nil
}

func referenceMarshal(v any) ([]byte, error) {
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
