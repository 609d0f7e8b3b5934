package content

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// decodeFrontMatter decodes the YAML between an article's "---" lines into
// fm. Almost every article's front matter is a few lines of "key: value"
// with quoted or plain one-line values and flow lists ("tags: [a, b]"),
// which decodeSimple reads directly; anything else (block lists, multi-line
// or escaped values, anchors, comments after values, unknown keys, errors)
// goes to yaml.v3, whose errors carry the line. yaml.v3 builds a node tree
// and allocates 12 KB to decode six short lines: it was 15% of parsing a
// Markdown article. FuzzSimpleFrontMatter checks that whatever decodeSimple
// accepts, yaml.v3 decodes to the same values.
func decodeFrontMatter(text []byte, fm *frontMatter) error {
	if decodeSimple(string(text), fm) {
		return nil
	}
	*fm = frontMatter{}
	return yaml.Unmarshal(text, fm)
}

// decodeSimple decodes text into fm and reports true when text is in the
// subset of YAML it reads, which it reads exactly as yaml.v3 does: lines of
// a known key at the start of the line, ": " and a value that is
// double-quoted (escapes \" \\ \/ \n and \t only), single-quoted, plain
// (not starting with an indicator, without ": " or " #", not a null), or
// for the list fields a flow sequence of such values on one line; blank
// lines; nothing but printable characters, no tabs. It reports false, with
// fm in any state, for anything else. The strings it sets are copies, as
// yaml.v3's are: an article keeps its title alive, not its whole front
// matter (nor, through the tags remembered by MakeTag, a front matter per
// tag name).
func decodeSimple(text string, fm *frontMatter) bool {
	if !simpleChars(text) {
		return false
	}
	var seen uint16
	line := 0
	for text != "" {
		line++
		l, rest, ok := strings.Cut(text, "\n")
		if !ok {
			return false // splitFrontMatter ends the text with a newline
		}
		text = rest
		if l == "" {
			continue
		}
		key, val, ok := strings.Cut(l, ":")
		if !ok || val == "" || val[0] != ' ' {
			return false
		}
		val = strings.TrimLeft(val, " ")
		k := frontMatterKey(key)
		if k < 0 || seen&(1<<k) != 0 || val == "" {
			return false // yaml.v3 reports a key given twice; an empty value is a null
		}
		seen |= 1 << k
		col := len(l) - len(val) + 1
		switch k {
		case keyTitle, keyAuthor, keySummary, keyImage, keySlug, keySource:
			s, ok := oneScalar(val)
			if !ok {
				return false
			}
			*fm.stringField(k) = strings.Clone(s)
		case keyDraft:
			switch strings.TrimRight(val, " ") {
			case "true":
				fm.Draft = true
			case "false":
				fm.Draft = false
			default:
				return false
			}
		case keyDate, keyUpdated:
			s, ok := oneScalar(val)
			if !ok {
				return false
			}
			n := fm.nodeField(k)
			*n = yaml.Node{Kind: yaml.ScalarNode, Value: s, Line: line, Column: col}
		case keyTags, keyAuthors:
			items, ok := flowSequence(val)
			if !ok {
				return false
			}
			list := make([]string, len(items))
			for i, it := range items {
				list[i] = strings.Clone(it.value)
			}
			if k == keyTags {
				fm.Tags = list
			} else {
				fm.Authors = list
			}
		case keyAliases:
			if val[0] != '[' {
				s, ok := oneScalar(val)
				if !ok {
					return false
				}
				fm.Aliases = yaml.Node{Kind: yaml.ScalarNode, Value: s, Line: line, Column: col}
				continue
			}
			items, ok := flowSequence(val)
			if !ok {
				return false
			}
			fm.Aliases = yaml.Node{Kind: yaml.SequenceNode, Line: line, Column: col}
			for _, it := range items {
				fm.Aliases.Content = append(fm.Aliases.Content,
					&yaml.Node{Kind: yaml.ScalarNode, Value: it.value, Line: line, Column: col + it.at})
			}
		}
	}
	return true
}

// The keys decodeSimple knows: frontMatter's fields.
const (
	keyTitle = iota
	keyDate
	keyUpdated
	keyTags
	keyAuthor
	keyAuthors
	keySummary
	keyImage
	keySlug
	keyDraft
	keySource
	keyAliases
)

func frontMatterKey(k string) int {
	switch k {
	case "title":
		return keyTitle
	case "date":
		return keyDate
	case "lastmod":
		return keyUpdated
	case "tags":
		return keyTags
	case "author":
		return keyAuthor
	case "authors":
		return keyAuthors
	case "summary":
		return keySummary
	case "image":
		return keyImage
	case "slug":
		return keySlug
	case "draft":
		return keyDraft
	case "source":
		return keySource
	case "aliases":
		return keyAliases
	}
	return -1
}

func (fm *frontMatter) stringField(k int) *string {
	switch k {
	case keyTitle:
		return &fm.Title
	case keyAuthor:
		return &fm.Author
	case keySummary:
		return &fm.Summary
	case keyImage:
		return &fm.Image
	case keySlug:
		return &fm.Slug
	}
	return &fm.Source
}

func (fm *frontMatter) nodeField(k int) *yaml.Node {
	if k == keyDate {
		return &fm.Date
	}
	return &fm.Updated
}

// simpleChars reports whether every character of s is one decodeSimple
// reads as yaml.v3 does: a newline, printable ASCII, or a printable
// character beyond it that YAML gives no meaning (not a line or paragraph
// separator, not a byte order mark).
func simpleChars(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1, r < 0xa0, r == 0x2028, r == 0x2029, r == 0xfeff,
			r >= 0xd800 && r < 0xe000, r == 0xfffe, r == 0xffff:
			return false
		}
		i += n
	}
	return true
}

// oneScalar reads a value that is all of the rest of a line: a quoted
// scalar followed by nothing but spaces, or a plain one.
func oneScalar(val string) (string, bool) {
	switch val[0] {
	case '"', '\'':
		s, n, ok := quoted(val)
		if !ok || strings.TrimRight(val[n:], " ") != "" {
			return "", false
		}
		return s, true
	}
	s := strings.TrimRight(val, " ")
	if !plainScalar(s) {
		return "", false
	}
	return s, true
}

// quoted reads the quoted scalar val starts with and returns its value and
// length. Double-quoted values may escape only ", \, /, newline and tab.
func quoted(val string) (string, int, bool) {
	q := val[0]
	if j := strings.IndexByte(val[1:], q); j >= 0 { // most values escape nothing: no copy
		s, after := val[1:1+j], val[2+j:]
		if q == '"' && !strings.Contains(s, `\`) || q == '\'' && !strings.HasPrefix(after, "'") {
			return s, j + 2, true
		}
	}
	var b strings.Builder
	for i := 1; i < len(val); i++ {
		c := val[i]
		switch {
		case c == q && q == '\'' && i+1 < len(val) && val[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == q:
			return b.String(), i + 1, true
		case c == '\\' && q == '"':
			if i+1 == len(val) {
				return "", 0, false
			}
			i++
			switch val[i] {
			case '"', '\\', '/':
				b.WriteByte(val[i])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				return "", 0, false
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false // not closed on this line
}

// plainScalar reports whether s, trimmed, is read by yaml.v3 as a plain
// scalar of exactly these characters that is not a null: it does not start
// with an indicator or a space, and holds no ": " or " #" and does not end
// in ":", which would make it a mapping or cut it at a comment.
func plainScalar(s string) bool {
	if s == "" || strings.ContainsRune("-?:,[]{}#&*!|>'\"%@` ", rune(s[0])) {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	switch s {
	case "~", "null", "Null", "NULL":
		return false
	}
	return true
}

// A flowItem is one value of a flow sequence and its offset in the value.
type flowItem struct {
	value string
	at    int
}

// flowSequence reads a one-line flow sequence, "[a, 'b', "c"]", of quoted
// values and plain ones of the few characters flowPlain allows.
func flowSequence(val string) ([]flowItem, bool) {
	if val[0] != '[' {
		return nil, false
	}
	items := []flowItem{}
	i := 1
	skip := func() {
		for i < len(val) && val[i] == ' ' {
			i++
		}
	}
	skip()
	if i < len(val) && val[i] == ']' {
		i++
	} else {
		for {
			skip()
			if i == len(val) {
				return nil, false
			}
			var s string
			start := i
			switch val[i] {
			case '"', '\'':
				var n int
				var ok bool
				if s, n, ok = quoted(val[i:]); !ok {
					return nil, false
				}
				i += n
			default:
				for i < len(val) && val[i] != ',' && val[i] != ']' {
					i++
				}
				s = strings.TrimRight(val[start:i], " ")
				if !flowPlain(s) {
					return nil, false
				}
			}
			items = append(items, flowItem{s, start})
			skip()
			if i == len(val) {
				return nil, false
			}
			if val[i] == ']' {
				i++
				break
			}
			if val[i] != ',' {
				return nil, false
			}
			i++
		}
	}
	if strings.TrimRight(val[i:], " ") != "" {
		return nil, false
	}
	return items, true
}

// flowPlain reports whether s is a plain value inside a flow sequence that
// decodeSimple reads: letters, digits, "/" and, after the first, spaces
// and "-_.", and not a null.
func flowPlain(s string) bool {
	if s == "" || !plainScalar(s) {
		return false
	}
	for i, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r >= utf8.RuneSelf:
		case r == '/', i > 0 && strings.ContainsRune(" -_.", r):
		default:
			return false
		}
	}
	return true
}
