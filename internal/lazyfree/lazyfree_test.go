package lazyfree

import "testing"

// Add adds GODEBUG to the environment's settings unless they set
// madvdontneed themselves.
func TestAdd(t *testing.T) {
	for _, c := range []struct {
		godebug, want string
		ok            bool
	}{
		{"", "madvdontneed=0", true},
		{"gctrace=1", "gctrace=1,madvdontneed=0", true},
		{"madvdontneed=1", "madvdontneed=1", false},
		{"gctrace=1, madvdontneed=1", "gctrace=1, madvdontneed=1", false},
		{"madvdontneed=0", "madvdontneed=0", false},
	} {
		if got, ok := Add(c.godebug); got != c.want || ok != c.ok {
			t.Errorf("Add(%q) = %q, %v; want %q, %v", c.godebug, got, ok, c.want, c.ok)
		}
	}
}

// On follows the runtime: the last madvdontneed wins.
func TestOn(t *testing.T) {
	for _, c := range []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"madvdontneed=0", true},
		{"gctrace=1, madvdontneed=0", true},
		{"madvdontneed=1", false},
		{"madvdontneed=0,madvdontneed=1", false},
		{"madvdontneed=1,madvdontneed=0", true},
	} {
		if got := On(c.godebug); got != c.want {
			t.Errorf("On(%q) = %v, want %v", c.godebug, got, c.want)
		}
	}
}
