package content

import (
	"fmt"
	"hash/fnv"
	"html"
	"html/template"
	"path"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gosimple/slug"
	"github.com/sitegen/sitegen/internal/rawtext"
)

// parseRawText turns raw scraped text into an Article: the story without
// its boilerplate, credits as metadata, and a finding for everything taken
// out so that sitegen check can show it.
func parseRawText(a *Article, text string, loc *time.Location) *Problem {
	s, err := rawtext.Parse(text)
	if err != nil {
		e := err.(*rawtext.Error)
		return &Problem{Line: e.Line, Msg: e.Msg, Fix: e.Fix}
	}
	d := s.Date
	if d.IsZero() {
		var ok bool
		if d, ok = dateFromPath(a.Source); !ok {
			return &Problem{Line: 1, Msg: "no date: the article has no date line and its path carries no date",
				Fix: `start the file with " date YYYY-MM-DD ", name it YYYY-MM-DD-slug.txt, or put it in a YYYY/MM/DD/ folder (Markdown: a "date:" in the front matter)`}
		}
	}
	if !hasText(s.Paragraphs) {
		line := s.TitleLine
		if line == 0 {
			line = 1
		}
		return &Problem{Line: line, Msg: fmt.Sprintf("empty body: the file has only a headline (%q) and no story text", s.Title),
			Fix: "add the story below the headline, or remove the file"}
	}
	a.Date = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	a.Title = s.Title
	a.Body = rawBodyHTML(s.Paragraphs)
	for _, p := range s.Paragraphs {
		if p.Kind == rawtext.Text {
			a.Summary = summarize(p.Text)
			break
		}
	}
	a.Agencies, a.Initials, a.Editor = s.Agencies, s.Initials, s.Editor
	a.Contributors, a.Translation, a.ReadMore = s.Contributors, s.Translation, s.ReadMore
	for _, r := range s.Removed {
		a.Findings = append(a.Findings, Finding{Path: a.Source, Line: r.Line, Kind: string(r.Kind), Text: r.Text})
	}
	if h := s.Hygiene; h.Total() > 0 {
		a.Findings = append(a.Findings, Finding{Path: a.Source, Kind: "hygiene",
			Text: fmt.Sprintf("removed %d invisible character(s) (soft hyphens, word joiners, zero-width spaces), %d control character(s); plain spaces for %d odd space(s)",
				h.Invisible, h.Controls, h.Spaces)})
	}
	if a.Section != "" {
		a.Tags = makeTags([]string{a.Section})
	}
	return nil
}

func hasText(paras []rawtext.Paragraph) bool {
	for _, p := range paras {
		if p.Kind == rawtext.Text || p.Kind == rawtext.ListItem {
			return true
		}
	}
	return false
}

// rawBodyHTML renders parsed paragraphs as escaped HTML; runs of list
// items become one list.
func rawBodyHTML(paras []rawtext.Paragraph) template.HTML {
	var b strings.Builder
	n := 0
	for _, p := range paras {
		n += len(p.Text) + len("<p></p>\n")
	}
	b.Grow(n + n/16) // one allocation for most text, whatever the article's size
	inList := false
	for _, p := range paras {
		if p.Kind == rawtext.ListItem != inList {
			if inList {
				b.WriteString("</ul>\n")
			} else {
				b.WriteString("<ul>\n")
			}
			inList = !inList
		}
		tag := "p"
		switch p.Kind {
		case rawtext.Heading:
			tag = "h2"
		case rawtext.ListItem:
			tag = "li"
		}
		b.WriteString("<" + tag + ">")
		b.WriteString(html.EscapeString(p.Text))
		b.WriteString("</" + tag + ">\n")
	}
	if inList {
		b.WriteString("</ul>\n")
	}
	return template.HTML(b.String())
}

// Dates in paths: a Jekyll-style name prefix "2005-03-14-slug.txt", or
// folders ".../2005/03/14/slug.txt".
var (
	namePrefixDate = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})-`)
	folderDate     = regexp.MustCompile(`(?:^|/)(\d{4})/(\d{2})/(\d{2})/[^/]+$`)
)

func dateFromPath(p string) (time.Time, bool) {
	if m := namePrefixDate.FindStringSubmatch(path.Base(p)); m != nil {
		if t, err := time.Parse("2006-01-02", m[1]); err == nil {
			return t, true
		}
	}
	if m := folderDate.FindStringSubmatch(p); m != nil {
		if t, err := time.Parse("2006-01-02", m[1]+"-"+m[2]+"-"+m[3]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// makeTags normalizes tag names through their slug, so "Iraq" and "iraq"
// are one tag; the first spelling seen is kept for display.
func makeTags(names []string) []Tag {
	var tags []Tag
	seen := map[string]bool{}
	for _, n := range names {
		t := MakeTag(n)
		if t.Slug == "" || seen[t.Slug] {
			continue
		}
		seen[t.Slug] = true
		tags = append(tags, t)
	}
	return tags
}

// MakeTag normalizes one tag name.
func MakeTag(name string) Tag {
	if t, ok := tagMemo.Load(name); ok {
		return t.(Tag)
	}
	t := makeTag(name)
	if tagMemoLen.Load() < maxTagMemo {
		// Copies: the memo outlives the caller's string, whose Name may be
		// a part of it (and that string a part of a mapped file).
		kept := Tag{Name: strings.Clone(t.Name), Slug: strings.Clone(t.Slug)}
		if _, loaded := tagMemo.LoadOrStore(strings.Clone(name), kept); !loaded {
			tagMemoLen.Add(1)
		}
	}
	return t
}

func makeTag(name string) Tag {
	name = strings.Join(strings.Fields(name), " ")
	return Tag{Name: name, Slug: capSlug(slug.Make(name))}
}

// An archive's articles share a few thousand tag names, each written on
// hundreds of articles, and slug.Make was 1% of a cold build: MakeTag
// remembers the tags of up to maxTagMemo names for the life of the process
// (a pure function's results, so never stale), in copies of their own.
var (
	tagMemo    sync.Map // name as written -> Tag
	tagMemoLen atomic.Int64
)

const maxTagMemo = 1 << 16

// maxSlug bounds slugs in bytes, well under file systems' 255-byte names.
const maxSlug = 80

// makeSlug picks the URL slug: the front matter's, else the title's, else
// the file name's. The result is always a safe single path segment.
func makeSlug(explicit, title, p string) string {
	for _, s := range []string{explicit, title, strings.TrimSuffix(path.Base(p), path.Ext(p))} {
		if s = slug.Make(s); s != "" {
			if len(s) > maxSlug {
				s = s[:maxSlug]
				if i := strings.LastIndexByte(s, '-'); i > maxSlug/2 {
					s = s[:i]
				}
				s = strings.Trim(s, "-")
			}
			return s
		}
	}
	return "article"
}

// capSlug bounds a tag slug to maxSlug bytes. Tags are identified by their
// slug, so a cut one ends in a hash of the whole slug: two long tags that
// share a beginning stay two tags.
func capSlug(s string) string {
	if len(s) <= maxSlug {
		return s
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	return strings.TrimRight(s[:maxSlug-9], "-") + fmt.Sprintf("-%08x", h.Sum32())
}

// maxSummary is the summary length, in runes, near which it is cut.
const maxSummary = 220

// summarize shortens a paragraph to a summary, cut at a word boundary.
func summarize(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= maxSummary {
		return text
	}
	cut, n := 0, 0
	for i, r := range text {
		if n >= maxSummary {
			break
		}
		if r == ' ' {
			cut = i
		}
		n++
	}
	if cut == 0 {
		return string([]rune(text)[:maxSummary]) + "…"
	}
	return strings.TrimRight(text[:cut], " ,;:") + "…"
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// plainText strips tags from rendered HTML and returns its first paragraph
// as text.
func plainText(h string) string {
	if i := strings.Index(h, "</p>"); i >= 0 {
		h = h[:i]
	}
	return html.UnescapeString(tagRE.ReplaceAllString(h, ""))
}
