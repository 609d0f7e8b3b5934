package content

import (
	"hash/fnv"
	"testing"
	"unicode"
	"unicode/utf8"
)

// refFingerprint is the first implementation of fingerprint, through
// hash/fnv: the written-out one must give the same values, since build
// caches and duplicate detection compare them.
func refFingerprint(body string) uint64 {
	h := fnv.New64a()
	var buf [utf8.UTFMax]byte
	inTag, inWord, words := false, false, 0
	for _, r := range body {
		switch {
		case inTag:
			inTag = r != '>'
			continue
		case r == '<':
			inTag = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
			h.Write(buf[:n])
			if !inWord {
				words++
			}
			inWord = true
			continue
		}
		if inWord {
			h.Write([]byte{' '})
			inWord = false
		}
	}
	if words < minFingerprintWords {
		return 0
	}
	return h.Sum64()
}

func FuzzFingerprint(f *testing.F) {
	long := "<p>The Kataib Hezbollah militia vowed REVENGE, 2019.</p> Émile Zola’s J’ACCUSE \xff\xfe İstanbul ǅ Σ"
	for i := 0; i < 4; i++ {
		long += " " + long
	}
	for _, s := range []string{"", "<p>a</p>", long} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if got, want := fingerprint(body), refFingerprint(body); got != want {
			t.Errorf("fingerprint(%q) = %x, want %x", body, got, want)
		}
	})
}
