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
