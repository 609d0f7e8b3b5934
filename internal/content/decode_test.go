package content

import (
	"strings"
	"testing"
)

func TestDecodeText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, finding, problem string
	}{
		{"utf8", "Profit £600m\r\n", "Profit £600m\n", "", ""},
		{"bom", "\uFEFFHeadline\n", "Headline\n", "", ""},
		{"latin1", "Profit \xa3600m, \x93quoted\x94", "Profit £600m, “quoted”", "Windows-1252", ""},
		{"mixed", "Caf\xc3\xa9 costs \xa33", "Café costs £3", "Windows-1252", ""},
		{"utf16le", "\xff\xfeH\x00i\x00 \x00\xa3\x00", "Hi £", "UTF-16", ""},
		{"utf16be", "\xfe\xff\x00H\x00i", "Hi", "UTF-16", ""},
		{"undefined", "bad \x81 byte", "", "", "invalid UTF-8 at byte 4"},
		{"nul", "a\x00b", "", "", "NUL"},
	} {
		got, f, p := decodeText([]byte(tc.in))
		switch {
		case tc.problem != "":
			if p == nil || !strings.Contains(p.Msg, tc.problem) {
				t.Errorf("%s: problem %v, want %q", tc.name, p, tc.problem)
			}
		case p != nil:
			t.Errorf("%s: problem %v", tc.name, p)
		case string(got) != tc.want:
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		case tc.finding == "" && f != nil, tc.finding != "" && (f == nil || !strings.Contains(f.Text, tc.finding)):
			t.Errorf("%s: finding %v, want one naming %q", tc.name, f, tc.finding)
		}
	}
}
