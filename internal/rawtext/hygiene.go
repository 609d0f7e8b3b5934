package rawtext

import (
	"strings"
	"unicode"
)

// Hygiene counts the invisible debris Parse removed from a file's text.
// Curly quotes, dashes and no-break spaces are typography, not debris: they
// are kept as written.
type Hygiene struct {
	Invisible int // soft hyphens (U+00AD), word joiners (U+2060), zero-width spaces and stray BOMs
	Controls  int // C0 and C1 control characters other than newline and tab
	Spaces    int // hair, thin and other odd-width spaces turned into plain spaces
}

// Total is the number of characters changed.
func (h Hygiene) Total() int { return h.Invisible + h.Controls + h.Spaces }

// clean removes invisible characters and control characters and turns odd
// spaces into plain ones. Scrapes of CMS pages carry soft hyphens from
// hyphenation hints ("Bundes\u00adtag"), word joiners and zero-width spaces
// from social embeds, and hair spaces around dashes.
func clean(text string, h *Hygiene) string {
	if !strings.ContainsFunc(text, needsCleaning) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case r == '\u00AD', r == '\u2060', r == '\u200B', r == '\uFEFF', r == '\u180E', r == '\uFFFE':
			h.Invisible++
		case unicode.IsControl(r):
			h.Controls++
		case r == '\u00A0', r == '\u202F':
			b.WriteRune(r) // no-break spaces keep "10 km" together
		case unicode.IsSpace(r) && r != ' ':
			h.Spaces++
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsCleaning(r rune) bool {
	switch r {
	case '\n', ' ', '\u00A0', '\u202F':
		return false
	case '\u00AD', '\u2060', '\u200B', '\uFEFF', '\u180E', '\uFFFE':
		return true
	}
	return unicode.IsControl(r) || unicode.IsSpace(r)
}

// collapse trims a line and joins runs of spaces into one.
func collapse(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteByte(s[i])
	}
	return b.String()
}
