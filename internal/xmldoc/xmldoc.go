// Package xmldoc writes small XML documents element by element: the feeds
// and sitemaps, whose markup is fixed and whose text is the site's.
//
// It writes what encoding/xml's Encoder with Indent("", " ") writes of
// the same elements marshalled as strings (one space a level, an element
// holding only text on one line, text and attribute values escaped by
// xml.EscapeText), without the encoder's tokens, which cost several times
// the writing itself. Names are written as given and must be valid.
package xmldoc

import (
	"encoding/xml"
	"time"
	"unicode/utf8"
)

// A Writer holds one document being written.
type Writer struct {
	buf   []byte
	depth int  // elements open
	open  bool // the last thing written is a start tag: its end tag follows on its line
}

// New starts a document with the XML header, in a buffer of size bytes.
func New(size int) *Writer {
	w := &Writer{buf: make([]byte, 0, max(size, len(xml.Header)))}
	w.buf = append(w.buf, xml.Header...)
	return w
}

// An Attr is a start tag's name="value".
type Attr struct{ Name, Value string }

// Start opens an element: on a new line, indented, but for the root.
func (w *Writer) Start(name string, attrs ...Attr) {
	if w.depth > 0 {
		w.newline(w.depth)
	}
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
	for _, a := range attrs {
		w.buf = append(w.buf, ' ')
		w.buf = append(w.buf, a.Name...)
		w.buf = append(w.buf, `="`...)
		w.buf = AppendText(w.buf, a.Value)
		w.buf = append(w.buf, '"')
	}
	w.buf = append(w.buf, '>')
	w.depth++
	w.open = true
}

// End closes the element Start opened: on the start tag's line when
// nothing but text came between, else on a line of its own.
func (w *Writer) End(name string) {
	w.depth--
	if !w.open {
		w.newline(w.depth)
	}
	w.open = false
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '>')
}

func (w *Writer) newline(indent int) {
	w.buf = append(w.buf, '\n')
	for range indent {
		w.buf = append(w.buf, ' ')
	}
}

// Text writes <name attrs...>s</name>.
func (w *Writer) Text(name, s string, attrs ...Attr) {
	w.Start(name, attrs...)
	w.buf = AppendText(w.buf, s)
	w.End(name)
}

// Time writes <name>t</name>, t formatted with layout, which must give
// nothing to escape (the standard layouts do not).
func (w *Writer) Time(name string, t time.Time, layout string) {
	w.Start(name)
	w.buf = t.AppendFormat(w.buf, layout)
	w.End(name)
}

// Empty writes an element without content: <name attrs...></name>.
func (w *Writer) Empty(name string, attrs ...Attr) {
	w.Start(name, attrs...)
	w.End(name)
}

// Len is the document's length so far.
func (w *Writer) Len() int { return len(w.buf) }

// Truncate takes the document back to length n, which Len returned right
// after an End at the depth the document is at now: what was written
// since is dropped.
func (w *Writer) Truncate(n int) {
	w.buf = w.buf[:n]
	w.open = false
}

// Bytes ends the document with a newline and returns it. The elements
// opened must all have been closed.
func (w *Writer) Bytes() []byte {
	return append(w.buf, '\n')
}

// AppendText appends s to dst escaped as xml.EscapeText escapes it
// (newlines too, as Marshal does): unchanged when it holds no character
// that needs it, as the URLs and most titles of a site.
func AppendText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= utf8.RuneSelf || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			a := appender{dst}
			xml.EscapeText(&a, []byte(s)) // cannot fail: it appends
			return a.b
		}
	}
	return append(dst, s...)
}

// An appender is an io.Writer that appends to b.
type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}
