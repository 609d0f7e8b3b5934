package serve

import "testing"

// WithGODEBUG adds GODEBUG to the environment's settings unless they set
// madvdontneed themselves.
func TestWithGODEBUG(t *testing.T) {
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
		if got, ok := WithGODEBUG(c.godebug); got != c.want || ok != c.ok {
			t.Errorf("WithGODEBUG(%q) = %q, %v; want %q, %v", c.godebug, got, ok, c.want, c.ok)
		}
	}
}
