package rawtext

import "time"

// A Story is the parsed form of one raw text file.
type Story struct {
	Date     time.Time // from the " date YYYY-MM-DD " line; zero when the file has none
	DateLine int       // line of the date, 0 when absent
	Title    string    // headline found in the file, or derived from the lead
	Derived  bool      // Title was derived from the lead, not found as a headline

	Paragraphs []Paragraph // the story, boilerplate removed, in order
}

// ParagraphKind says how a paragraph is shown.
type ParagraphKind int

const (
	Text    ParagraphKind = iota // an ordinary paragraph, <p>
	Heading                      // a short title-like line inside the body, <h2>
)

// A Paragraph is one block of the story.
type Paragraph struct {
	Kind ParagraphKind
	Text string // plain text, whitespace-normalized
	Line int    // 1-based line where it starts in the source
}

// An Error is a problem with a file's text that stops it being parsed.
type Error struct {
	Line int    // 1-based line, 0 for the whole file
	Msg  string // what is wrong
	Fix  string // what to do about it
}

func (e *Error) Error() string { return e.Msg }
