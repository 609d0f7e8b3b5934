package content

import (
	"fmt"
	"html/template"
	"time"

	"github.com/sitegen/sitegen/internal/topics"
)

// An Article is one normalized story, whatever its source format.
// Templates receive it as .Article on article pages and in the lists of
// index pages; each field says what the default templates use it for.
type Article struct {
	Title   string    // <h1> and list headlines; never empty
	Date    time.Time // publication time in the site's time zone; <time datetime>
	Updated time.Time // last modification when the source says so; zero otherwise
	Slug    string    // last URL segment, unique within its day
	Tags    []Tag     // topic tags, normalized; linked to /tags/SLUG/
	Section string    // folders under content/, date folders left out: "bbc/business"; "" at top level

	Authors      []string // bylines, as written
	Agencies     []string // news agencies credited, case normalized ("AFP", "AP", "Reuters", "dpa")
	Initials     string   // writers'/editors' initials of an agency credit, as written ("kw,cw/aw")
	Editor       string   // "Edited by: ..." credit
	Contributors []string // "X contributed to this article"
	Translation  string   // translation note, e.g. "This article was originally written in German."

	Image   string        // lead image: absolute URL or site path, "" if none; og:image and JSON-LD
	Summary string        // plain text, one or two sentences; list pages and meta description
	Body    template.HTML // the story as sanitized HTML
	Links   []Link        // source and cross-reference links found in the story
	SeeAlso []*Article    // articles this one's "Read more:" lines name; link with {{url .URLPath}}
	Draft   bool          // drafts are skipped by the build
	Aliases []string      // old site paths that redirect here ("/news/story.html", "/old/path/"), cleaned by CleanAlias

	ReadMore    []string           // headlines of the source's "Read more:" lines; package archive resolves them into SeeAlso
	Topics      []topics.Candidate // possible topic tags found in the text, for package archive to weigh across the archive; nil for Markdown loaded with Loader.SkipMarkdownTopics
	Fingerprint uint64             // hash of the story's words, case and punctuation folded: equal for copies of one text; 0 for very short bodies
	Findings    []Finding          // what normalization removed or changed, for sitegen check; not shown on pages

	Source string // path of the source file relative to content/, with forward slashes
	Hash   uint64 // hash of the source bytes, for caches and duplicate detection
}

// A Finding is one thing normalization did to a source file that an
// archivist may want to audit: a line of boilerplate removed or turned into
// metadata, text decoded from another encoding, invisible characters
// dropped, a duplicate redirected.
type Finding struct {
	Path string // source path relative to content/
	Line int    // 1-based line, 0 for the whole file
	Kind string // a boilerplate kind ("share", "promo", "agency", ...; see rawtext.Kinds), or "encoding", "hygiene", "read-more", "duplicate"
	Text string // what was removed or what happened
}

func (f Finding) String() string {
	loc := f.Path
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	return loc + ": " + f.Kind + ": " + f.Text
}

// A Tag is a topic label. Different spellings of one tag share a Slug.
type Tag struct {
	Name string // display name as first seen ("Iraq")
	Slug string // URL segment and identity ("iraq")
}

// A Link is a reference that the source carried as text or markup.
type Link struct {
	Text string // anchor text
	URL  string // absolute URL, or site path for in-archive links
}

// URLPath returns the article's site-relative URL: /YYYY/MM/DD/slug/.
func (a *Article) URLPath() string {
	var buf [64]byte
	return string(a.AppendURLPath(buf[:0]))
}

// AppendURLPath appends the article's URLPath to b, for a caller that
// only hashes or compares it: a build asks for every article's URL
// several times (URLs made unique, pages, keys, feeds, and templates).
func (a *Article) AppendURLPath(b []byte) []byte {
	y, m, d := a.Date.Date()
	if y < 0 || y > 9999 {
		b = a.Date.AppendFormat(b, "/2006/01/02/")
	} else {
		// What Format gives, without parsing its layout.
		b = append(b, '/',
			byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '/',
			byte('0'+int(m)/10), byte('0'+int(m)%10), '/',
			byte('0'+d/10), byte('0'+d%10), '/')
	}
	b = append(b, a.Slug...)
	return append(b, '/')
}
