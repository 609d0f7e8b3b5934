package content

import (
	"bufio"
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"go.yaml.in/yaml/v3"
)

// newMarkdown configures goldmark for article bodies.
//   - GFM tables, strikethrough and autolinks: what newsroom CMS exports use.
//     Bare URLs and addresses are linked by Linkify, asked only where a
//     link can start (see quickLinkify).
//   - Typographer stays off: curly quotes and dashes are kept as written.
//   - Raw HTML stays off unless the site sets rawHTML (goldmark's default, no
//     html.WithUnsafe), so a body from an untrusted export cannot inject
//     markup or script: raw HTML becomes a comment and javascript:, vbscript:
//     and data: links lose their href.
//   - Heading IDs are generated so that sections can be linked to.
func newMarkdown(rawHTML bool) *bodyMarkdown {
	var rendererOpts []renderer.Option
	if rawHTML {
		rendererOpts = append(rendererOpts, html.WithUnsafe())
	}
	md := func(exts ...goldmark.Extender) goldmark.Markdown {
		return goldmark.New(
			goldmark.WithExtensions(append([]goldmark.Extender{extension.Table, extension.Strikethrough}, exts...)...),
			goldmark.WithParserOptions(parser.WithAutoHeadingID()),
			goldmark.WithRendererOptions(rendererOpts...),
		)
	}
	return &bodyMarkdown{linking: md(quickLinkifyExtension{}), plain: md()}
}

var (
	markdown        = newMarkdown(false) // the default: raw HTML omitted
	markdownRawHTML = newMarkdown(true)  // for sites that set rawHTML: true
)

// frontMatter is the YAML block at the top of a Markdown article.
type frontMatter struct {
	Title   string    `yaml:"title"`
	Date    yaml.Node `yaml:"date"`
	Updated yaml.Node `yaml:"lastmod"`
	Tags    []string  `yaml:"tags"`
	Author  string    `yaml:"author"`
	Authors []string  `yaml:"authors"`
	Summary string    `yaml:"summary"`
	Image   string    `yaml:"image"`
	Slug    string    `yaml:"slug"`
	Draft   bool      `yaml:"draft"`
	Source  string    `yaml:"source"` // URL of the original publication
	Aliases yaml.Node `yaml:"aliases"`
}

// splitFrontMatter separates "---\nYAML\n---\nbody". It returns the YAML,
// the body, and the 1-based line on which the body starts. YAML and body
// are parts of src, not copies.
func splitFrontMatter(src []byte) (yamlText, body []byte, bodyLine int, err *Problem) {
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return nil, nil, 0, &Problem{Line: 1, Msg: "missing front matter: the file must start with a line \"---\"",
			Fix: "add a YAML block with at least title and date between two \"---\" lines"}
	}
	s := src[len("---\n"):]
	// end is where the closing line "---" starts in s: right away, after
	// the first newline that one follows, or at the end of a file that
	// ends without a newline.
	end := 0
	if !bytes.HasPrefix(s, []byte("---\n")) && !bytes.Equal(s, []byte("---")) {
		i := bytes.Index(s, []byte("\n---\n"))
		if i < 0 && bytes.HasSuffix(s, []byte("\n---")) {
			i = len(s) - len("\n---")
		}
		if i < 0 {
			return nil, nil, 0, &Problem{Line: 1, Msg: "front matter is not closed",
				Fix: "end the YAML block with a line \"---\""}
		}
		end = i + 1
	}
	yamlText = s[:end]
	body = s[min(end+len("---\n"), len(s)):]
	if len(body) > 0 && body[len(body)-1] != '\n' {
		body = append(body[:len(body):len(body)], '\n') // a copy: src stays as it is
	}
	bodyLine = 3 + bytes.Count(yamlText, []byte("\n"))
	return yamlText, body, bodyLine, nil
}

// An output is where goldmark renders a body: a buffer, and the buffered
// writer goldmark would otherwise make (4 KB) for every article. Reused
// through outPool; the body is copied out of it.
type output struct {
	buf bytes.Buffer
	w   *bufio.Writer
}

var outPool = sync.Pool{New: func() any {
	o := &output{}
	o.w = bufio.NewWriter(&o.buf)
	return o
}}

// parseMarkdown turns a Markdown source with front matter into an Article.
func parseMarkdown(a *Article, src []byte, loc *time.Location, md *bodyMarkdown) *Problem {
	yamlText, body, bodyLine, p := splitFrontMatter(src)
	if p != nil {
		return p
	}
	var fm frontMatter
	if err := yaml.Unmarshal(yamlText, &fm); err != nil {
		line, msg := yamlErrorLine(err)
		return &Problem{Line: 1 + line, Msg: "unparseable front matter: " + msg,
			Fix: "fix the YAML between the \"---\" lines"}
	}
	if strings.TrimSpace(fm.Title) == "" {
		return &Problem{Line: 1, Msg: "front matter has no title", Fix: "add a line \"title: ...\""}
	}
	d, p := parseDateNode(&fm.Date, loc)
	if p != nil {
		return p
	}
	if d.IsZero() {
		return &Problem{Line: 1, Msg: "front matter has no date",
			Fix: "add a line \"date: YYYY-MM-DD\" or an RFC 3339 time"}
	}
	u, p := parseDateNode(&fm.Updated, loc)
	if p != nil {
		return p
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &Problem{Line: bodyLine, Msg: "empty body: the article has no text after its front matter",
			Fix: "write the story below the closing \"---\""}
	}
	aliases, p := parseAliases(&fm.Aliases)
	if p != nil {
		return p
	}
	out := outPool.Get().(*output)
	defer outPool.Put(out)
	out.buf.Reset()
	out.buf.Grow(len(body) + len(body)/4)
	out.w.Reset(&out.buf)
	if err := md.convert(body, out.w); err != nil {
		return &Problem{Line: bodyLine, Msg: "rendering Markdown: " + err.Error()}
	}
	if err := out.w.Flush(); err != nil {
		return &Problem{Line: bodyLine, Msg: "rendering Markdown: " + err.Error()}
	}
	buf := &out.buf
	a.Title = strings.TrimSpace(fm.Title)
	a.Date, a.Updated = d, u
	a.Tags = makeTags(fm.Tags)
	a.Authors = fm.Authors
	if fm.Author != "" {
		a.Authors = append([]string{fm.Author}, a.Authors...)
	}
	a.Summary = strings.TrimSpace(fm.Summary)
	a.Image = strings.TrimSpace(fm.Image)
	a.Slug = fm.Slug
	a.Draft = fm.Draft
	if fm.Source != "" {
		if u, err := url.Parse(fm.Source); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &Problem{Line: 1, Msg: fmt.Sprintf("source %q is not an http(s) URL", fm.Source),
				Fix: "write the original article's address, such as https://example.org/story"}
		}
		a.Links = append(a.Links, Link{Text: "Original article", URL: fm.Source})
	}
	a.Aliases = aliases
	a.Body = template.HTML(buf.String())
	if a.Summary == "" {
		a.Summary = summarize(plainText(string(a.Body)))
	}
	return nil
}

// parseDateNode reads a front-matter date: YYYY-MM-DD (midnight in loc) or an
// RFC 3339 time. An absent node gives the zero time.
func parseDateNode(n *yaml.Node, loc *time.Location) (time.Time, *Problem) {
	if n.Kind == 0 || n.Value == "" {
		return time.Time{}, nil
	}
	v := strings.TrimSpace(n.Value)
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.In(loc), nil
		}
	}
	return time.Time{}, &Problem{Line: 1 + n.Line, Msg: fmt.Sprintf("malformed date %q", v),
		Fix: "write YYYY-MM-DD or an RFC 3339 time such as 2024-05-01T12:00:00+02:00"}
}

// parseAliases reads the front matter's aliases, a list of old site paths,
// and cleans each with CleanAlias. A bad alias is reported on its own line.
func parseAliases(n *yaml.Node) ([]string, *Problem) {
	if n.Kind == 0 {
		return nil, nil
	}
	items := n.Content
	if n.Kind == yaml.ScalarNode {
		items = []*yaml.Node{n}
	} else if n.Kind != yaml.SequenceNode {
		return nil, &Problem{Line: 1 + n.Line, Msg: "aliases is not a list",
			Fix: "write aliases: [/old/path/, /older/path.html]"}
	}
	var out []string
	for _, item := range items {
		if item.Kind != yaml.ScalarNode {
			return nil, &Problem{Line: 1 + item.Line, Msg: "an alias is not a plain path",
				Fix: "write each alias as a site path such as /old/path/"}
		}
		clean, err := CleanAlias(item.Value)
		if err != nil {
			return nil, &Problem{Line: 1 + item.Line, Msg: fmt.Sprintf("bad alias %q: %v", item.Value, err),
				Fix: "write the old URL's path on this site, such as /news/2019/story.html, or remove it"}
		}
		out = append(out, clean)
	}
	return out, nil
}

// yamlErrorLine extracts "line N" from a yaml error message.
func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return line, msg
	}
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = strings.Join(te.Errors, "; ")
		if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
			if i := strings.Index(msg, ": "); i >= 0 {
				msg = msg[i+2:]
			}
		}
	}
	return line, msg
}
