package content

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTopicText bounds, in bytes, the text searched for topic tags: a news
// story names its topics early, and a 50 MB file must not cost 50 MB of
// candidates.
const maxTopicText = 64 << 10

// bodyText turns the start of a rendered body back into text, a sentence
// break for every tag so that a heading and the next paragraph do not run
// into one name and each paragraph starts a sentence.
func bodyText(h string) string {
	if len(h) > maxTopicText {
		h = h[:maxTopicText]
	}
	var b strings.Builder
	b.Grow(len(h))
	for len(h) > 0 {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			b.WriteString(h)
			break
		}
		b.WriteString(h[:i])
		b.WriteString(".\n")
		j := strings.IndexByte(h[i:], '>')
		if j < 0 {
			break
		}
		h = h[i+j+1:]
	}
	return html.UnescapeString(b.String())
}

// fingerprint hashes the words of a rendered body, lower-cased, without
// punctuation, markup or spacing: two scrapes of one story that differ
// only in whitespace, quotes or removed boilerplate get the same value. It
// reads the body once and allocates nothing in proportion to it. A body of
// fewer than minFingerprintWords words gets 0, no fingerprint: "More to
// follow." in two briefs does not make them one story.
func fingerprint(body string) uint64 {
	// FNV-1a, 64 bits, written out: the same value as hash/fnv's, without
	// a call through an interface for every character.
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	var buf [utf8.UTFMax]byte
	inTag, inWord, words := false, false, 0
	for i := 0; i < len(body); {
		c := body[i]
		if inTag {
			inTag = c != '>'
			i++
			continue
		}
		if c < utf8.RuneSelf {
			i++
			if w := asciiWord[c]; w != 0 {
				h = (h ^ uint64(w)) * prime64
				if !inWord {
					words++
				}
				inWord = true
				continue
			}
			inTag = c == '<'
		} else {
			r, n := utf8.DecodeRuneInString(body[i:])
			i += n
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				for _, b := range buf[:utf8.EncodeRune(buf[:], unicode.ToLower(r))] {
					h = (h ^ uint64(b)) * prime64
				}
				if !inWord {
					words++
				}
				inWord = true
				continue
			}
		}
		if inWord {
			h = (h ^ ' ') * prime64
			inWord = false
		}
	}
	if words < minFingerprintWords {
		return 0
	}
	return h
}

// asciiWord maps the ASCII letters and digits to themselves lower-cased,
// and every other ASCII byte to 0.
var asciiWord = func() (t [utf8.RuneSelf]byte) {
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	for c := byte('a'); c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = c, c
	}
	return t
}()

// minFingerprintWords is the shortest body whose text alone identifies a story.
const minFingerprintWords = 30
