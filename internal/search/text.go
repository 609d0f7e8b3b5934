package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// plainText returns the text of an article body's HTML, one line per
// block (paragraph, heading, list item, quote), for indexing and snippets.
func plainText(body string) string { return string(appendPlainText(nil, body)) }

// appendPlainText appends plainText(body) to dst. Bodies are sitegen's own
// goldmark output nearly always, a narrow and regular kind of HTML that
// scanSimpleHTML reads at a fraction of the cost of a general tokenizer;
// anything it does not know for sure how golang.org/x/net/html reads
// (comments, raw text elements such as <script>, unquoted attributes, a
// stray "<", a rare entity ...) goes to the tokenizer, so the text is the
// same either way (FuzzPlainText checks that).
func appendPlainText(dst []byte, body string) []byte {
	w := textWriter{buf: dst, start: len(dst)}
	if scanSimpleHTML(&w, body) {
		return w.buf
	}
	w = textWriter{buf: dst[:w.start], start: w.start}
	tokenizeHTML(&w, body)
	return w.buf
}

// tokenizeHTML feeds the text and block boundaries of any HTML to w, by
// golang.org/x/net/html's tokenizer: the reference that scanSimpleHTML
// follows.
func tokenizeHTML(w *textWriter, body string) {
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.TextToken:
			w.writeString(string(z.Text()))
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			if name, _ := z.TagName(); isBlock(atom.Lookup(name)) {
				w.lineBreak()
			}
		}
	}
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Br, atom.Li, atom.Blockquote, atom.Pre, atom.Tr, atom.Td, atom.Th,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Figcaption, atom.Hr:
		return true
	}
	return false
}

// A textWriter appends text to buf as plainText gives it: each line's
// words (split at Unicode white space) joined by one space, lines that
// have words joined by one newline.
type textWriter struct {
	buf            []byte
	start          int  // where the text begins in buf
	space, newline bool // white space, or a line break, seen since the last word's end
}

func (w *textWriter) lineBreak() { w.newline = true }

// writeString appends text, which may hold spaces and line breaks of its
// own.
func (w *textWriter) writeString(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] != 0 {
				if c == '\n' {
					w.newline = true
				} else {
					w.space = true
				}
				i++
				continue
			}
			// A run of ASCII non-space bytes.
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && asciiSpace[s[j]] == 0 {
				j++
			}
			w.word()
			w.buf = append(w.buf, s[i:j]...)
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			w.space = true
		} else {
			w.word()
			w.buf = append(w.buf, s[i:i+size]...)
		}
		i += size
	}
}

// word puts the separator a word needs before it: none at the start, a
// newline after a line break, else a space after white space.
func (w *textWriter) word() {
	if len(w.buf) > w.start {
		if w.newline {
			w.buf = append(w.buf, '\n')
		} else if w.space {
			w.buf = append(w.buf, ' ')
		}
	}
	w.space, w.newline = false, false
}

// asciiSpace marks the bytes unicode.IsSpace (so strings.Fields) splits at.
var asciiSpace = [utf8.RuneSelf]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}

// scanSimpleHTML feeds body's text and block boundaries to w as
// tokenizeHTML does, for HTML made only of text, the five entities
// goldmark writes (others go through the tokenizer's own UnescapeString) and tags whose attributes are double-quoted, as goldmark
// writes them. It reports false at the first thing outside that, leaving
// w to be discarded.
func scanSimpleHTML(w *textWriter, body string) bool {
	if strings.IndexByte(body, '\r') >= 0 {
		return false // the tokenizer turns \r\n and \r into \n
	}
	for i := 0; i < len(body); {
		lt := strings.IndexByte(body[i:], '<')
		if lt < 0 {
			lt = len(body)
		} else {
			lt += i
		}
		if lt > i && !simpleText(w, body[i:lt]) {
			return false
		}
		if lt == len(body) {
			return true
		}
		end, block, ok := simpleTag(body, lt)
		if !ok {
			return false
		}
		if block {
			w.lineBreak()
		}
		i = end
	}
	return true
}

// simpleText feeds one run of text between tags to w, unescaped.
func simpleText(w *textWriter, s string) bool {
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		w.writeString(s)
		return true
	}
	for amp >= 0 {
		w.writeString(s[:amp])
		rest := s[amp:]
		var r string
		switch {
		case strings.HasPrefix(rest, "&quot;"):
			r, s = `"`, rest[len("&quot;"):]
		case strings.HasPrefix(rest, "&amp;"):
			r, s = "&", rest[len("&amp;"):]
		case strings.HasPrefix(rest, "&lt;"):
			r, s = "<", rest[len("&lt;"):]
		case strings.HasPrefix(rest, "&gt;"):
			r, s = ">", rest[len("&gt;"):]
		case strings.HasPrefix(rest, "&#39;"):
			r, s = "'", rest[len("&#39;"):]
		default:
			// Any other reference, in full HTML's rules.
			w.writeString(html.UnescapeString(rest))
			return true
		}
		w.writeString(r)
		amp = strings.IndexByte(s, '&')
	}
	w.writeString(s)
	return true
}

// simpleTag reads the tag that starts at body[lt] ('<') and returns where
// it ends (after its '>') and whether it is a block. ok is false for
// anything but a start or end tag named by ASCII letters and digits, with
// attributes whose values are double-quoted, that is not one of the
// elements whose content the tokenizer reads as raw text.
func simpleTag(body string, lt int) (end int, block, ok bool) {
	i := lt + 1
	if i < len(body) && body[i] == '/' {
		i++
	}
	nameStart := i
	for i < len(body) && isASCIIAlnum(body[i]) {
		i++
	}
	if i == nameStart || !isASCIILetter(body[nameStart]) || i == len(body) {
		return 0, false, false
	}
	if c := body[i]; c != ' ' && c != '\n' && c != '\t' && c != '\f' && c != '/' && c != '>' {
		return 0, false, false // the tokenizer's name goes on to the next space, '/' or '>'
	}
	name := body[nameStart:i]
	for {
		for i < len(body) && (body[i] == ' ' || body[i] == '\n' || body[i] == '\t' || body[i] == '\f') {
			i++
		}
		if i == len(body) {
			return 0, false, false
		}
		switch c := body[i]; {
		case c == '>':
			block, raw := tagKind(name)
			return i + 1, block, !raw
		case c == '/':
			if i+1 < len(body) && body[i+1] == '>' {
				block, raw := tagKind(name)
				return i + 2, block, !raw
			}
			return 0, false, false
		case isASCIIAlnum(c) || c == '-' || c == '_' || c == ':':
			for i < len(body) && (isASCIIAlnum(body[i]) || body[i] == '-' || body[i] == '_' || body[i] == ':') {
				i++
			}
			if i < len(body) && body[i] == '=' {
				if i+1 == len(body) || body[i+1] != '"' {
					return 0, false, false
				}
				q := strings.IndexByte(body[i+2:], '"')
				if q < 0 {
					return 0, false, false
				}
				i += 2 + q + 1
			}
		default:
			return 0, false, false
		}
	}
}

// tagKind says whether the tag named name (ASCII) breaks a line, and
// whether the tokenizer would read the content after it as raw text.
func tagKind(name string) (block, raw bool) {
	var lower [16]byte
	if len(name) > len(lower) {
		return false, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	switch string(lower[:len(name)]) {
	case "p", "div", "br", "li", "blockquote", "pre", "tr", "td", "th",
		"h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "hr":
		return true, false
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp":
		return false, true
	}
	return false, false
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isASCIIAlnum(c byte) bool  { return isASCIILetter(c) || '0' <= c && c <= '9' }
