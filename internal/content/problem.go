package content

import (
	"fmt"
	"sort"
	"strings"
)

// A Problem is one thing wrong with one source file: where, what, and what to
// do about it. Problems are reported, never panicked on.
type Problem struct {
	Path string // source path, forward slashes: relative to content/, or to the site root once reported
	Line int    // 1-based line, or 0 when the problem concerns the whole file
	Msg  string // what is wrong
	Fix  string // what the author should do
}

func (p *Problem) Error() string {
	loc := p.Path
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.Path, p.Line)
	}
	if p.Fix == "" {
		return loc + ": " + p.Msg
	}
	return loc + ": " + p.Msg + " (" + p.Fix + ")"
}

// Problems is the list of every problem found in a content tree.
// Its Error method prints one line per problem, sorted by file and line.
type Problems []*Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Sort orders problems by path, then line, for deterministic reports.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Path != ps[j].Path {
			return ps[i].Path < ps[j].Path
		}
		return ps[i].Line < ps[j].Line
	})
}
