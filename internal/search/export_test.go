package search

import (
	"testing"

	"github.com/sitegen/sitegen/internal/content"
)

// CheckAnalysis fails t unless the fast analysis of each article is the
// reference's (see analyze_test.go), for tests outside the package.
func CheckAnalysis(t *testing.T, arts []*content.Article) {
	an := newAnalyzer(&dictionary{ids: map[string]uint32{}})
	for _, a := range arts {
		checkAnalysis(t, an, a)
	}
}

// SetInvertBounds sets the postings inverted in one pass and the passes
// aimed at (0 leaves either as it is), for benchmarks outside the package,
// and returns the function that puts them back.
func SetInvertBounds(postings, passes int) (restore func()) {
	n, k := maxPostings, maxInvertPasses
	if postings > 0 {
		maxPostings = postings
	}
	if passes > 0 {
		maxInvertPasses = passes
	}
	return func() { maxPostings, maxInvertPasses = n, k }
}
