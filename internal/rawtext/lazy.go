package rawtext

import (
	"regexp"
	"sync"
)

// A lazy regular expression is compiled on first use. The package's twenty
// expressions took 8 ms to compile when every sitegen process started, in
// a single thread before anything else; a site of Markdown articles, a
// build that takes every article from its cache and the commands that
// parse no text never use them.
type lazy struct {
	compile func() *regexp.Regexp
}

// lazyRegexp returns expr, compiled on first use; expr must be valid, as
// regexp.MustCompile's.
func lazyRegexp(expr string) *lazy {
	return &lazy{sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
}

func (l *lazy) MatchString(s string) bool              { return l.compile().MatchString(s) }
func (l *lazy) FindStringIndex(s string) []int         { return l.compile().FindStringIndex(s) }
func (l *lazy) FindStringSubmatch(s string) []string   { return l.compile().FindStringSubmatch(s) }
func (l *lazy) FindAllString(s string, n int) []string { return l.compile().FindAllString(s, n) }
func (l *lazy) FindAllStringIndex(s string, n int) [][]int {
	return l.compile().FindAllStringIndex(s, n)
}
