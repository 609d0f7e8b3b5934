package content

import (
	"strings"
	"testing"
	"time"
)

func TestParseMarkdown(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		name, src string
		want      func(t *testing.T, a *Article)
		wantProb  string // "line: message" prefix
	}{
		{name: "date only, site zone", src: "---\ntitle: T\ndate: 2024-05-01\n---\nBody.\n",
			want: func(t *testing.T, a *Article) {
				if !a.Date.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, berlin)) || a.URLPath() != "/2024/05/01/t/" {
					t.Errorf("date %v, url %s", a.Date, a.URLPath())
				}
			}},
		{name: "RFC 3339 moves to the site's day", src: "---\ntitle: Late\ndate: 2024-04-30T23:30:00Z\n---\nBody.\n",
			want: func(t *testing.T, a *Article) {
				if a.URLPath() != "/2024/05/01/late/" {
					t.Errorf("url %s: 23:30 UTC is the next day in Berlin", a.URLPath())
				}
			}},
		{name: "CRLF, authors, slug, summary from body", src: "---\r\ntitle: T\r\ndate: 2024-05-01\r\nauthor: A\r\nauthors: [B, C]\r\nslug: My Slug!\r\n---\r\nFirst *para*.\r\n\r\nSecond.\r\n",
			want: func(t *testing.T, a *Article) {
				if strings.Join(a.Authors, ",") != "A,B,C" || a.Slug != "my-slug" || a.Summary != "First para." {
					t.Errorf("authors %v slug %q summary %q", a.Authors, a.Slug, a.Summary)
				}
			}},
		{name: "raw HTML is not passed through", src: "---\ntitle: T\ndate: 2024-05-01\n---\n<script>alert(1)</script>\n\n<b>x</b>\n",
			want: func(t *testing.T, a *Article) {
				if strings.Contains(string(a.Body), "<script") || strings.Contains(string(a.Body), "<b>") {
					t.Errorf("body = %s", a.Body)
				}
			}},
		{name: "tags normalized", src: "---\ntitle: T\ndate: 2024-05-01\ntags: [Iraq, iraq, ' IRAQ ', Économie, '']\n---\nB\n",
			want: func(t *testing.T, a *Article) {
				if len(a.Tags) != 2 || a.Tags[0].Slug != "iraq" || a.Tags[1].Slug != "economie" {
					t.Errorf("tags = %v", a.Tags)
				}
			}},
		{name: "draft", src: "---\ntitle: T\ndate: 2024-05-01\ndraft: true\n---\nB\n",
			want: func(t *testing.T, a *Article) {
				if !a.Draft {
					t.Error("not a draft")
				}
			}},
		{name: "no front matter", src: "Just text\n", wantProb: "1: missing front matter"},
		{name: "unclosed", src: "---\ntitle: T\n", wantProb: "1: front matter is not closed"},
		{name: "no title", src: "---\ndate: 2024-05-01\n---\nB\n", wantProb: "1: front matter has no title"},
		{name: "no date", src: "---\ntitle: T\n---\nB\n", wantProb: "1: front matter has no date"},
		{name: "bad date line", src: "---\ntitle: T\ntags: []\ndate: 01.05.2024\n---\nB\n", wantProb: `4: malformed date "01.05.2024"`},
		{name: "yaml error line", src: "---\ntitle: T\ndate: 2024-05-01\nsummary: a: b\n---\nB\n", wantProb: "4: unparseable front matter: mapping values"},
		{name: "wrong type", src: "---\ntitle: T\ndate: 2024-05-01\ndraft: maybe\n---\nB\n", wantProb: "4: unparseable front matter"},
		{name: "empty body", src: "---\ntitle: T\ndate: 2024-05-01\n---\n\n  \n", wantProb: "5: empty body"},
		{name: "bad source", src: "---\ntitle: T\ndate: 2024-05-01\nsource: javascript:alert(1)\n---\nB\n", wantProb: "1: source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, p := Parse("x.md", []byte(tt.src), berlin)
			if tt.wantProb != "" {
				if p == nil {
					t.Fatalf("no problem, want %q", tt.wantProb)
				}
				if got := strings.TrimPrefix(p.Error(), "x.md:"); !strings.HasPrefix(got, tt.wantProb) {
					t.Fatalf("problem %q, want prefix %q", got, tt.wantProb)
				}
				return
			}
			if p != nil {
				t.Fatal(p)
			}
			tt.want(t, a)
		})
	}
}
