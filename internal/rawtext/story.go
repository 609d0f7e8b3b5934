package rawtext

import "time"

// A Story is the parsed form of one raw text file: the story a reader sees,
// and the credits and cross-links the scrape mixed into it, taken out as
// metadata.
type Story struct {
	Date      time.Time // from the " date YYYY-MM-DD " line; zero when the file has none
	DateLine  int       // line of the date, 0 when absent
	Title     string    // headline found in the file, or derived from the lead
	TitleLine int       // line of the headline; 0 when Derived
	Derived   bool      // Title was derived from the lead, not found as a headline

	Paragraphs []Paragraph // the story, boilerplate removed, in order; may be empty

	Agencies     []string // news agencies credited, case normalized: "AFP", "AP", "Reuters", "dpa"
	Initials     string   // author/editor initials of an agency credit, as written: "kw,cw/aw"
	Editor       string   // from "Edited by: X"
	Contributors []string // from "X contributed to this article", "Additional reporting by X"
	Translation  string   // translation note as written: "This article was originally written in German."
	ReadMore     []string // headlines of "Read more: HEADLINE" cross-links, in order

	Removed []Removal // every paragraph or sentence taken out of the story, in order
	Hygiene Hygiene   // invisible characters removed
}

// ParagraphKind says how a paragraph is shown.
type ParagraphKind int

const (
	Text     ParagraphKind = iota // an ordinary paragraph, <p>
	Heading                       // a short title-like line inside the body, <h2>
	ListItem                      // a line starting with "- " or "• "; runs of them form a <ul>
)

// A Paragraph is one block of the story.
type Paragraph struct {
	Kind ParagraphKind
	Text string // plain text, whitespace-normalized
	Line int    // 1-based line where it starts in the source
}

// A Kind names a family of scraped boilerplate. Each removed line is counted
// under one kind so that an archivist can audit what normalization took out.
type Kind string

const (
	Share       Kind = "share"       // share bars and video-player widgets
	VideoNotice Kind = "video"       // "To view this video please enable JavaScript ..."
	ReadMore    Kind = "read-more"   // "Read more: HEADLINE", "Also read: ..." cross-links
	Promo       Kind = "promo"       // newsletter, podcast and follow-us promos
	Social      Kind = "social"      // social-media embed leftovers: "A post shared by ..."
	Caption     Kind = "caption"     // photo credits: "Image: Name/picture alliance"
	Agency      Kind = "agency"      // agency credits: "kw,cw/aw (AFP, AP, Reuters)"
	Editor      Kind = "editor"      // "Edited by: X"
	Contributor Kind = "contributor" // "X contributed to this article"
	Translation Kind = "translation" // "This article was originally written in German."
)

// Kinds lists every kind of boilerplate in a fixed order, for reports.
var Kinds = []Kind{Share, VideoNotice, ReadMore, Promo, Social, Caption, Agency, Editor, Contributor, Translation}

// A Removal is one piece of a source file that is not shown as story text.
type Removal struct {
	Kind Kind
	Line int    // 1-based line where it starts
	Text string // what was removed, whitespace-normalized
}

// An Error is a problem with a file's text that stops it being parsed.
type Error struct {
	Line int    // 1-based line, 0 for the whole file
	Msg  string // what is wrong
	Fix  string // what to do about it
}

func (e *Error) Error() string { return e.Msg }
