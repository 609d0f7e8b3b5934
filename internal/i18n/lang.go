package i18n

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Fallback is the language whose entries every other language falls back on.
const Fallback = "en"

// A Lang is the vocabulary of one language, merged from its files.
type Lang struct {
	Tag   string   // BCP 47 tag as configured, e.g. "de-AT"; <html lang>
	Dir   string   // "ltr" or "rtl"; <html dir>
	Files []string // files it was read from, lowest priority first, e.g. "theme:i18n/en.yaml"

	tag    language.Tag
	months [12]string
	days   [7]string
	dates  map[string]string
	words  map[string]Text
}

// Text is one translated entry: a plain string, or forms chosen by a number.
type Text struct {
	Forms map[plural.Form]string // plural.Other always set
}

// file is the YAML layout of one LANG.yaml.
type file struct {
	Dir    string            `yaml:"dir"`    // "ltr" or "rtl"; default from the script
	Months []string          `yaml:"months"` // January first; 12 names
	Days   []string          `yaml:"days"`   // Sunday first; 7 names
	Dates  map[string]string `yaml:"dates"`  // format name -> Go time layout
	Words  map[string]Text   `yaml:"words"`  // key -> text
}

var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// UnmarshalYAML reads a string or a mapping of plural forms.
func (t *Text) UnmarshalYAML(n *yaml.Node) error {
	t.Forms = map[plural.Form]string{}
	if n.Kind == yaml.ScalarNode {
		t.Forms[plural.Other] = n.Value
		return nil
	}
	var m map[string]string
	if err := n.Decode(&m); err != nil {
		return fmt.Errorf("line %d: want a string or plural forms (one: ..., other: ...)", n.Line)
	}
	for k, v := range m {
		f, ok := formNames[k]
		if !ok {
			return fmt.Errorf("line %d: unknown plural form %q (use zero, one, two, few, many, other)", n.Line, k)
		}
		t.Forms[f] = v
	}
	if _, ok := t.Forms[plural.Other]; !ok {
		return fmt.Errorf("line %d: plural forms need an \"other\" form", n.Line)
	}
	return nil
}

// Load returns the language tag's vocabulary. Entries come from, lowest
// priority first: the theme's en.yaml, the theme's file for the base
// language ("de" for "de-AT") and for the full tag, then the site's files
// for the same names. site may be nil. A tag without any file of its own
// is an error: its pages would be in English under a foreign lang attribute.
func Load(tag string, theme, site fs.FS) (*Lang, error) {
	t, err := language.Parse(tag)
	if err != nil {
		return nil, fmt.Errorf("language %q is not a BCP 47 tag such as en, de or ar", tag)
	}
	base, _ := t.Base()
	names := []string{Fallback}
	if b := base.String(); b != Fallback {
		names = append(names, b)
	}
	if full := t.String(); full != base.String() {
		names = append(names, full)
	}
	l := &Lang{Tag: tag, tag: t, dates: map[string]string{}, words: map[string]Text{}}
	own := false
	for _, layer := range []struct {
		fsys   fs.FS
		origin string
	}{{theme, "theme"}, {site, "site"}} {
		if layer.fsys == nil {
			continue
		}
		for _, n := range names {
			name := n + ".yaml"
			data, err := fs.ReadFile(layer.fsys, name)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			where := layer.origin + ":i18n/" + name
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", where, err)
			}
			if err := l.merge(data); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			l.Files = append(l.Files, where)
			own = own || n != Fallback || base.String() == Fallback
		}
	}
	if !own {
		return nil, fmt.Errorf("language %q has no translation file: add i18n/%s.yaml to the site (copy sitegen's i18n/en.yaml and translate it)", tag, base)
	}
	if err := l.complete(); err != nil {
		return nil, err
	}
	if l.Dir == "" {
		l.Dir = scriptDir(t)
	}
	return l, nil
}

// merge lays one file's entries over l's.
func (l *Lang) merge(data []byte) error {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && err != io.EOF {
		return fmt.Errorf("%v (keys: dir, months, days, dates, words)", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	switch f.Dir {
	case "":
	case "ltr", "rtl":
		l.Dir = f.Dir
	default:
		return fmt.Errorf("dir is %q; write ltr or rtl", f.Dir)
	}
	if f.Months != nil {
		if len(f.Months) != 12 {
			return fmt.Errorf("months has %d names; list all 12, January first", len(f.Months))
		}
		copy(l.months[:], f.Months)
	}
	if f.Days != nil {
		if len(f.Days) != 7 {
			return fmt.Errorf("days has %d names; list all 7, Sunday first", len(f.Days))
		}
		copy(l.days[:], f.Days)
	}
	for k, v := range f.Dates {
		l.dates[k] = v
	}
	for k, v := range f.Words {
		l.words[k] = v
	}
	return nil
}

// Formats are the date formats every language has: the theme's en.yaml
// defines them, and the page titles of date archives use them.
var Formats = []string{"date", "day", "month", "year", "dayInMonth", "monthInYear"}

// complete reports what no file supplied.
func (l *Lang) complete() error {
	if l.months[0] == "" || l.days[0] == "" {
		return fmt.Errorf("language %q: no file lists months and days (%s)", l.Tag, strings.Join(l.Files, ", "))
	}
	for _, f := range Formats {
		if l.dates[f] == "" {
			return fmt.Errorf("language %q: no file has the date format %q (%s)", l.Tag, f, strings.Join(l.Files, ", "))
		}
	}
	return nil
}

// rtlScripts are the scripts written right to left that CLDR names as the
// likely script of a living language.
var rtlScripts = map[string]bool{
	"Arab": true, "Hebr": true, "Thaa": true, "Syrc": true, "Nkoo": true,
	"Adlm": true, "Mand": true, "Samr": true, "Rohg": true,
}

// scriptDir returns "rtl" for languages whose likely script is written
// right to left: ar, he, fa, ur, ps, sd, ug, yi, dv and ckb among them.
func scriptDir(t language.Tag) string {
	s, _ := t.Script()
	if rtlScripts[s.String()] {
		return "rtl"
	}
	return "ltr"
}

// T returns the text for key, with {1}, {2} ... replaced by args. When the
// entry has plural forms, the first argument must be a whole number and picks
// the form by the language's plural rules.
func (l *Lang) T(key string, args ...any) (string, error) {
	text, ok := l.words[key]
	if !ok {
		return "", fmt.Errorf("no translation for %q in %s; add it under words:", key, strings.Join(l.Files, ", "))
	}
	s := text.Forms[plural.Other]
	if len(text.Forms) > 1 {
		if len(args) == 0 {
			return "", fmt.Errorf("translation %q has plural forms: pass the number, {{T %q N}}", key, key)
		}
		n, ok := args[0].(int)
		if !ok {
			return "", fmt.Errorf("translation %q has plural forms: its first argument must be a whole number, not %T", key, args[0])
		}
		if f, ok := text.Forms[l.pluralForm(n)]; ok {
			s = f
		}
	}
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s, nil
	}
	return fill(s, args), nil
}

// fill replaces {1}, {2} ... in s by args, left to right. Pages call T
// with arguments thousands of times in a build, on the timeline's every
// bar: a strings.Replacer made for each call cost a 2 KB table each.
func fill(s string, args []any) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := 1
		for j < len(s) && j < 12 && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(s[1:j])
		if j < len(s) && s[j] == '}' && err == nil && n >= 1 && n <= len(args) && s[1] != '0' {
			b.WriteString(fmt.Sprint(args[n-1]))
			s = s[j+1:]
			continue
		}
		b.WriteByte('{')
		s = s[1:]
	}
}

func (l *Lang) pluralForm(n int) plural.Form {
	if n < 0 {
		n = -n
	}
	return plural.Cardinal.MatchPlural(l.tag, n%10_000_000, 0, 0, 0, 0)
}

// Keys returns the keys of every word entry, sorted.
func (l *Lang) Keys() []string {
	keys := make([]string, 0, len(l.words))
	for k := range l.words {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Month returns the name of month m.
func (l *Lang) Month(m time.Month) string { return l.months[(m-1)%12] }

// Weekday returns the name of day d.
func (l *Lang) Weekday(d time.Weekday) string { return l.days[d%7] }

// Date formats t with the named format from the dates: section ("date",
// "month", ...). The time is shown as given, in its own location: article
// dates are already in the site's time zone.
func (l *Lang) Date(t time.Time, format string) (string, error) {
	layout, ok := l.dates[format]
	if !ok {
		return "", fmt.Errorf("no date format %q in %s; add it under dates:", format, strings.Join(l.Files, ", "))
	}
	return l.Format(t, layout), nil
}

// Format is time.Format with the month and day names of the language:
// "January" and "Monday" in layout stand for the full names. Go's
// abbreviated names ("Jan", "Mon") are left to time.Format, in English.
func (l *Lang) Format(t time.Time, layout string) string {
	var b strings.Builder
	for layout != "" {
		i, name := nextName(layout)
		if i < 0 {
			b.WriteString(t.Format(layout))
			break
		}
		b.WriteString(t.Format(layout[:i]))
		if name == "January" {
			b.WriteString(l.Month(t.Month()))
		} else {
			b.WriteString(l.Weekday(t.Weekday()))
		}
		layout = layout[i+len(name):]
	}
	return b.String()
}

// nextName finds the first "January" or "Monday" in layout.
func nextName(layout string) (int, string) {
	i, j := strings.Index(layout, "January"), strings.Index(layout, "Monday")
	switch {
	case i < 0 && j < 0:
		return -1, ""
	case j < 0 || i >= 0 && i < j:
		return i, "January"
	}
	return j, "Monday"
}
