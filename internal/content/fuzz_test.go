package content

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseRawText runs the whole normalizer (decoding, raw-text parsing,
// mapping to an Article) on arbitrary bytes. It must never panic; an
// article it returns has a title, a date and a valid UTF-8 body whose text
// cannot open a tag. Crashers found are kept in testdata/fuzz/.
func FuzzParseRawText(f *testing.F) {
	for _, seed := range []string{
		" date 2019-12-30 The US ambassador to Iraq were evacuated on Tuesday.\n\nRetaliation\n\nRead more: US hits back\n\nkw,cw/aw (AFP, AP, Reuters)\n",
		"Ad sales boost Time Warner profit\n\nQuarterly profits jumped 76% to $1.13bn (\xa3600m).\n",
		"\xff\xfeH\x00i\x00\n\x00",
		" date 2023-05-31 <script>alert(1)</script>\n\n<b>bold</b> & more.\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, prob := Parse("world/2024/05/01/story.txt", data, nil)
		if prob != nil {
			if prob.Msg == "" || prob.Path == "" {
				t.Errorf("problem without message or path: %+v", prob)
			}
			return
		}
		if strings.TrimSpace(a.Title) == "" || a.Date.IsZero() || a.Slug == "" {
			t.Errorf("article without title, date or slug: %+v", a)
		}
		body := string(a.Body)
		if !utf8.ValidString(body) || !utf8.ValidString(a.Title) {
			t.Errorf("invalid UTF-8 in output")
		}
		for _, tag := range []string{"<script", "<b>", "<img"} {
			if strings.Contains(body, tag) {
				t.Errorf("body lets markup through: %q", body)
			}
		}
	})
}
