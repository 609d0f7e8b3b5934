package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// referenceFill is how T filled in its arguments before fill: a
// strings.Replacer of "{1}", "{2}" ...
func referenceFill(s string, args []any) string {
	pairs := make([]string, 0, 2*len(args))
	for i, a := range args {
		pairs = append(pairs, "{"+strconv.Itoa(i+1)+"}", fmt.Sprint(a))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func TestFillMatchesReplacer(t *testing.T) {
	args := []any{"a", 2, "{1}", "", 5, 6, 7, 8, 9, "ten", 11, 12}
	for _, s := range []string{
		"", "plain", "{1}", "{1}{2}", "x {1} y {2} z", "{{1}}", "{1}}", "{", "}", "{0}", "{01}", "{3}",
		"{10}{11}{12}{13}", "{1", "{1x}", "{-1}", "{ 1}", "{99999999999999999999}", "é{2}ü{1}",
	} {
		for n := 0; n <= len(args); n++ {
			if got, want := fill(s, args[:n]), referenceFill(s, args[:n]); got != want {
				t.Errorf("fill(%q, %d args) = %q, want %q", s, n, got, want)
			}
		}
	}
}

func FuzzFillMatchesReplacer(f *testing.F) {
	f.Add("{1} and {2}", "x", 3)
	f.Add("{{1}}{10}{01}", "", 12)
	f.Fuzz(func(t *testing.T, s, arg string, n int) {
		n = max(0, min(n, 20))
		args := make([]any, n)
		for i := range args {
			args[i] = arg + strconv.Itoa(i)
		}
		if got, want := fill(s, args), referenceFill(s, args); got != want {
			t.Errorf("fill(%q, %d args) = %q, want %q", s, n, got, want)
		}
	})
}
