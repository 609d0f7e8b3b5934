package content

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// decodeText checks that data is text and returns it as UTF-8 with Unix
// line ends: data itself, or a part of it, when it already is (the caller
// must not change data afterwards). Archives are not always UTF-8: a file in UTF-16 (with its byte
// order mark) is decoded; bytes that are not valid UTF-8 are read as
// Windows-1252, the superset of Latin-1 that old newsroom systems wrote
// ("\xa3" is "£", "\x93" is a curly quote). Either way the returned finding
// says so; text that is neither is a Problem, never mojibake on a page.
func decodeText(data []byte) ([]byte, *Finding, *Problem) {
	var found *Finding
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil || !utf8.Valid(out) {
			return nil, nil, &Problem{Msg: "unreadable UTF-16 text", Fix: "save the file as UTF-8"}
		}
		data = out
		found = &Finding{Kind: "encoding", Text: "decoded from UTF-16"}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, &Problem{Msg: "empty file", Fix: "write the article or remove the file"}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, nil, &Problem{Line: lineOf(data, i),
			Msg: "binary data (a NUL byte) in a text article", Fix: "replace the file with the article's text"}
	}
	if !utf8.Valid(data) {
		out, n, bad := decodeMixed(data)
		if bad >= 0 {
			return nil, nil, &Problem{Line: lineOf(data, bad),
				Msg: fmt.Sprintf("invalid UTF-8 at byte %d (0x%02X), and not Windows-1252 text either", bad, data[bad]),
				Fix: "save the file as UTF-8"}
		}
		first := firstInvalid(data)
		found = &Finding{Line: lineOf(data, first), Kind: "encoding",
			Text: fmt.Sprintf("not valid UTF-8: %d byte(s) read as Windows-1252/Latin-1, first %q", n, string(out[first:first+utf8RuneLen(out[first:])]))}
		data = out
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if bytes.Contains(data, []byte("\r\n")) {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	return data, found, nil
}

// decodeMixed keeps every valid UTF-8 sequence of data and decodes each
// other byte as Windows-1252, so a UTF-8 file with one Latin-1 "£" reads
// right. It returns the text, the number of bytes decoded as Windows-1252,
// and the offset of a byte that is not text in either encoding, or -1.
func decodeMixed(data []byte) ([]byte, int, int) {
	dec := charmap.Windows1252
	out := make([]byte, 0, len(data)+16)
	n := 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r != utf8.RuneError || size > 1 {
			out = append(out, data[i:i+size]...)
			i += size
			continue
		}
		r = dec.DecodeByte(data[i])
		if r == utf8.RuneError || r < 0xA0 && r >= 0x80 {
			return nil, 0, i // 0x81, 0x8D, 0x8F, 0x90, 0x9D: unassigned in Windows-1252
		}
		out = utf8.AppendRune(out, r)
		n++
		i++
	}
	return out, n, -1
}

func utf8RuneLen(b []byte) int {
	_, n := utf8.DecodeRune(b)
	return n
}

func lineOf(data []byte, off int) int {
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}
