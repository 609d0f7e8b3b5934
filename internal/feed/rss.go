package feed

import (
	"encoding/xml"
	"fmt"
	"html"
	"time"
)

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
func (f *Feed) RSS() ([]byte, error) {
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
	b, err := marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("RSS feed %s: %w", f.RSSURL, err)
	}
	return b, nil
}
