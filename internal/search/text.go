package search

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// plainText returns the text of an article body's HTML, one line per
// block (paragraph, heading, list item, quote), for indexing and snippets.
func plainText(body string) string {
	var raw strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
loop:
	for {
		switch z.Next() {
		case html.ErrorToken:
			break loop
		case html.TextToken:
			raw.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			if name, _ := z.TagName(); isBlock(atom.Lookup(name)) {
				raw.WriteByte('\n')
			}
		}
	}
	var b strings.Builder
	for line := range strings.Lines(raw.String()) {
		if f := strings.Fields(line); len(f) > 0 {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(strings.Join(f, " "))
		}
	}
	return b.String()
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Br, atom.Li, atom.Blockquote, atom.Pre, atom.Tr, atom.Td, atom.Th,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Figcaption, atom.Hr:
		return true
	}
	return false
}
