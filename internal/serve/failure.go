package serve

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
)

// A Failure is one reason a rebuild failed, as the browser overlay shows it.
type Failure struct {
	File string `json:"file"`          // path under the site root ("content/posts/a.md"); "" when no file is to blame
	Line int    `json:"line"`          // 1-based line in File; 0 when unknown
	Msg  string `json:"msg"`           // what is wrong
	Fix  string `json:"fix,omitempty"` // what to do about it
}

func (f Failure) String() string {
	s := f.Msg
	if f.Fix != "" {
		s += " (" + f.Fix + ")"
	}
	switch {
	case f.File != "" && f.Line > 0:
		return f.File + ":" + strconv.Itoa(f.Line) + ": " + s
	case f.File != "":
		return f.File + ": " + s
	}
	return s
}

// templateErr finds the file and line in an html/template error, such as
//
//	rendering /2024/05/01/a/: template: article.html:5:3: executing "main" at <.Nope>: can't evaluate field Nope
//	parsing template: template: base.html:12: function "nope" not defined
var templateErr = regexp.MustCompile(`template: ([^:\s]+\.html):(\d+)(?::\d+)?: (.*)`)

// configLine finds the line in a sitegen.yaml error, such as
//
//	sitegen.yaml: line 3: did not find expected ',' or ']' (keys: ...)
//	sitegen.yaml: unmarshal errors:\n  line 1: field titel not found in type config.Config (keys: ...)
var configLine = regexp.MustCompile(`(?:^|\n\s*)line (\d+): `)

// describe turns a failed build's error into the failures the overlay lists,
// each naming the file and line to fix where the error says which.
func describe(err error) []Failure {
	var probs content.Problems
	if errors.As(err, &probs) {
		fs := make([]Failure, len(probs))
		for i, p := range probs {
			fs[i] = Failure{File: p.Path, Line: p.Line, Msg: p.Msg, Fix: p.Fix} // build names them from the site root
		}
		return fs
	}
	msg := err.Error()
	if m := templateErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		return []Failure{{File: "templates/" + m[1], Line: line, Msg: m[3]}}
	}
	if rest, ok := strings.CutPrefix(msg, config.FileName+": "); ok {
		f := Failure{File: config.FileName, Msg: rest}
		if m := configLine.FindStringSubmatchIndex(rest); m != nil {
			f.Line, _ = strconv.Atoi(rest[m[2]:m[3]])
			f.Msg = rest[m[1]:] // the first error; the terminal lists them all
		}
		return []Failure{f}
	}
	return []Failure{{Msg: msg}}
}
