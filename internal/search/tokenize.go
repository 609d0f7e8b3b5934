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

// appendFold appends Fold(s) to dst, using nfkd as scratch. ASCII is
// lower-cased byte by byte and only the runs of other characters go
// through NFKD: NFKD leaves ASCII as it is and never moves a character
// across it (ASCII characters are starters, which reordering does not
// cross), so folding run by run gives Fold's bytes. Most text is nearly
// all ASCII, and one accented name no longer sends a whole article
// through the normalizer. Text that is not valid UTF-8, where the
// normalizer's reading of a broken sequence depends on what follows it,
// is folded whole by Fold.
func appendFold(dst []byte, s []byte, nfkd *[]byte) []byte {
	start := len(dst)
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= utf8.RuneSelf {
			j++
		}
		if !utf8.Valid(s[i:j]) {
			return append(dst[:start], Fold(string(s))...)
		}
		*nfkd = norm.NFKD.Append((*nfkd)[:0], s[i:j]...)
		for k := 0; k < len(*nfkd); {
			r, size := utf8.DecodeRune((*nfkd)[k:])
			k += size
			if unicode.Is(unicode.Mn, r) {
				continue
			}
			r = unicode.ToLower(r)
			if r == 'ς' {
				r = 'σ'
			}
			dst = utf8.AppendRune(dst, r)
		}
		i = j
	}
	return dst
}

// tokens calls fn for each term of folded text as Tokens does, reading
// ASCII a byte at a time. The term's bytes are valid until fn returns.
func tokens(folded []byte, fn func(term []byte)) {
	start, runes := -1, 0
	flush := func(end int) {
		if start >= 0 {
			if runes <= maxTokenRunes {
				fn(folded[start:end])
			}
			start = -1
		}
	}
	for i := 0; i < len(folded); {
		if c := folded[i]; c < utf8.RuneSelf {
			if asciiWord[c] != 0 {
				if start < 0 {
					start, runes = i, 0
				}
				runes++
			} else {
				flush(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(folded[i:])
		switch {
		case isIdeograph(r):
			flush(i)
			fn(folded[i : i+size])
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if start < 0 {
				start, runes = i, 0
			}
			runes++
		default:
			flush(i)
		}
		i += size
	}
	flush(len(folded))
}

// asciiWord marks the ASCII letters and digits: the ASCII runes for which
// unicode.IsLetter or unicode.IsNumber holds.
var asciiWord = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		if unicode.IsLetter(rune(c)) || unicode.IsNumber(rune(c)) {
			t[c] = 1
		}
	}
	return t
}()
