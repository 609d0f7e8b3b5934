package rawtext

// This file keeps the tests of boilerplate and credits as they were before
// each pattern got a cheap test of whether it can match (folded): the
// reference that the faster ones must agree with, on the shared corpus of
// real news and by fuzzing.

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func refBoilerplateKind(p string) (Kind, string) {
	if len(p) > maxBoilerplate {
		return "", ""
	}
	if m := readMore.FindStringSubmatch(p); m != nil {
		return ReadMore, strings.TrimSpace(m[1])
	}
	if !strings.ContainsAny(p, ":@/") && !hasCue(strings.ToLower(p)) {
		return "", ""
	}
	switch {
	case refIsShareWidget(p):
		return Share, ""
	case videoNotice.MatchString(p):
		return VideoNotice, ""
	case socialEmbed.MatchString(p):
		return Social, ""
	case promoOpeners.MatchString(p), len(p) < 400 && promoCalls.MatchString(p):
		return Promo, ""
	case len(p) < 250 && caption.MatchString(p) && captionLike(p):
		return Caption, ""
	}
	return "", ""
}

func refIsShareWidget(p string) bool {
	if loc := watchVideo.FindStringIndex(p); loc != nil && loc[0] == 0 {
		return true
	}
	if permalink.MatchString(p) || shareButton.MatchString(p) {
		return true
	}
	return distinctSocial(p) >= 3 && !strings.Contains(p, ". ")
}

func (s *Story) refTakeCredit(sentence string) Kind {
	if len(sentence) > maxCredit {
		return ""
	}
	if m := agencyLine.FindStringSubmatch(sentence); m != nil {
		as := agencyList(m[2])
		if as == nil || m[1] == "" && !allKnown(m[2]) {
			return ""
		}
		s.addAgencies(as...)
		if in := strings.TrimSpace(m[1]); in != "" {
			s.Initials = collapse(in)
		}
		return Agency
	}
	if m := editedBy.FindStringSubmatch(sentence); m != nil {
		s.Editor = m[1]
		return Editor
	}
	if translatedFrom.MatchString(sentence) || translatedWhich.MatchString(sentence) {
		s.Translation = sentence
		if !strings.HasSuffix(s.Translation, ".") {
			s.Translation += "."
		}
		if m := andEditedBy.FindStringSubmatch(sentence); m != nil {
			s.Editor = strings.TrimSpace(m[1])
		}
		return Translation
	}
	if m := materialFrom.FindStringSubmatch(sentence); m != nil {
		if as := agencyList(strings.ReplaceAll(m[1], " and ", ", ")); as != nil {
			s.addAgencies(as...)
			return Agency
		}
		if strings.Contains(strings.ToLower(m[1]), "news agenc") {
			return Agency
		}
		return ""
	}
	for _, re := range []*lazy{contributedBy, reportingBy} {
		m := re.FindStringSubmatch(sentence)
		if m == nil {
			continue
		}
		who := m[1]
		if as := agencyList(strings.ReplaceAll(who, " and ", ", ")); as != nil && allKnown(strings.ReplaceAll(who, " and ", ", ")) {
			s.addAgencies(as...)
			return Agency
		}
		ns := names(who)
		if len(ns) == 0 || len(who) > 160 {
			return ""
		}
		s.addContributors(ns...)
		return Contributor
	}
	return ""
}

// checkAgainstReference checks boilerplateKind and takeCredit on text, and
// takeCredit on each of its sentences, against the reference.
func checkAgainstReference(t *testing.T, text string) {
	t.Helper()
	k, h := boilerplateKind(text)
	if rk, rh := refBoilerplateKind(text); k != rk || h != rh {
		t.Fatalf("boilerplateKind(%q) = %q %q, reference %q %q", text, k, h, rk, rh)
	}
	for _, sen := range append([]string{text}, splitSentences(text)...) {
		var got, want Story
		if k, rk := got.takeCredit(sen), want.refTakeCredit(sen); k != rk || !reflect.DeepEqual(got, want) {
			t.Fatalf("takeCredit(%q) = %q %+v, reference %q %+v", sen, k, got, rk, want)
		}
	}
}

// referenceSeeds are boilerplate and credits as scrapes write them, in
// odd cases and with the letters that match "s" and "k" while ignoring
// case without being them in lower case ("ſ", the Kelvin sign).
var referenceSeeds = []string{
	"Watch video 01:48 Share Send Facebook Twitter google+ Whatsapp Tumblr Permalink https://p.dw.com/p/3VWJr",
	"WATCH VIDEO 01:48", "Listen to audio 12:03", "liſten to audio 12:03", "PERMALINK https://x", "Permalin\u212a http://x",
	"Share on Facebook", "ſhare this article", "SEND VIA E-MAIL:", "Share this article facebook:",
	"To view this video please enable JavaScript, and consider upgrading to a web browser that supports HTML5 video",
	"Media playback is unsupported on your device", "Media playbac\u212a is unſupported on your device",
	"A post shared by Name (@handle)", "View this post on Instagram", "— Jane Doe (@jane) December 5, 2023",
	"Skip Twitter post", "End of Instagram content", "Accept YouTube content", "See pic.twitter.com/abc",
	"While you're here: Every Tuesday, DW editors round up what is happening.",
	"DW sends a daily selection of hard news and quality journalism. Sign up here.",
	"Don’t miss our newsletter", "You can sign up here for the weekly email newsletter",
	"Listen and follow AfricaLink wherever you get your podcasts", "Protesters in Baghdad Photo: A. Jalil/EPA",
	"kw,cw/aw (AFP, AP, Reuters)", "(AFP, Reuters).", "Edited by: Elizabeth Grenier", "EDITED BY Chuck Penfold.",
	"This article was originally written in German.", "It was orginally written in German and edited by Matt Pearson.",
	"This article, which was adapted from German, was updated after the vote.",
	"With material from DPA news agency", "WITH MATERIAL FROM news agencies",
	"Ben Adam Shemang in Abuja contributed to this report.", "AFP news agency CONTRIBUTED to the report.",
	"Additional reporting by Arti Ekawati", "With additional reporting from Aceh province by Sharon Magriet Sumolang",
	"Grace Kabogo contributed to this article. It was originally written in German.",
	"The minister said: we will act. Later he left.",
}

func TestBoilerplateMatchesReference(t *testing.T) {
	for _, s := range referenceSeeds {
		checkAgainstReference(t, s)
	}
	dir := os.Getenv("SITEGEN_CORPUS")
	if dir == "" {
		dir = "/work/shared/corpus"
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.txt"))
	more, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.txt"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Logf("no shared corpus in %s: seeds only", dir)
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var h Hygiene
		for _, p := range splitParagraphs(strings.Split(clean(strings.ReplaceAll(string(data), "\r\n", "\n"), &h), "\n")) {
			checkAgainstReference(t, p.Text)
			n++
		}
	}
	t.Logf("%d files, %d paragraphs", len(files), n)
}

func FuzzBoilerplateMatchesReference(f *testing.F) {
	for _, s := range referenceSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if utf8.ValidString(s) { // as Parse ensures
			checkAgainstReference(t, s)
		}
	})
}
