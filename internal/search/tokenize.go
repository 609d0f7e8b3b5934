package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxTokenRunes drops longer "words": URLs, hashes and other run-together
// strings that nobody types and that would bloat the index.
const maxTokenRunes = 32

// Fold brings text to the form the index stores: compatibility-decomposed
// (NFKD), without combining marks, lower case, with final sigma as sigma.
// So "Müller", "MULLER" and "muller" are one term. assets/search.js folds
// queries the same way.
func Fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if r == 'ς' {
			r = 'σ'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Tokens calls fn for each term of folded text: each run of letters and
// digits, except that Chinese and Japanese characters, written without
// spaces between words, are one term each.
func Tokens(folded string, fn func(term string)) {
	start := -1
	flush := func(end int) {
		if start >= 0 {
			if t := folded[start:end]; utf8.RuneCountInString(t) <= maxTokenRunes {
				fn(t)
			}
			start = -1
		}
	}
	for i, r := range folded {
		switch {
		case isIdeograph(r):
			flush(i)
			fn(folded[i : i+utf8.RuneLen(r)])
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if start < 0 {
				start = i
			}
		default:
			flush(i)
		}
	}
	flush(len(folded))
}

func isIdeograph(r rune) bool {
	return r >= 0x2e80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
