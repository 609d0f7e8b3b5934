package rawtext

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// dateLine matches the crawl's first line, " date 2019-12-30 The lead...":
// the word "date", an ISO date, then optionally the start of the story.
var dateLine = regexp.MustCompile(`^\s*date\s+(\S+)(?:\s+(.*))?$`)

// maxTitle is the length, in runes, near which a derived title is cut.
const maxTitle = 100

// Parse reads one raw text file. The text must be valid UTF-8; callers decode
// other encodings first. The returned error, when not nil, is an *Error.
func Parse(text string) (*Story, error) {
	if !utf8.ValidString(text) {
		return nil, &Error{Msg: "text is not valid UTF-8", Fix: "save the file as UTF-8"}
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")

	s := &Story{}
	if m := dateLine.FindStringSubmatch(lines[0]); m != nil {
		d, err := time.Parse("2006-01-02", m[1])
		if err != nil {
			return nil, &Error{Line: 1, Msg: "malformed date line: " + quote(lines[0]),
				Fix: `write the first line as " date YYYY-MM-DD "`}
		}
		s.Date, s.DateLine = d, 1
		lines[0] = m[2]
	}

	paras := splitParagraphs(lines)
	if len(paras) == 0 {
		return nil, &Error{Msg: "empty body: the file has no story text", Fix: "add the story or remove the file"}
	}
	if isHeadline(paras[0].Text) && len(paras) > 1 {
		s.Title = paras[0].Text
		paras = paras[1:]
	} else {
		s.Title = DeriveTitle(paras[0].Text)
		s.Derived = true
	}
	s.Paragraphs = paras
	return s, nil
}

// splitParagraphs joins runs of non-blank lines into paragraphs.
func splitParagraphs(lines []string) []Paragraph {
	var paras []Paragraph
	var cur []string
	start := 0
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, Paragraph{Kind: Text, Text: strings.Join(cur, " "), Line: start})
			cur = nil
		}
	}
	for i, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			flush()
			continue
		}
		if len(cur) == 0 {
			start = i + 1
		}
		cur = append(cur, l)
	}
	flush()
	return paras
}

// isHeadline reports whether a paragraph reads like a headline: short, one
// sentence, and not closed by a full stop.
func isHeadline(p string) bool {
	n := utf8.RuneCountInString(p)
	if n == 0 || n > 200 {
		return false
	}
	return !strings.HasSuffix(p, ".")
}

// DeriveTitle makes a title from a lead paragraph: its first sentence, cut at
// a word boundary near maxTitle runes.
func DeriveTitle(lead string) string {
	if i := sentenceEnd(lead); i > 0 {
		lead = lead[:i]
	}
	lead = strings.TrimRight(lead, ".")
	if utf8.RuneCountInString(lead) <= maxTitle {
		return lead
	}
	cut, n := 0, 0
	for i, r := range lead {
		if n >= maxTitle {
			break
		}
		if unicode.IsSpace(r) {
			cut = i
		}
		n++
	}
	if cut == 0 {
		return string([]rune(lead)[:maxTitle]) + "…"
	}
	return strings.TrimRight(lead[:cut], " ,;:—–-") + "…"
}

// sentenceEnd returns the byte offset just after the first sentence's full
// stop, or 0 when the text is one sentence.
func sentenceEnd(s string) int {
	for i := 1; i < len(s)-1; i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i+1] == ' ' && i+2 < len(s) {
			next, _ := utf8.DecodeRuneInString(s[i+2:])
			if unicode.IsUpper(next) || next == '"' || unicode.IsDigit(next) {
				// "U.S. troops" ends no sentence: the word before the stop is one letter.
				if i >= 2 && s[i-2] == '.' {
					continue
				}
				return i + 1
			}
		}
	}
	return 0
}

func quote(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return `"` + s + `"`
}
