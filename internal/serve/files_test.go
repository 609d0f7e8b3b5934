package serve

import (
	"fmt"
	"maps"
	"testing"
)

// A fileSet with changes applied, folded or not, holds what a plain map
// with the same changes holds, and the set it came from is unchanged.
func TestFileSetMatchesMap(t *testing.T) {
	want := map[string][]byte{}
	for i := range 100 {
		want[fmt.Sprint(i)] = []byte{byte(i)}
	}
	s := newFileSet(maps.Clone(want))
	for round := range 40 {
		before, beforeAll := s, s.all()
		changes := map[string]fileChange{}
		for j := range 5 {
			k := fmt.Sprint((round*7 + j*13) % 130) // some new, some old
			if j == 2 {
				changes[k] = fileChange{removed: true}
				delete(want, k)
			} else {
				changes[k] = fileChange{data: []byte{byte(round), byte(j)}}
				want[k] = []byte{byte(round), byte(j)}
			}
		}
		s = s.with(changes)
		if got := s.all(); !maps.EqualFunc(got, want, func(a, b []byte) bool { return string(a) == string(b) }) || s.len() != len(want) {
			t.Fatalf("round %d: %d files %v, want %d %v", round, s.len(), got, len(want), want)
		}
		for k, v := range want {
			if d, ok, _ := s.get(k); !ok || string(d) != string(v) {
				t.Fatalf("round %d: get(%s) = %v %v", round, k, d, ok)
			}
		}
		for k := range changes {
			if _, ok := want[k]; !ok {
				if s.has(k) {
					t.Fatalf("round %d: removed %s still there", round, k)
				}
			}
		}
		if !maps.EqualFunc(before.all(), beforeAll, func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Fatalf("round %d: with changed the set it came from", round)
		}
	}
}
