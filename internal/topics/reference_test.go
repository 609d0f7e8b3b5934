package topics

// This file keeps the first, simple implementation of Candidates (built on
// strings.Fields) as the reference that the faster one must agree with.

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func refCandidatesOf(title, text string) []Candidate {
	counts := map[string]int{}
	for _, c := range refCandidates(title + ".\n" + text) {
		counts[c]++
	}
	// The headline says what the story is about: its topics count double.
	for _, c := range refCandidates(title) {
		counts[c]++
	}
	out := make([]Candidate, 0, len(counts))
	for name, n := range counts {
		out = append(out, Candidate{name, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// candidates returns the named entities of text: maximal runs of
// capitalized words ("Kataib Hezbollah", "Abu Mahdi al-Muhandis", "US"),
// with connecting words inside ("Bank of England"), possessives dropped
// and leading sentence words ("The", "But") cut off.
func refCandidates(text string) []string {
	toks := refTokens(text)
	// Words seen capitalized inside a sentence are names wherever they
	// stand; others are capitalized only because a sentence starts with
	// them ("Hacker Rui Pinto" -> "Rui Pinto", "Remembering" -> nothing).
	midCap := map[string]bool{}
	start := true
	for _, t := range toks {
		if t.word != "" {
			if r, _ := utf8.DecodeRuneInString(t.word); !start && unicode.IsUpper(r) {
				midCap[t.word] = true
			}
			start = t.endsSent
		}
	}
	var out []string
	var run []string
	runAtStart := false
	start = true
	flush := func() {
		if runAtStart && len(run) > 0 && !midCap[run[0]] {
			run = run[1:]
		}
		for len(run) > 0 && connector[strings.ToLower(run[len(run)-1])] {
			run = run[:len(run)-1]
		}
		for len(run) > 1 && stopword[strings.ToLower(run[0])] || len(run) > 2 && office[strings.ToLower(run[0])] {
			run = run[1:] // "The Kataib Hezbollah", "Prime Minister Narendra Modi" -> the name
		}
		if len(run) == 1 && stopword[strings.ToLower(run[0])] {
			run = run[:0]
		}
		if len(run) > 0 && len(run) <= 5 {
			c := strings.Join(run, " ")
			if len(run) > 1 || !stopword[strings.ToLower(c)] && (utf8.RuneCountInString(c) > 2 || strings.ToUpper(c) == c) {
				out = append(out, c)
			}
		}
		run = run[:0]
	}
	for _, tok := range toks {
		if tok.brk {
			flush()
			continue
		}
		w := tok.word
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r) && !refIsAllCapsShout(w):
			if len(run) == 0 {
				runAtStart = start
			}
			run = append(run, w)
		case len(run) > 0 && (connector[w] || strings.HasPrefix(w, "al-")):
			run = append(run, w)
		default:
			flush()
		}
		if tok.endsClause {
			flush()
		}
		start = tok.endsSent
	}
	flush()
	return out
}

// isAllCapsShout reports a long word in capitals ("WARNING"), which is
// emphasis, not a name; short ones ("US", "NATO", "AFP") are names.
func refIsAllCapsShout(w string) bool {
	return utf8.RuneCountInString(w) > 5 && strings.ToUpper(w) == w
}

type refToken struct {
	word       string
	brk        bool // a sentence or clause break before the next word
	endsClause bool // the word was followed by punctuation
	endsSent   bool // the word ended a sentence or a headline
}

// tokens splits text into words, marking punctuation that ends a name.
func refTokens(text string) []refToken {
	var out []refToken
	for _, f := range strings.Fields(text) {
		lead := strings.TrimLeftFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if lead != f {
			out = append(out, refToken{brk: true})
		}
		w := strings.TrimRightFunc(lead, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		ends := w != lead
		for _, s := range []string{"'s", "’s"} {
			if strings.HasSuffix(w, s) {
				w = strings.TrimSuffix(w, s)
				ends = true
			}
		}
		if w == "" {
			out = append(out, refToken{brk: true})
			continue
		}
		tail := lead[len(w):]
		out = append(out, refToken{word: w, endsClause: ends, endsSent: strings.ContainsAny(tail, ".?!:")})
	}
	return out
}

// The fast Candidates finds exactly what the reference finds, on real news
// text and on odd input: spacing of every Unicode kind, invalid UTF-8,
// possessives, capitals outside ASCII.
func TestCandidatesMatchReference(t *testing.T) {
	texts := []string{
		"", " ", "A", "US.", "The WARNING: NATO's chief\u00a0Jens Stoltenberg\u2003said.",
		"Émile Zola’s J’accuse, by Émile Zola. ÉCOLE NORMALE and Ärzte ohne Grenzen met \xff\xfe Olaf Scholz's aides.",
		"Bank of England\u2028Bank of England\u0085of de la",
		"(Reuters) - Abu Mahdi al-Muhandis; \"Kataib Hezbollah\" ... 'Iraq'?! Iraq",
	}
	for _, dir := range []string{"../../../shared/corpus/dw", "../../../shared/corpus/bbc"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
		more, _ := filepath.Glob(filepath.Join(dir, "*"))
		for i, f := range append(files, more...) {
			if i == 300 {
				break
			}
			if data, err := os.ReadFile(f); err == nil {
				texts = append(texts, string(data))
			}
		}
	}
	for _, text := range texts {
		title, body, _ := strings.Cut(text, "\n")
		if got, want := Candidates(title, body), refCandidatesOf(title, body); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Candidates(%.40q, %.40q):\n got  %v\n want %v", title, body, got, want)
		}
	}
}

func FuzzCandidates(f *testing.F) {
	f.Add("Protesters storm US embassy", "The Kataib Hezbollah militia vowed revenge. Prime Minister Adel Abdul Mahdi's aides.")
	f.Add("Émile Zola’s", "\u00a0Ärzte ohne Grenzen\xff. The WARNING NATO")
	f.Fuzz(func(t *testing.T, title, body string) {
		if got, want := Candidates(title, body), refCandidatesOf(title, body); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Candidates(%q, %q):\n got  %v\n want %v", title, body, got, want)
		}
	})
}
