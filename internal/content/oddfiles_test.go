package content

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16File(s string, bigEndian bool) []byte {
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// Files as old systems and many hands save them: each is read right or
// reported with what is wrong, never shown as mojibake.
func TestOddFiles(t *testing.T) {
	story := " date 2020-01-02 \n\nCafé “news” – Zürich\n\nThe story’s text.\n"
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")
	tests := []struct {
		name   string
		data   []byte
		title  string // want an article with this title
		errHas string // or a problem with this
	}{
		{name: "utf8.txt", data: []byte(story), title: "Café “news” – Zürich"},
		{name: "bom.txt", data: []byte("\uFEFF" + story), title: "Café “news” – Zürich"},
		{name: "crlf.txt", data: []byte(strings.ReplaceAll(story, "\n", "\r\n")), title: "Café “news” – Zürich"},
		{name: "utf16le.txt", data: utf16File(story, false), title: "Café “news” – Zürich"},
		{name: "utf16be.txt", data: utf16File(story, true), title: "Café “news” – Zürich"},
		{name: "cp1252.txt", data: []byte(" date 2020-01-02 \n\nCaf\xe9 \x93news\x94 \x96 Z\xfcrich\n\nThe story\x92s text.\n"), title: "Café “news” – Zürich"},
		{name: "crlf.md", data: []byte("---\r\ntitle: Café\r\ndate: 2020-01-02\r\n---\r\nBody.\r\n"), title: "Café"},
		{name: "empty.txt", data: nil, errHas: "empty file"},
		{name: "blank.md", data: []byte(" \n\t\r\n"), errHas: "empty file"},
		{name: "image.txt", data: png, errHas: "binary data"},
		{name: "undefined.txt", data: []byte(" date 2020-01-02 \n\nA \x81 b\n\nText.\n"), errHas: "UTF-8"},
	}
	for _, tt := range tests {
		a, prob := Parse(tt.name, tt.data, nil)
		if tt.errHas != "" {
			if prob == nil || !strings.Contains(prob.Msg, tt.errHas) || prob.Fix == "" || prob.Path != tt.name {
				t.Errorf("%s: problem %v; want one naming the file, with %q and a fix", tt.name, prob, tt.errHas)
			}
			continue
		}
		if prob != nil {
			t.Errorf("%s: %v", tt.name, prob)
			continue
		}
		if a.Title != tt.title {
			t.Errorf("%s: title %q, want %q", tt.name, a.Title, tt.title)
		}
		if body := string(a.Body); strings.ContainsAny(body, "\r\uFFFD\uFEFF") {
			t.Errorf("%s: body keeps a CR, BOM or replacement character: %q", tt.name, body)
		}
	}
}
