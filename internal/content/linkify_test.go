package content

import (
	"bytes"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
)

// referenceMarkdown is the configuration newMarkdown stands for: goldmark
// with the stock Linkify extension asked everywhere.
func referenceMarkdown(rawHTML bool) goldmark.Markdown {
	var rendererOpts []renderer.Option
	if rawHTML {
		rendererOpts = append(rendererOpts, html.WithUnsafe())
	}
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(rendererOpts...),
	)
}

var linkifySeeds = []string{
	"Plain text, two lines\nof it.  \nA hard break, then *emphasis* and **strong** _words_ ~~gone~~.\n",
	"See [the report](https://archive.example.org/story/1) and (www.example.org) or http://x.org/a_(b).\n",
	"Write to press@example.org, or *press@example.org*. Not an address: a@b, @home.\n",
	"Escapes: a\\ b \\*not em\\* \\(www.x.org\\) &amp; &#40;ftp://f.org/x&#41;.\n\n    code http://x.org\n\n`http://y.org` and <http://z.org>\n",
	"# Heading www.x.org\n\n| a | b |\n|---|---|\n| https://t.org | c@d.org |\n\n> quote http://q.org\n\n- item ftp://f.org\n",
	"Trailing space \nand tab\tand a\\\nbackslash break, (parens) and *stars * and _under_scores_.\n",
	"<b>raw</b> http://x.org<i>y</i> www.example.com. https://example.com, done.\n",
	"mail:x@y.z wwwx.org httpx://a.org hTTp://a.org WWW.A.ORG ftp://\n",
}

// TestLinkifyShortcuts renders the seeds as the reference configuration
// does.
func TestLinkifyShortcuts(t *testing.T) {
	for _, s := range linkifySeeds {
		checkLinkifyShortcuts(t, []byte(s))
	}
}

// FuzzLinkifyShortcuts checks that bodyMarkdown, which renders a body
// without Linkify when it cannot hold a bare link and asks Linkify only
// where one can start, gives the HTML of goldmark with the stock Linkify.
func FuzzLinkifyShortcuts(f *testing.F) {
	for _, s := range linkifySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkLinkifyShortcuts(t, []byte(s))
	})
}

var referenceMarkdowns = [2]goldmark.Markdown{referenceMarkdown(false), referenceMarkdown(true)}

func checkLinkifyShortcuts(t *testing.T, body []byte) {
	t.Helper()
	for i, md := range []*bodyMarkdown{markdown, markdownRawHTML} {
		var got, want bytes.Buffer
		errGot := md.convert(body, &got)
		errWant := referenceMarkdowns[i].Convert(body, &want)
		if (errGot == nil) != (errWant == nil) || got.String() != want.String() {
			t.Fatalf("body %q (raw HTML %v, may link %v):\ngot  %q (%v)\nwant %q (%v)",
				body, i == 1, mayAutolink(body), got.String(), errGot, want.String(), errWant)
		}
	}
}
