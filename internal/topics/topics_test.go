package topics

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCandidates(t *testing.T) {
	got := map[string]int{}
	for _, c := range Candidates("Protesters storm US embassy in Baghdad",
		"The Kataib Hezbollah militia vowed revenge. Prime Minister Adel Abdul Mahdi said the Bank of England was not involved. "+
			"Hezbollah's fighters, the Kataib Hezbollah, marched.") {
		got[c.Name] = c.Count
	}
	for name, n := range map[string]int{"Kataib Hezbollah": 2, "US": 2, "Baghdad": 2, "Adel Abdul Mahdi": 1, "Bank of England": 1, "Hezbollah": 1} {
		if got[name] != n {
			t.Errorf("%q counted %d times, want %d (all: %v)", name, got[name], n, got)
		}
	}
	for _, bad := range []string{"The", "Prime Minister Adel Abdul Mahdi", "Protesters", "Hezbollah's"} {
		if _, ok := got[bad]; ok {
			t.Errorf("%q is a candidate: %v", bad, got)
		}
	}
}

// A topic named in every story of a large archive says nothing about any
// one of them; a recurring rare one does. Aliases merge spellings before
// counting, and blocked names never become tags.
func TestTagsWeighedAcrossArchive(t *testing.T) {
	rules := NewRules(map[string]string{"Kataeb Hezbollah": "Kataib Hezbollah"}, []string{"Baghdad"})
	ex := &Extractor{Rules: rules}
	story := ex.Add(Candidates("Militia vows revenge",
		"Reuters reported that Kataib Hezbollah fighters gathered. Reuters said Kataeb Hezbollah would respond in Baghdad and Baghdad again."))
	for i := range 30 {
		ex.Add(Candidates(fmt.Sprintf("Story %d", i), fmt.Sprintf("Reuters reported on Topic%d. Reuters said Topic%d grew.", i, i)))
	}
	got := ex.Tags(story)
	if want := []string{"Kataib Hezbollah"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tags %q, want %q", got, want)
	}
}

func TestTagsAtMostEight(t *testing.T) {
	var text []string
	for i := range 12 {
		text = append(text, fmt.Sprintf("Name%c met Name%c.", 'A'+i, 'A'+i))
	}
	ex := &Extractor{}
	i := ex.Add(Candidates("Many names", strings.Join(text, " ")))
	if got := ex.Tags(i); len(got) != MaxTags {
		t.Errorf("%d tags, want %d: %q", len(got), MaxTags, got)
	}
}

func TestLoadRules(t *testing.T) {
	r, err := LoadRules(fstest.MapFS{"tags.yaml": {Data: []byte("aliases:\n  kataeb hezbollah: Kataib Hezbollah\nblock: [DW]\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Canonical("Kataeb  Hezbollah"); got != "Kataib Hezbollah" {
		t.Errorf("alias gives %q", got)
	}
	if got := r.Canonical("dw"); got != "" {
		t.Errorf("blocked tag gives %q", got)
	}
	if _, err := LoadRules(fstest.MapFS{"tags.yaml": {Data: []byte("alias: {}\n")}}); err == nil || !strings.Contains(err.Error(), "tags.yaml") {
		t.Errorf("unknown key: err = %v", err)
	}
	if r, err := LoadRules(fstest.MapFS{}); err != nil || r.Canonical("Iraq") != "Iraq" {
		t.Errorf("no tags.yaml: %v", err)
	}
}
