package content

import "strings"

// isBidiControl reports the explicit bidirectional embeddings, overrides
// and isolates (U+202A..U+202E, U+2066..U+2069). Left alone in a title they
// spill past its end and reorder the text around it ("Trojan Source").
// The marks U+200E and U+200F are not controls of that kind and stay.
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// stripBidiControls removes explicit bidirectional controls from one-line
// metadata (titles, tags, bylines, summaries), which templates place inline
// next to other text where an unclosed override would reorder it.
func stripBidiControls(s string) string {
	if strings.IndexFunc(s, isBidiControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

// cleanMetadata strips bidirectional controls from an article's one-line
// fields. The body keeps them: there each paragraph is its own block, which
// ends any override it opens.
func cleanMetadata(a *Article) *Problem {
	a.Title = strings.TrimSpace(stripBidiControls(a.Title))
	if a.Title == "" {
		return &Problem{Line: 1, Msg: "the title is only formatting characters",
			Fix: "write a title with words in it"}
	}
	a.Summary = stripBidiControls(a.Summary)
	a.Editor = stripBidiControls(a.Editor)
	a.Translation = stripBidiControls(a.Translation)
	for _, list := range [][]string{a.Authors, a.Agencies, a.Contributors} {
		for i := range list {
			list[i] = stripBidiControls(list[i])
		}
	}
	for i := range a.Tags {
		a.Tags[i].Name = stripBidiControls(a.Tags[i].Name)
	}
	return nil
}
