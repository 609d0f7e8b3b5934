// Package topics extracts topic tags from article text: the named entities
// and key phrases an article keeps coming back to, weighed against how
// common they are across the whole archive, and mapped through a site's
// tags.yaml (aliases to one tag, blocked tags).
//
// It sees plain text and counts only; it knows nothing of articles, files
// or pages. Package archive feeds it and writes the tags back.
package topics

import (
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxTags is the most topic tags an article gets.
const MaxTags = 8

// An Extractor collects candidate topics from every document of an
// archive, then picks each document's tags. Add every document first, then
// call Tags.
type Extractor struct {
	Rules *Rules // aliases and blocks; nil means none

	docs []map[string]int // per document: candidate key -> count
	df   map[string]int   // candidate key -> documents containing it
	name map[string]string
}

// A Candidate is a possible topic of one document and how often the
// document names it (headline mentions count twice).
type Candidate struct {
	Name  string
	Count int
}

// Candidates finds the possible topics of one document, before any
// archive-wide weighing: computed once per file when it is loaded, so that
// an incremental build need not read the text again. The result is sorted
// by name.
func Candidates(title, text string) []Candidate {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	counts := map[string]int{}
	// The text is read as the title, a sentence break, then the body: the
	// title's last word ends a sentence.
	sc.toks = tokens(sc.toks[:0], title+".")
	sc.toks = tokens(sc.toks, text)
	for _, c := range sc.candidates() {
		counts[c]++
	}
	// The headline says what the story is about: its topics count double.
	sc.toks = tokens(sc.toks[:0], title)
	for _, c := range sc.candidates() {
		counts[c]++
	}
	out := make([]Candidate, 0, len(counts))
	for name, n := range counts {
		// A copy: a name cut from the text would keep all of it in memory
		// for as long as the article is.
		out = append(out, Candidate{strings.Clone(name), n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// scratch is the working memory of Candidates, reused across calls: an
// archive's every body goes through it once.
type scratch struct {
	toks   []token
	midCap map[string]bool
	run    []string
	out    []string
	lower  []byte
}

var scratchPool = sync.Pool{New: func() any { return &scratch{midCap: map[string]bool{}} }}

// in reports whether s, lower-cased, is in the word list m, without
// allocating.
func (sc *scratch) in(m map[string]bool, s string) bool {
	sc.lower = sc.lower[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return m[strings.ToLower(s)]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		sc.lower = append(sc.lower, c)
	}
	return m[string(sc.lower)]
}

// Add counts the candidates of one document, mapped through the rules,
// and returns its index for Tags.
func (e *Extractor) Add(cands []Candidate) int {
	if e.df == nil {
		e.df, e.name = map[string]int{}, map[string]string{}
	}
	counts := map[string]int{}
	for _, c := range cands {
		name := e.Rules.canonical(c.Name)
		if name == "" {
			continue
		}
		key := strings.ToLower(name)
		if _, ok := e.name[key]; !ok {
			e.name[key] = name
		}
		counts[key] += c.Count
	}
	for k := range counts {
		e.df[k]++
	}
	e.docs = append(e.docs, counts)
	return len(e.docs) - 1
}

// Tags returns up to MaxTags topics of document i, best first: candidates
// that recur in it (at least twice), scored by their count times the log of
// their rarity across the archive. Topics found in more than half of a
// large archive's documents say nothing about any one story and are left
// out.
func (e *Extractor) Tags(i int) []string {
	n := len(e.docs)
	type scored struct {
		key   string
		score float64
	}
	counts := mergeSurnames(e.docs[i])
	var cands []scored
	for k, tf := range counts {
		if tf < 2 {
			continue
		}
		df := e.df[k]
		if n >= 20 && df*2 > n {
			continue
		}
		idf := math.Log(float64(n+1) / float64(df))
		if idf <= 0 {
			idf = 0.05
		}
		cands = append(cands, scored{k, float64(tf) * idf})
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].key < cands[b].key
	})
	var out []string
	for _, c := range cands {
		if len(out) == MaxTags {
			break
		}
		if coveredBy(c.key, out) {
			continue
		}
		out = append(out, e.name[c.key])
	}
	return out
}

// mergeSurnames counts a one-word name toward the longer name it ends, when
// the document has exactly one: "Popp" is "Alex Popp" once the story has
// introduced her.
func mergeSurnames(doc map[string]int) map[string]int {
	full := map[string][]string{}
	for k := range doc {
		if i := strings.LastIndexByte(k, ' '); i > 0 {
			full[k[i+1:]] = append(full[k[i+1:]], k)
		}
	}
	out := make(map[string]int, len(doc))
	for k, n := range doc {
		if fs := full[k]; len(fs) == 1 && !strings.Contains(k, " ") {
			out[fs[0]] += n
			continue
		}
		out[k] += n
	}
	return out
}

// coveredBy reports whether a one-word topic is part of a longer topic
// already chosen: "Hezbollah" beside "Kataib Hezbollah".
func coveredBy(key string, chosen []string) bool {
	if strings.Contains(key, " ") {
		return false
	}
	for _, c := range chosen {
		for _, w := range strings.Fields(strings.ToLower(c)) {
			if w == key {
				return true
			}
		}
	}
	return false
}

// candidates returns the named entities of the text in sc.toks: maximal
// runs of capitalized words ("Kataib Hezbollah", "Abu Mahdi al-Muhandis",
// "US"), with connecting words inside ("Bank of England"), possessives
// dropped and leading sentence words ("The", "But") cut off. The result is
// valid until the next call.
func (sc *scratch) candidates() []string {
	toks := sc.toks
	// Words seen capitalized inside a sentence are names wherever they
	// stand; others are capitalized only because a sentence starts with
	// them ("Hacker Rui Pinto" -> "Rui Pinto", "Remembering" -> nothing).
	midCap := sc.midCap
	clear(midCap)
	start := true
	for _, t := range toks {
		if t.word != "" {
			if !start && isUpperStart(t.word) {
				midCap[t.word] = true
			}
			start = t.endsSent
		} else if t.plain {
			start = t.endsSent
		}
	}
	out := sc.out[:0]
	run := sc.run[:0]
	runAtStart := false
	start = true
	flush := func() {
		if runAtStart && len(run) > 0 && !midCap[run[0]] {
			run = run[1:]
		}
		for len(run) > 0 && sc.in(connector, run[len(run)-1]) {
			run = run[:len(run)-1]
		}
		for len(run) > 1 && sc.in(stopword, run[0]) || len(run) > 2 && sc.in(office, run[0]) {
			run = run[1:] // "The Kataib Hezbollah", "Prime Minister Narendra Modi" -> the name
		}
		if len(run) == 1 && sc.in(stopword, run[0]) {
			run = run[:0]
		}
		if len(run) > 0 && len(run) <= 5 {
			c := run[0]
			if len(run) > 1 {
				c = strings.Join(run, " ")
			}
			if len(run) > 1 || !sc.in(stopword, c) && (utf8.RuneCountInString(c) > 2 || strings.ToUpper(c) == c) {
				out = append(out, c)
			}
		}
		run = run[:0]
	}
	for _, tok := range toks {
		if tok.word == "" { // a break, or plain words
			flush()
			if tok.plain {
				start = tok.endsSent
			}
			continue
		}
		w := tok.word
		switch {
		case isUpperStart(w) && !isAllCapsShout(w):
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
	sc.out, sc.run = out, run
	return out
}

// isUpperStart reports whether w starts with a capital letter.
func isUpperStart(w string) bool {
	if c := w[0]; c < utf8.RuneSelf {
		return 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// isAllCapsShout reports a long word in capitals ("WARNING"), which is
// emphasis, not a name; short ones ("US", "NATO", "AFP") are names.
func isAllCapsShout(w string) bool {
	return utf8.RuneCountInString(w) > 5 && strings.ToUpper(w) == w
}

// A token is a word that may be part of a name (capitalized, or a
// connector such as "of"), or, with word "", what stands between such
// words: a break in the sentence, or plain words, which end a name too.
type token struct {
	word       string
	brk        bool // a sentence or clause break before the next word
	plain      bool // plain words: lower-case ones that cannot join a name
	endsClause bool // the word was followed by punctuation
	endsSent   bool // the word (the last plain word) ended a sentence or a headline
}

// appendBreak appends a break (plain false) or a plain word to out. Runs of
// breaks and plain words do what their last plain word does (end any name,
// and say whether a sentence ended), so they are kept as one token: most
// words of a story are plain.
func appendBreak(out []token, plain, endsSent bool) []token {
	if n := len(out); n > 0 && out[n-1].word == "" {
		if plain {
			out[n-1].plain, out[n-1].endsSent = true, endsSent
		}
		return out
	}
	return append(out, token{brk: !plain, plain: plain, endsSent: endsSent})
}

// isPlain reports whether a word cannot be part of a name: it is not
// capitalized and not a connector ("of", "al-Muhandis").
func isPlain(w string) bool {
	return !isUpperStart(w) && !(len(w) <= connectorMax && connectorFirst[w[0]] && connector[w]) && !strings.HasPrefix(w, "al-")
}

// connectorFirst holds the first bytes of the connectors and connectorMax
// their longest length: most words ("the", "a", "said") are told apart from
// them without a map lookup.
var connectorFirst, connectorMax = func() (t [256]bool, n int) {
	for w := range connector {
		t[w[0]], n = true, max(n, len(w))
	}
	return t, n
}()

// tokens appends the words of text to out, marking punctuation that ends a
// name. Words are what strings.Fields splits, less the punctuation around
// them; it reads the text once and allocates only to grow out.
func tokens(out []token, text string) []token {
	for {
		text = text[spaceLen(text, true):]
		if text == "" {
			return out
		}
		n := spaceLen(text, false)
		f := text[:n]
		text = text[n:]

		lead := trimNonWord(f, true)
		if len(lead) != len(f) {
			out = appendBreak(out, false, false)
		}
		w := trimNonWord(lead, false)
		ends := len(w) != len(lead)
		if strings.HasSuffix(w, "'s") {
			w, ends = w[:len(w)-2], true
		}
		if strings.HasSuffix(w, "’s") {
			w, ends = w[:len(w)-len("’s")], true
		}
		if w == "" {
			out = appendBreak(out, false, false)
			continue
		}
		tail := lead[len(w):]
		endsSent := strings.ContainsAny(tail, ".?!:")
		if isPlain(w) {
			out = appendBreak(out, true, endsSent)
			continue
		}
		out = append(out, token{word: w, endsClause: ends, endsSent: endsSent})
	}
}

// asciiSpace are the ASCII bytes unicode.IsSpace (and so strings.Fields)
// splits on.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// spaceLen returns the length of the run of white space (space true) or of
// other characters (space false) that text starts with.
func spaceLen(text string, space bool) int {
	i := 0
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] != space {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) != space {
			return i
		}
		i += n
	}
	return i
}

// trimNonWord cuts the characters that are neither letters nor digits from
// the start (left true) or the end of s.
func trimNonWord(s string, left bool) string {
	for s != "" {
		var r rune
		var n int
		if left {
			r, n = utf8.DecodeRuneInString(s)
		} else {
			r, n = utf8.DecodeLastRuneInString(s)
		}
		if r < utf8.RuneSelf {
			if c := byte(r); 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				return s
			}
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return s
		}
		if left {
			s = s[n:]
		} else {
			s = s[:len(s)-n]
		}
	}
	return s
}

// connector words may sit inside a name: "Bank of England", "Ursula von der Leyen".
var connector = map[string]bool{"of": true, "de": true, "von": true, "der": true, "van": true, "la": true, "bin": true, "da": true, "del": true, "and": false}

// office lists titles that stand before a name and are not part of it.
var office = map[string]bool{"prime": true, "minister": true, "president": true, "presidents": true, "ceo": true,
	"chancellor": true, "chief": true, "executive": true, "king": true, "queen": false, "pope": true, "general": true,
	"secretary": true, "foreign": true, "interior": true, "defense": true, "defence": true, "finance": true,
	"health": true, "economy": true, "judge": true, "senator": true, "governor": true, "mayor": true, "coach": true,
	"director": true, "leader": true, "opposition": true, "former": true, "acting": true, "state": false}

// stopword lists capitalized words that start sentences or name times, not
// topics. A run starting with one loses it: "The Kataib Hezbollah" ->
// "Kataib Hezbollah"; alone, it is dropped.
var stopword = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the this that these those there here it its he she they we you i his her
	their our my your but and or so yet if when while as at on in of for to from by with after before since
	however although though despite meanwhile also still even then now today yesterday tomorrow
	what who whom whose which where why how many much more most some any all both each every no not one
	monday tuesday wednesday thursday friday saturday sunday january february march april may june july
	august september october november december mr mrs ms dr sir lord prof according during under over
	about against between among into through without within such other another several
	new said says read image photo video share edited like just only its it's isn't don't can could would
	should will shall must might be being been was were is are has have had do does did`) {
		m[w] = true
	}
	return m
}()
