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

// HeadlineKeyIs agrees with comparing keys: for each pair of headlines,
// and for each headline against its own key cut short or run on.
func TestHeadlineKeyIs(t *testing.T) {
	for _, h := range headlines {
		for _, other := range headlines {
			if got, want := HeadlineKeyIs(h, HeadlineKey(other)), HeadlineKey(h) == HeadlineKey(other); got != want {
				t.Errorf("HeadlineKeyIs(%q, key of %q) = %v, want %v", h, other, got, want)
			}
		}
		k := HeadlineKey(h)
		for _, key := range []string{k + " ", k + "x", " " + k} {
			if HeadlineKeyIs(h, key) {
				t.Errorf("HeadlineKeyIs(%q, %q) = true", h, key)
			}
		}
		if len(k) > 0 && HeadlineKeyIs(h, k[:len(k)-1]) {
			t.Errorf("HeadlineKeyIs(%q, %q) = true", h, k[:len(k)-1])
		}
	}
}

func FuzzHeadlineKeyIs(f *testing.F) {
	for i, h := range headlines {
		f.Add(h, headlines[(i+3)%len(headlines)])
	}
	f.Add("US Hits Back", "us hits back")
	f.Fuzz(func(t *testing.T, title, key string) {
		if got, want := HeadlineKeyIs(title, key), HeadlineKey(title) == key; got != want {
			t.Errorf("HeadlineKeyIs(%q, %q) = %v, want %v", title, key, got, want)
		}
		if !HeadlineKeyIs(title, HeadlineKey(title)) {
			t.Errorf("HeadlineKeyIs(%q, its own key) = false", title)
		}
	})
}
