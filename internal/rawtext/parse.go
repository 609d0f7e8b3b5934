package rawtext

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// dateLine matches the crawl's first line, " date 2019-12-30 The lead...":
// the word "date", an ISO date, then optionally the start of the story.
var dateLine = lazyRegexp(`^\s*date\s+(\S+)(?:\s+(.*))?$`)

// isListItem reports whether a line is an item of a bulleted list:
// " - Increased spending on health". (Tried on every line, so written out
// rather than as a regular expression.)
func isListItem(l string) bool {
	l = strings.TrimLeft(l, " ")
	r, n := utf8.DecodeRuneInString(l)
	switch r {
	case '-', '•', '*', '–':
	default:
		return false
	}
	rest := l[n:]
	return strings.HasPrefix(rest, " ") && strings.TrimLeft(rest, " ") != ""
}

// maxTitle is the length, in runes, near which a derived title is cut.
const maxTitle = 100

// Parse reads one raw text file. The text must be valid UTF-8; callers decode
// other encodings first. The returned error, when not nil, is an *Error.
// A file whose only paragraph is a headline gives a Story with a Title and
// no Paragraphs: whether that is an error is the caller's choice.
func Parse(text string) (*Story, error) {
	if !utf8.ValidString(text) {
		return nil, &Error{Msg: "text is not valid UTF-8", Fix: "save the file as UTF-8"}
	}
	s := &Story{}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = clean(text, &s.Hygiene)
	lines := strings.Split(text, "\n")

	if m := dateLine.FindStringSubmatch(lines[0]); m != nil {
		d, err := time.Parse("2006-01-02", m[1])
		if err != nil {
			return nil, &Error{Line: 1, Msg: "malformed date line: " + quote(lines[0]),
				Fix: `write the first line as " date YYYY-MM-DD "`}
		}
		s.Date, s.DateLine = d, 1
		lines[0] = m[2]
	}

	paras := splitParagraphs(lines)
	if len(paras) == 0 {
		return nil, &Error{Msg: "empty body: the file has no story text", Fix: "add the story or remove the file"}
	}
	if paras[0].Kind == Text && isHeadline(paras[0].Text) {
		s.Title, s.TitleLine = paras[0].Text, paras[0].Line
		paras = paras[1:]
	}
	s.Paragraphs = joinFragments(s.removeBoilerplate(paras))
	if s.Title == "" {
		s.Derived = true
		for _, p := range s.Paragraphs {
			if p.Kind == Text {
				s.Title = DeriveTitle(p.Text)
				break
			}
		}
		if s.Title == "" {
			s.Title = DeriveTitle(paras[0].Text)
		}
	}
	markHeadings(s.Paragraphs)
	return s, nil
}

// splitParagraphs joins runs of non-blank lines into paragraphs; lines of
// a bulleted list stay apart, one item each.
func splitParagraphs(lines []string) []Paragraph {
	var paras []Paragraph
	var cur []string
	start := 0
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, Paragraph{Kind: Text, Text: strings.Join(cur, " "), Line: start})
			cur = nil
		}
	}
	for i, raw := range lines {
		l := collapse(raw)
		if l == "" {
			flush()
			continue
		}
		if item := collapse(strings.TrimLeft(l, "-•*– ")); item != "" && isListItem(l) {
			flush()
			paras = append(paras, Paragraph{Kind: ListItem, Text: item, Line: i + 1})
			continue
		}
		if len(cur) == 0 {
			start = i + 1
		}
		cur = append(cur, l)
	}
	flush()
	return paras
}

// joinFragments rejoins a sentence that the scrape broke where it dropped
// a link: "Double Olympic champion" / "marked her first appearance ...".
// A paragraph that does not end a sentence and is followed by one starting
// in lower case is the same sentence.
func joinFragments(paras []Paragraph) []Paragraph {
	out := paras[:0]
	for _, p := range paras {
		if n := len(out); n > 0 && p.Kind == Text && out[n-1].Kind == Text {
			first, _ := utf8.DecodeRuneInString(p.Text)
			switch lastSignificant(out[n-1].Text) {
			case '.', '!', '?', ':':
			default:
				if unicode.IsLower(first) {
					out[n-1].Text += " " + p.Text
					continue
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// removeBoilerplate takes widgets, promos and credits out of the story,
// recording each in s.Removed and credits and cross-links as metadata.
func (s *Story) removeBoilerplate(paras []Paragraph) []Paragraph {
	out := paras[:0:0]
	for _, p := range paras {
		if p.Kind != Text {
			out = append(out, p)
			continue
		}
		if head, cut := cutWidget(p.Text); cut {
			s.Removed = append(s.Removed, Removal{Kind: Share, Line: p.Line, Text: strings.TrimSpace(p.Text[len(head):])})
			p.Text = head
			if p.Text == "" {
				continue
			}
		}
		if kind, headline := boilerplateKind(p.Text); kind != "" {
			if kind == ReadMore {
				s.ReadMore = append(s.ReadMore, headline)
			}
			s.Removed = append(s.Removed, Removal{Kind: kind, Line: p.Line, Text: p.Text})
			continue
		}
		if kind := s.takeCredit(p.Text); kind != "" {
			s.Removed = append(s.Removed, Removal{Kind: kind, Line: p.Line, Text: p.Text})
			continue
		}
		if rest, ok := s.takeCreditSentences(p); ok {
			if rest == "" {
				continue
			}
			p.Text = rest
		}
		out = append(out, p)
	}
	return out
}

// takeCreditSentences handles a short paragraph that mixes credits with
// other sentences: "Grace Kabogo contributed to this article. It was
// originally written in German." The credits become metadata; the other
// sentences stay. It reports whether any sentence was a credit.
func (s *Story) takeCreditSentences(p Paragraph) (rest string, ok bool) {
	if len(p.Text) > maxCredit {
		return p.Text, false
	}
	sentences := splitSentences(p.Text)
	if len(sentences) < 2 {
		return p.Text, false
	}
	var keep []string
	for _, sen := range sentences {
		if kind := s.takeCredit(sen); kind != "" {
			s.Removed = append(s.Removed, Removal{Kind: kind, Line: p.Line, Text: sen})
			ok = true
			continue
		}
		keep = append(keep, sen)
	}
	return strings.Join(keep, " "), ok
}

// splitSentences splits text after each sentence's closing punctuation.
func splitSentences(text string) []string {
	var out []string
	for {
		i := sentenceEnd(text)
		if i == 0 {
			break
		}
		out = append(out, strings.TrimSpace(text[:i]))
		text = strings.TrimSpace(text[i:])
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// isHeadline reports whether a paragraph reads like a headline: short, not
// closed by a full stop or other sentence-internal punctuation, starting
// like a title, and (unless very short) one sentence. Headlines may end in
// a question mark ("Is Germany about to defend ships in the Red Sea?").
func isHeadline(p string) bool {
	n := utf8.RuneCountInString(p)
	if n == 0 || n > 160 || len(strings.Fields(p)) > 25 {
		return false
	}
	first, _ := utf8.DecodeRuneInString(p)
	if unicode.IsLower(first) || unicode.IsPunct(first) && !isQuote(first) {
		return false
	}
	last := lastSignificant(p)
	switch last {
	case '.', ',', ';', ':', '…':
		return false
	}
	if n > 80 && sentenceEnd(p) > 0 {
		return false
	}
	if k, _ := boilerplateKind(p); k != "" {
		return false
	}
	return true
}

// lastSignificant is the last rune of p that is not a closing quote or
// bracket: the punctuation that decides whether p ends a sentence.
func lastSignificant(p string) rune {
	p = strings.TrimRightFunc(p, func(r rune) bool { return isQuote(r) || r == ')' || r == ']' || unicode.IsSpace(r) })
	r, _ := utf8.DecodeLastRuneInString(p)
	return r
}

func isQuote(r rune) bool {
	switch r {
	case '"', '\'', '“', '”', '‘', '’', '«', '»', '„':
		return true
	}
	return false
}

// markHeadings turns short title-like lines between paragraphs of prose
// into subheadings: "Retaliation". A line counts only when the paragraph
// before and the one after read as prose, so track lists, chants and
// credits set one per line stay text.
func markHeadings(paras []Paragraph) {
	for i := 1; i+1 < len(paras); i++ {
		p := &paras[i]
		if p.Kind != Text || !isProse(paras[i-1]) || !isProse(paras[i+1]) {
			continue
		}
		n := utf8.RuneCountInString(p.Text)
		if n > 70 || len(strings.Fields(p.Text)) > 10 {
			continue
		}
		first, _ := utf8.DecodeRuneInString(p.Text)
		if !unicode.IsUpper(first) && !unicode.IsDigit(first) {
			continue
		}
		switch lastSignificant(p.Text) {
		case '.', ',', ';', ':', '…', '!':
			continue
		}
		if strings.ContainsAny(p.Text, "\"“”,!") || strings.Contains(p.Text, "??") {
			continue // a quotation, a list of names or a reader's cry, not a heading
		}
		p.Kind = Heading
	}
}

// isProse reports whether a paragraph is running text: a full sentence or
// more, not a line of a list or a heading.
func isProse(p Paragraph) bool {
	if p.Kind != Text {
		return false
	}
	if utf8.RuneCountInString(p.Text) >= 120 {
		return true
	}
	switch lastSignificant(p.Text) {
	case '.', '!', '?':
		return len(strings.Fields(p.Text)) >= 6
	}
	return false
}

// clauseBreak finds where a long first sentence can end as a headline:
// before a subordinate clause or after a comma.
var clauseBreak = lazyRegexp(`,\s|\s(?:before|after|following|as|amid|while|when|because|but|despite|and then|which|who|where)\s|\s[—–]\s`)

// DeriveTitle makes a title from a lead paragraph: its first sentence, and
// when that is long, the sentence up to a clause boundary near maxTitle
// runes ("The US ambassador ... were evacuated from the US embassy in
// Baghdad on Tuesday"), or else cut at a word with an ellipsis.
func DeriveTitle(lead string) string {
	if i := sentenceEnd(lead); i > 0 {
		lead = lead[:i]
	}
	if t := strings.TrimSpace(strings.TrimRight(lead, ". ")); t != "" {
		lead = t // a lone "." stays: a title is never empty
	}
	if utf8.RuneCountInString(lead) <= maxTitle {
		return lead
	}
	best := 0
	for _, loc := range clauseBreak.FindAllStringIndex(lead, -1) {
		n := utf8.RuneCountInString(lead[:loc[0]])
		if n >= 40 && n <= maxTitle+20 {
			best = loc[0]
		}
	}
	if best > 0 {
		return strings.TrimRight(lead[:best], " ,;:—–-")
	}
	cut, n := 0, 0
	for i, r := range lead {
		if n >= maxTitle {
			break
		}
		if unicode.IsSpace(r) {
			cut = i
		}
		n++
	}
	if cut == 0 {
		return string([]rune(lead)[:maxTitle]) + "…"
	}
	return strings.TrimRight(lead[:cut], " ,;:—–-") + "…"
}

// sentenceEnd returns the byte offset just after the first sentence's
// closing punctuation, or 0 when the text is one sentence. A stop after a
// single letter ("Lina E. found", "U.S. troops") ends no sentence.
func sentenceEnd(s string) int {
	for i := 1; i < len(s)-1; i++ {
		if s[i] != '.' && s[i] != '!' && s[i] != '?' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '"' || s[j] == '\'' || s[j] == ')') {
			j++
		}
		if strings.HasPrefix(s[j:], "”") || strings.HasPrefix(s[j:], "’") {
			j += len("”")
		}
		if j >= len(s)-1 || s[j] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(s[j+1:])
		if !unicode.IsUpper(next) && !isQuote(next) && !unicode.IsDigit(next) {
			continue
		}
		if s[i] == '.' && (i < 2 || s[i-2] == ' ' || s[i-2] == '.') {
			continue // an initial: "Lina E. found", "U.S. troops"
		}
		return j
	}
	return 0
}

func quote(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return `"` + s + `"`
}
