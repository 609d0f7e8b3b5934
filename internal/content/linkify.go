package content

import (
	"bytes"
	"io"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// goldmark's Linkify extension is asked, at every space of every line (and
// after "*", "_", "~" and "("), whether a bare URL or e-mail address starts
// there; with the text segment goldmark closes at each of those places it
// was a third of rendering a body. Yet it can only ever link text starting
// with "http:", "https:", "ftp:" or "www.", or an address around an "@".
// So a body holding none of those is rendered without it, which gives the
// same HTML (FuzzLinkifyShortcuts) but for white space at the ends of
// lines (see needsLinkifySplits), and in the others it is asked only
// where a link can start: after one of those characters, a letter that
// starts a URL, or anywhere when the body holds an "@".

// mayAutolink reports whether Linkify could find a link in body.
func mayAutolink(body []byte) bool {
	return bytes.IndexByte(body, '@') >= 0 || bytes.Contains(body, []byte("http:")) ||
		bytes.Contains(body, []byte("https:")) || bytes.Contains(body, []byte("ftp:")) ||
		bytes.Contains(body, []byte("www."))
}

// needsLinkifySplits reports whether body has a run of two or more
// spaces, tabs or other white space characters at the end of a line (or
// before a "|" that may end a table cell). goldmark trims white space at
// the end of a line only after the last place an inline parser was asked
// about, which with Linkify is the last space: "a \t" then keeps "a ",
// without it "a". A body with such a run is rendered with Linkify even
// when it cannot make a link.
func needsLinkifySplits(body []byte) bool {
	run := 0
	for _, c := range body {
		switch c {
		case ' ', '\t', '\v', '\f', '\r':
			run++
			continue
		case '\n', '|':
			if run >= 2 {
				return true
			}
		}
		run = 0
	}
	return run >= 2
}

// noAddressKey marks the parser context of a body without an "@", where
// Linkify can find no e-mail address.
var noAddressKey = parser.NewContextKey()

// quickLinkify is Linkify, asked only where it can make a link.
type quickLinkify struct {
	linkify parser.InlineParser
}

func (q *quickLinkify) Trigger() []byte { return q.linkify.Trigger() }

func (q *quickLinkify) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) > 0 {
		switch line[0] {
		case ' ', '*', '_', '~', '(': // Linkify's triggers, which it skips
			line = line[1:]
		}
	}
	if len(line) == 0 {
		return nil
	}
	if c := line[0]; c != 'h' && c != 'f' && c != 'w' && pc.Get(noAddressKey) != nil {
		return nil // neither a URL ("http:", "https:", "ftp:", "www.") nor an address
	}
	return q.linkify.Parse(parent, block, pc)
}

// quickLinkifyExtension adds quickLinkify where extension.Linkify adds its
// parser, with the same priority.
type quickLinkifyExtension struct{}

func (quickLinkifyExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(
		util.Prioritized(&quickLinkify{linkify: extension.NewLinkifyParser()}, 999)))
}

// A bodyMarkdown renders article bodies: with Linkify when the body may
// hold a bare link, without it when it cannot.
type bodyMarkdown struct {
	linking, plain goldmark.Markdown
}

func (m *bodyMarkdown) convert(body []byte, w io.Writer) error {
	if !mayAutolink(body) && !needsLinkifySplits(body) {
		return m.plain.Convert(body, w)
	}
	pc := parser.NewContext()
	if bytes.IndexByte(body, '@') < 0 {
		pc.Set(noAddressKey, true)
	}
	return m.linking.Convert(body, w, parser.WithContext(pc))
}
