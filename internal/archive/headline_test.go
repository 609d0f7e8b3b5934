package archive

import (
	"testing"
	"unicode/utf8"
)

// headlines mixes ASCII headlines, punctuation and spacing of every kind,
// and text that needs the rune-wise fold.
var headlines = []string{
	"", " ", "'", "US Hits Back at Iran-Linked Militia", "Read more: US hits back at Iran-linked militia",
	"Iran's  leader  ", "  --Leading-- and trailing!!", "A\tB\nC\x00D\x7fE", "100% up: 2024's $5 deal",
	"Iran’s leader", "Merkel: „Wir schaffen das“", "ÉCOLE fermée", "Ünïcödé and ASCII", "İstanbul", "ΣΊΣΥΦΟΣ",
	"日本語の見出し", "mixed ascii then ünicode", "\xff\xfe broken utf-8", "tab\tsplit'quote'd",
}

// normHeadline's ASCII path folds as the rune-wise one does.
func TestNormHeadlineASCIIMatchesRunes(t *testing.T) {
	for _, h := range headlines {
		if got, want := normHeadline(h), normHeadlineRunes(h); got != want {
			t.Errorf("normHeadline(%q) = %q, rune-wise %q", h, got, want)
		}
	}
	// Every ASCII byte, alone and between letters.
	for c := range utf8.RuneSelf {
		for _, h := range []string{string(rune(c)), "a" + string(rune(c)) + "B", string(rune(c)) + "Z9" + string(rune(c))} {
			if got, want := normHeadline(h), normHeadlineRunes(h); got != want {
				t.Errorf("normHeadline(%q) = %q, rune-wise %q", h, got, want)
			}
		}
	}
}

func FuzzNormHeadline(f *testing.F) {
	for _, h := range headlines {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got, want := normHeadline(h), normHeadlineRunes(h); got != want {
			t.Errorf("normHeadline(%q) = %q, rune-wise %q", h, got, want)
		}
	})
}
