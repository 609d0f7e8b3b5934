package build

import (
	"fmt"
	"html/template"
	"os"
	"sync"
	"unsafe"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/render"
)

// A bodySpill keeps article bodies in a temporary file during a build to
// disk, so that memory holds the archive's index, not its text: bodies are
// most of an archive's bytes and each is shown on one page (and, by the
// default theme's article template, possibly its neighbours'). Loading
// appends each body to the file; rendering reads back the few a page shows.
// The file is unlinked as soon as it is made, so nothing is left behind.
//
// Bodies are gathered in a buffer and written spillChunk bytes at a time:
// one pwrite per body was a system call per article, 5% of loading.
type bodySpill struct {
	f *os.File

	mu  sync.Mutex
	buf []byte // bodies not yet written; buf[0] goes at offset off
	off int64
	err error // the first failed write: every later put returns it
}

// spillChunk is how many bytes of bodies a spill writes at once.
const spillChunk = 1 << 20

func newBodySpill(dir string) (*bodySpill, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".sitegen-bodies-")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file beside the destination: %w", err)
	}
	os.Remove(f.Name()) // the open file lives on; where it cannot, Close is the end
	return &bodySpill{f: f}, nil
}

// A spilled body's place in the spill file.
type spilled struct {
	off int64
	n   int
}

// put appends body to the spill and returns its place. The body may wait
// in memory until the buffer is full or flush is called; get finds it
// either way.
func (s *bodySpill) put(body string) (spilled, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return spilled{}, s.err
	}
	at := spilled{s.off + int64(len(s.buf)), len(body)}
	if s.buf == nil {
		s.buf = make([]byte, 0, spillChunk+64<<10)
	}
	s.buf = append(s.buf, body...)
	if len(s.buf) >= spillChunk {
		s.writeLocked()
	}
	return at, s.err
}

// flush writes the bodies still in the buffer and lets the buffer go.
func (s *bodySpill) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil && len(s.buf) > 0 {
		s.writeLocked()
	}
	s.buf = nil
	return s.err
}

func (s *bodySpill) writeLocked() {
	_, s.err = s.f.WriteAt(s.buf, s.off)
	s.off += int64(len(s.buf))
	s.buf = s.buf[:0]
}

// get reads a body back. The bytes are read into a new array that becomes
// the string, as strings.Builder does: nothing else holds the array, and
// converting it would copy every body a build reads back a second time (at
// 10,000 articles, 4.6% of a cold build's allocation).
func (s *bodySpill) get(at spilled) (string, error) {
	buf := make([]byte, at.n)
	s.mu.Lock()
	if at.off >= s.off { // still in the buffer
		copy(buf, s.buf[at.off-s.off:])
		s.mu.Unlock()
		return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
	}
	s.mu.Unlock()
	_, err := s.f.ReadAt(buf, at.off)
	return unsafe.String(unsafe.SliceData(buf), len(buf)), err
}

func (s *bodySpill) close() {
	name := s.f.Name()
	s.f.Close()
	os.Remove(name)
}

// withBodies returns p ready to render: when its template may show bodies
// and some of its articles' bodies are in the spill file, a copy of p
// whose articles are copies with their bodies read back: only its own
// article's when that is the only body the template shows
// (render.BodyOwn, as the default theme's article page). Shared articles
// are never written to, so pages render in parallel safely.
func (b *Builder) withBodies(p *render.Page) (*render.Page, error) {
	if b.spill == nil {
		return p, nil
	}
	use := b.theme.renderer.Bodies(p.Template())
	if use == render.BodiesNone {
		return p, nil
	}
	var err error
	fill := func(a *content.Article) *content.Article {
		if a == nil || err != nil {
			return a
		}
		s := b.sources[a.Source]
		if s == nil || s.spill == nil {
			return a
		}
		c := *a
		var body string
		body, err = b.spill.get(*s.spill)
		c.Body = template.HTML(body)
		return &c
	}
	c := *p
	if p.Article != nil {
		c.Article = fill(p.Article)
	}
	if use == render.BodyOwn {
		return &c, err
	}
	if p.Older != nil {
		c.Older = fill(p.Older)
	}
	if p.Newer != nil {
		c.Newer = fill(p.Newer)
	}
	if len(p.List) > 0 {
		c.List = make([]*content.Article, len(p.List))
		for i, a := range p.List {
			c.List[i] = fill(a)
		}
	}
	return &c, err
}
