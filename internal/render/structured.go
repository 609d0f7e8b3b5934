package render

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
)

// newsArticle is the schema.org NewsArticle that article pages carry as
// JSON-LD, for search engines and link previews. Optional fields are left
// out when the article does not know them.
type newsArticle struct {
	Context       string   `json:"@context"`
	Type          string   `json:"@type"`
	Headline      string   `json:"headline"`
	URL           string   `json:"url"`
	MainEntity    string   `json:"mainEntityOfPage"`
	DatePublished string   `json:"datePublished"`
	DateModified  string   `json:"dateModified,omitempty"`
	Description   string   `json:"description,omitempty"`
	Author        []thing  `json:"author,omitempty"`
	Publisher     thing    `json:"publisher"`
	Keywords      []string `json:"keywords,omitempty"`
	Image         []string `json:"image,omitempty"`
	InLanguage    string   `json:"inLanguage,omitempty"`
	Editor        *thing   `json:"editor,omitempty"`
	Contributor   []thing  `json:"contributor,omitempty"`
	SourceOrg     []thing  `json:"sourceOrganization,omitempty"`
}

// thing is a schema.org Person or Organization.
type thing struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// JSONLD returns an article page's schema.org NewsArticle as JSON, for
// <script type="application/ld+json">{{.JSONLD}}</script>; "" on other pages.
//
// encoding/json escapes <, > and & as \u003c... and U+2028/U+2029 too, so no
// title, byline or tag can close the script element or break the JSON.
func (p *Page) JSONLD() (template.JS, error) {
	a := p.Article
	if a == nil {
		return "", nil
	}
	cfg := p.Site.Config
	u := absURL(cfg, p.Path)
	na := newsArticle{
		Context: "https://schema.org", Type: "NewsArticle",
		Headline: a.Title, URL: u, MainEntity: u,
		DatePublished: a.Date.Format(time.RFC3339),
		Description:   a.Summary,
		Publisher:     thing{Type: "Organization", Name: cfg.Title, URL: cfg.BaseURL},
		InLanguage:    cfg.Language,
	}
	if !a.Updated.IsZero() {
		na.DateModified = a.Updated.Format(time.RFC3339)
	}
	for _, name := range a.Authors {
		na.Author = append(na.Author, thing{Type: "Person", Name: name})
	}
	for _, name := range a.Agencies {
		// Agency copy credits the agency as author when there is no byline,
		// and as the source organization always.
		if len(a.Authors) == 0 {
			na.Author = append(na.Author, thing{Type: "Organization", Name: name})
		}
		na.SourceOrg = append(na.SourceOrg, thing{Type: "Organization", Name: name})
	}
	if a.Editor != "" {
		na.Editor = &thing{Type: "Person", Name: a.Editor}
	}
	for _, name := range a.Contributors {
		na.Contributor = append(na.Contributor, thing{Type: "Person", Name: name})
	}
	for _, t := range a.Tags {
		na.Keywords = append(na.Keywords, t.Name)
	}
	if img := p.ImageURL(); img != "" {
		na.Image = []string{img}
	}
	b, err := json.Marshal(na)
	if err != nil {
		return "", fmt.Errorf("JSON-LD of %s: %w", a.Source, err)
	}
	return template.JS(b), nil
}

// ImageURL is the absolute URL of an article page's lead image, for
// og:image and JSON-LD; "" when there is none.
func (p *Page) ImageURL() string {
	if p.Article == nil || p.Article.Image == "" {
		return ""
	}
	img := p.Article.Image
	if u, err := url.Parse(img); err == nil && u.IsAbs() {
		return img
	}
	if !strings.HasPrefix(img, "/") {
		// A relative image sits beside the article, as in Markdown bodies.
		img = p.Path + img
	}
	return absURL(p.Site.Config, img)
}
