package rawtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds the raw-text parser arbitrary text. It must never panic,
// and a story it returns must have a title and only non-empty, valid UTF-8
// paragraphs free of the invisible characters hygiene removes.
// Crashers found are kept in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		" date 2019-12-30 The US ambassador to Iraq were evacuated on Tuesday.\n\nRetaliation\n\nRead more: US hits back\n\nkw,cw/aw (AFP, AP, Reuters)\n",
		"Ad sales boost Time Warner profit\n\nQuarterly profits jumped 76% to $1.13bn (£600m).\n\n - one\n - two\n",
		" date 2023-05-31 Headline only",
		"Watch video 01:48 Share Send Facebook Twitter Permalink https://p.dw.com/p/3VWJr",
		"Grace Kabogo contributed to this article. It was originally written in German.",
		"Bundes\u00adtag\u2060\u200b\x07 text",
		" date 2023-13-45 bad",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(text)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not an *Error", err)
			}
			return
		}
		if strings.TrimSpace(s.Title) == "" && utf8.ValidString(text) {
			t.Errorf("empty title for %q", text)
		}
		for _, p := range s.Paragraphs {
			if p.Text == "" || !utf8.ValidString(p.Text) {
				t.Errorf("bad paragraph %q", p.Text)
			}
			if strings.ContainsAny(p.Text, "\u00ad\u2060\u200b\n") {
				t.Errorf("paragraph keeps invisible characters or a newline: %q", p.Text)
			}
		}
	})
}
