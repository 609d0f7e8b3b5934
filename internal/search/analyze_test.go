package search

import (
	"html/template"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/sitegen/sitegen/internal/content"
)

// The analysis as it was first written, plainly: golang.org/x/net/html's
// tokenizer, strings.Fields, Fold over a whole field, Tokens and a map.
// The fast analysis must give exactly its results, or the index's bytes
// (and what search.js finds) would change.

func plainTextRef(body string) string {
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

func analyzeRef(a *content.Article, body string) (map[string]float32, float32) {
	tf := map[string]float32{}
	var length float32
	add := func(text string, w float32) {
		Tokens(Fold(text), func(t string) {
			tf[t] += w
			length += w
		})
	}
	add(a.Title, titleWeight)
	add(a.Summary, summaryWeight)
	add(body, bodyWeight)
	for _, t := range a.Tags {
		add(t.Name, tagWeight)
		tf[tagTerm(t.Slug)] = 0
	}
	return tf, length
}

// checkAnalysis fails t unless the fast analysis of a (text and terms)
// is the reference's. an is reused, as a worker reuses its analyzer.
func checkAnalysis(t *testing.T, an *analyzer, a *content.Article) {
	t.Helper()
	want := plainTextRef(string(a.Body))
	an.text = appendPlainText(an.text[:0], string(a.Body))
	if string(an.text) != want {
		t.Fatalf("%s: plain text\n%q\nwant\n%q", a.Source, an.text, want)
	}
	wantTF, wantLen := analyzeRef(a, want)
	got := an.analyze([16]byte{1}, a, an.text)
	if got.Length != wantLen {
		t.Errorf("%s: length %v, want %v", a.Source, got.Length, wantLen)
	}
	n := 0
	for id, tf2 := range pairs(got.Terms) {
		n++
		term, tf := an.dict.terms[id], float32(tf2)/2
		w, ok := wantTF[term]
		if !ok || w != tf {
			t.Errorf("%s: term %q: tf %v, want %v (present: %v)", a.Source, term, tf, w, ok)
		}
	}
	if n != len(wantTF) {
		t.Errorf("%s: %d terms, want %d", a.Source, n, len(wantTF))
	}
}

// htmlCases are bodies of every kind the analysis meets: goldmark's
// output, raw-text articles' paragraphs, and what a site with rawHTML on
// (or a hostile one) may hold.
var htmlCases = []string{
	"",
	"<p>Protesters storm the U.S. embassy.</p>\n<p>Second   paragraph\nwith a break.</p>\n",
	`<h2 id="x">Heading</h2><ul><li>one</li><li><a href="https://e.org/?a=1&amp;b=2" title="t">two</a></li></ul>`,
	`<p>&quot;Quoted&quot; &amp; &lt;tag&gt; it&#39;s &nbsp;&mdash; &eacute;t&eacute; &#x41;&#65 &amp &notit; &unknown;</p>`,
	"<p>Line<br>break<br/>and<br />more<hr>rule</p>",
	`<p><img src="a.png" alt="A &quot;picture&quot;" /> caption</p>`,
	"<P>Upper</P><DIV>case</DIV><Li>tags</LI>",
	"<p>a < b and c <= d, 1<2</p> <",
	"<p>unterminated <a href=\"x",
	"<p>x</p><p-x>not a block</p-x><p>y</p>",
	"<script>var s = '<p>not text</p>';</script><p>after</p>",
	"<style>p { color: red }</style><title>T</title><textarea><p>raw</p></textarea><xmp><b>x</b></xmp>",
	"<p>a<!-- comment <p> -->b</p><!DOCTYPE html><?xml x?></>c</ d>e",
	"<p title='single > quoted'>a</p><p title=unquoted>b</p><p title = \"spaced\">c</p><p a=\"1\"b=\"2\">d</p>",
	"<p a=\"x>y\">quoted gt</p><p / a=\"1\">slash</p><p =x>eq</p>",
	"<p>windows\r\nline\rends</p>",
	"<p>nul \x00 byte</p>",
	"<p>invalid \xff\xfe utf-8 \xe2\x82</p>",
	"<p>non\u00a0breaking\u2003em\u3000ideographic\u0085nel\u2028ls</p>",
	"<p>Müller, MÜLLER and ΟΔΟΣ οδός İstanbul ﬁnal ① ℡x Å\u0301</p>",
	"<p>中国人民 and 東京タワー, عربي، Ελληνικά</p>",
	"<p>" + strings.Repeat("x", 40) + " https://example.org/" + strings.Repeat("y", 31) + "</p>",
	"<pre><code>code  keeps\n  its\n\nlines</code></pre>",
	"<table><tr><th>h</th><td>d</td></tr></table><figure><figcaption>cap</figcaption></figure>",
	"<p>e\u0301" + strings.Repeat("\u0301", 40) + "x</p>",
	"text with no tags at all",
	"<p>&#0; &#xD800; &#x110000; &#128512; &amp;amp;</p>",
	"<plaintext><p>all raw",
	"<p>a</p\n>b<p\tclass=\"c\"\n>c</p>",
}

func TestPlainTextMatchesTokenizer(t *testing.T) {
	for _, body := range htmlCases {
		if got, want := plainText(body), plainTextRef(body); got != want {
			t.Errorf("plainText(%q)\n= %q\nwant %q", body, got, want)
		}
	}
}

// TestSimpleHTMLReadsGoldmark: the fast reader takes goldmark's output
// whole, rather than leaving it to the tokenizer.
func TestSimpleHTMLReadsGoldmark(t *testing.T) {
	for _, body := range htmlCases[1:7] {
		w := textWriter{}
		if !scanSimpleHTML(&w, body) {
			t.Errorf("scanSimpleHTML gave up on %q", body)
		}
	}
}

func TestAnalysisMatchesReference(t *testing.T) {
	an := newAnalyzer(&dictionary{ids: map[string]uint32{}})
	for i, body := range htmlCases {
		a := &content.Article{Source: body, Title: htmlCases[(i+3)%len(htmlCases)], Summary: htmlCases[(i+5)%len(htmlCases)],
			Body: template.HTML(body), Tags: []content.Tag{{Name: "Müller Ports", Slug: "muller-ports"}, {Name: "中国", Slug: "zhong"}}}
		checkAnalysis(t, an, a)
	}
}

func FuzzPlainText(f *testing.F) {
	for _, body := range htmlCases {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if got, want := plainText(body), plainTextRef(body); got != want {
			t.Errorf("plainText(%q)\n= %q\nwant %q", body, got, want)
		}
	})
}

func FuzzAnalyze(f *testing.F) {
	for i, body := range htmlCases {
		f.Add(htmlCases[(i+1)%len(htmlCases)], body, "Tag "+body)
	}
	an := newAnalyzer(&dictionary{ids: map[string]uint32{}})
	f.Fuzz(func(t *testing.T, title, body, tag string) {
		a := &content.Article{Source: "fuzz", Title: title, Summary: title + " " + tag, Body: template.HTML(body),
			Tags: []content.Tag{{Name: tag, Slug: tag}}}
		checkAnalysis(t, an, a)
	})
}
