// Package archive runs the normalization steps that need every article at
// once: finding duplicates, resolving "Read more:" lines against all
// headlines, and extracting topic tags weighed across the archive.
//
// It sits between loading (package content, one file at a time) and
// indexing (package site): it takes the loaded articles and returns them
// enriched, with the duplicates set apart. It reads no files and renders
// nothing.
package archive

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/topics"
)

// A Duplicate is an article left out because another says the same.
type Duplicate struct {
	Article *content.Article // the copy left out; its URL becomes an alias of Of, a redirect
	Of      *content.Article // the article kept
	Reason  string           // "identical bytes", "same headline and date" or "same text"
}

// A Result is the archive after the archive-wide steps.
type Result struct {
	Articles   []*content.Article // the articles to publish, duplicates left out, sorted by source path
	Duplicates []Duplicate        // sorted by the duplicate's source path
}

// Normalize finds duplicates, resolves "Read more:" lines and gives raw
// text articles topic tags. rules may be nil. It works in place, on the
// articles passed in: it sets the Tags, Aliases, Findings and SeeAlso of
// each, every one to a new slice or to the one the article came with, and
// never writes into the array behind a slice an article came with. So a
// caller that keeps those four slices can put them back and normalize the
// archive again, as the preview server does after each edit, without
// holding a second copy of every article. Findings about each article are
// appended to its Findings.
func Normalize(ctx context.Context, arts []*content.Article, rules *topics.Rules) (*Result, error) {
	sorted := slices.Clone(arts)
	for _, a := range sorted {
		a.SeeAlso = nil
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Source < sorted[j].Source })
	// Each headline folded once, for duplicates and Read more links.
	heads := make([]string, len(sorted))
	for i, a := range sorted {
		heads[i] = normHeadline(a.Title)
	}
	res := &Result{}
	var keptHeads []string
	res.Articles, keptHeads, res.Duplicates = dedupe(sorted, heads)
	resolveReadMore(res.Articles, keptHeads)
	if err := tag(ctx, res.Articles, rules); err != nil {
		return nil, err
	}
	return res, nil
}

// dedupe keeps the first of each group of articles that are byte-identical,
// share headline and date, or share their normalized text; the source path
// that sorts first is kept, so the choice does not depend on load order.
func dedupe(arts []*content.Article, heads []string) (kept []*content.Article, keptHeads []string, dups []Duplicate) {
	byHash := map[uint64]*content.Article{}
	byTitle := map[string]*content.Article{}
	byText := map[uint64]*content.Article{}
	for i, a := range arts {
		text := a.Fingerprint
		title := heads[i] + "\x00" + a.Date.Format("2006-01-02")
		var of *content.Article
		var why string
		switch {
		case byHash[a.Hash] != nil && byHash[a.Hash].Fingerprint == text:
			of, why = byHash[a.Hash], "identical bytes"
		case byTitle[title] != nil:
			of, why = byTitle[title], "same headline and date"
		case text != 0 && byText[text] != nil:
			of, why = byText[text], "same text"
		}
		if of != nil {
			dups = append(dups, Duplicate{Article: a, Of: of, Reason: why})
			if u := a.URLPath(); u != of.URLPath() && !contains(of.Aliases, u) {
				of.Aliases = append(slices.Clip(of.Aliases), u) // the duplicate's URL redirects to the copy kept
			}
			continue
		}
		byHash[a.Hash], byTitle[title] = a, a
		if text != 0 {
			byText[text] = a
		}
		kept, keptHeads = append(kept, a), append(keptHeads, heads[i])
	}
	return kept, keptHeads, dups
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// HeadlineKey returns a headline as Normalize compares it: with the date,
// to find copies of one story ("same headline and date"); alone, to
// resolve "Read more:" lines. Two articles whose titles have the same key
// are the same to Normalize.
func HeadlineKey(title string) string { return normHeadline(title) }

// HeadlineKeyIs reports whether title's HeadlineKey is key. For an ASCII
// title it folds and compares a byte at a time, making no key, and stops
// at the first byte that differs, as nearly every title's first does: a
// check of one headline against a whole archive's costs microseconds
// where their keys cost tens of milliseconds.
func HeadlineKeyIs(title, key string) bool {
	j := 0 // the next byte of key
	space := false
	for i := 0; i < len(title); i++ {
		c, kind := foldByte(title[i])
		switch kind {
		case foldRune:
			return normHeadlineRunes(title) == key
		case foldDrop:
			continue
		case foldSpace:
			space = true
			continue
		}
		if space && j > 0 {
			if j == len(key) || key[j] != ' ' {
				return false
			}
			j++
		}
		space = false
		if j == len(key) || key[j] != c {
			return false
		}
		j++
	}
	return j == len(key)
}

// normHeadline folds a headline for comparison: case, quotes, dashes,
// punctuation and spacing do not count, so "Read more: US hits back at
// Iran-linked militia" finds "US Hits Back at Iran–Linked Militia".
func normHeadline(s string) string {
	// ASCII, as most headlines are: the same folding a byte at a time,
	// without decoding runes or lower-casing a copy first.
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c, kind := foldByte(s[i])
		switch kind {
		case foldRune:
			return normHeadlineRunes(s)
		case foldDrop:
			continue
		case foldSpace:
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b)
}

// What foldByte makes of a byte of a headline.
const (
	foldKeep  = iota // a letter or digit, lower-cased
	foldDrop         // an apostrophe: "Iran's" is "irans"
	foldSpace        // anything else ASCII: a space between words
	foldRune         // part of a multi-byte rune: fold rune-wise instead
)

// foldByte is normHeadline's folding of one byte.
func foldByte(c byte) (byte, int) {
	switch {
	case c >= utf8.RuneSelf:
		return c, foldRune
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A', foldKeep
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return c, foldKeep
	case c == '\'':
		return c, foldDrop
	}
	return c, foldSpace
}

// normHeadlineRunes is normHeadline for any text.
func normHeadlineRunes(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		if r == '\'' || r == '’' || r == '‘' {
			continue // "Iran's" and "Iran’s" are one word
		}
		space = true
	}
	return b.String()
}

// resolveReadMore turns each "Read more: HEADLINE" into a link to the
// article with that headline, or drops it when the archive has none.
// heads are the articles' headlines as normHeadline folds them.
func resolveReadMore(arts []*content.Article, heads []string) {
	byTitle := map[string]*content.Article{}
	for i, a := range arts {
		if k := heads[i]; byTitle[k] == nil {
			byTitle[k] = a
		}
	}
	for _, a := range arts {
		if len(a.ReadMore) > 0 {
			a.Findings = slices.Clip(a.Findings) // appends go to a new array
		}
		for _, h := range a.ReadMore {
			t := byTitle[normHeadline(h)]
			if t == nil || t == a {
				a.Findings = append(a.Findings, content.Finding{Path: a.Source, Kind: "link",
					Text: fmt.Sprintf("Read more: %q dropped: no other article has that headline", h)})
				continue
			}
			a.SeeAlso = append(a.SeeAlso, t)
			a.Findings = append(a.Findings, content.Finding{Path: a.Source, Kind: "link",
				Text: fmt.Sprintf("Read more: %q linked to %s", h, t.Source)})
		}
	}
}

// GetsTopicTags reports whether Normalize gives the article at source
// (a path under content/) topic tags extracted from its text: raw text
// articles do, having no tags of their own; Markdown articles keep the tags
// their front matter gives.
func GetsTopicTags(source string) bool { return content.IsRawText(source) }

// tag maps every tag through the rules, then gives each raw text article
// (which has no tags of its own) up to topics.MaxTags topic tags.
func tag(ctx context.Context, arts []*content.Article, rules *topics.Rules) error {
	ex := &topics.Extractor{Rules: rules}
	idx := make([]int, len(arts))
	// Without raw text articles no article gets topic tags, and the
	// candidates are not weighed (Markdown articles may come without
	// them: content.Loader.SkipMarkdownTopics).
	if slices.ContainsFunc(arts, func(a *content.Article) bool { return GetsTopicTags(a.Source) }) {
		for i, a := range arts {
			if i%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			idx[i] = ex.Add(a.Topics)
		}
	}
	// An archive has far fewer tags than articles carry: each name is
	// mapped and slugged once.
	made := map[string]content.Tag{}
	makeTag := func(name string) content.Tag {
		t, ok := made[name]
		if !ok {
			t = ruledTag(name, rules)
			made[name] = t
		}
		return t
	}
	var tags []content.Tag
	for i, a := range arts {
		var names []string
		for _, t := range a.Tags {
			names = append(names, t.Name)
		}
		if GetsTopicTags(a.Source) {
			names = append(names, ex.Tags(idx[i])...)
		}
		tags = appendTags(tags[:0], names, makeTag)
		if !slices.Equal(tags, a.Tags) { // most articles' tags are as loaded: they keep their slice
			a.Tags = slices.Clone(tags)
		}
	}
	return nil
}

// ruledTag makes the tag name stands for under rules; the zero Tag when
// the rules block it.
func ruledTag(name string, rules *topics.Rules) content.Tag {
	if n := rules.Canonical(name); n != "" {
		return content.MakeTag(n)
	}
	return content.Tag{}
}

// appendTags appends to tags those named, made by makeTag, once each by
// slug, leaving out the blocked.
func appendTags(tags []content.Tag, names []string, makeTag func(string) content.Tag) []content.Tag {
	seen := map[string]bool{}
	for _, n := range names {
		t := makeTag(n) // zero when the rules block it
		if t.Slug == "" || seen[t.Slug] {
			continue
		}
		seen[t.Slug] = true
		tags = append(tags, t)
	}
	return tags
}

// OwnTags returns the tags Normalize gives an article that gets no topic
// tags (see GetsTopicTags): its own, as parsed, each mapped through the
// rules, once each by slug. They depend on the article alone, so an edit
// to them changes no other article's.
func OwnTags(a *content.Article, rules *topics.Rules) []content.Tag {
	names := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		names[i] = t.Name
	}
	tags := appendTags(nil, names, func(n string) content.Tag { return ruledTag(n, rules) })
	if slices.Equal(tags, a.Tags) {
		return a.Tags
	}
	return tags
}
