package rawtext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxCredit bounds, in bytes, a paragraph that may hold credits: credit
// lines are short, and a long paragraph is the story.
const maxCredit = 400

// agencyLine matches the newsroom's credit line: the writers' and editors'
// initials, then the agencies in brackets:
// "kw,cw/aw (AFP, AP, Reuters)", "zc, sdi/ab (Reuters, dpa, EFE)",
// "mf/ (AP, Reuters, dpa)", "km/rc (dpa/afp)", "(AFP, Reuters)".
var agencyLine = lazyRegexp(`^((?:[a-zA-Z]{1,5}\s*[,/]\s*)*[a-zA-Z]{1,5}\s*/?)?\s*\(([^()]{2,120})\)\.?$`)

// editedBy matches an editor's credit: "Edited by: Elizabeth Grenier",
// "Edited by Chuck Penfold."
var editedBy = lazyRegexp(`(?i)^edited by:?\s+(\S.{0,80}?)\.?$`)

// contributedBy matches a contributor's credit and captures the names:
// "Ben Adam Shemang in Abuja contributed to this report.",
// "Jack Parrock contributed additional reporting to this story.",
// "AFP news agency contributed to the report."
var contributedBy = lazyRegexp(`(?i)^(\S.{0,200}?)\s+contributed(?: additional reporting)?(?: to (?:this|the) (?:article|report|story|piece))?(?: from [^.]{1,60})?\.?$`)

// reportingBy matches additional-reporting credits:
// "Additional reporting by Arti Ekawati", "Additional reporting: Jonathan Crane.",
// "With additional reporting from Aceh province by Sharon Magriet Sumolang".
var reportingBy = lazyRegexp(`(?i)^(?:with )?(?:additional|further|extra) reporting(?: from [^.]{1,60}? by| by:?|:)\s+(\S.{0,200}?)\.?$`)

// materialFrom matches agency material credited in words:
// "With material from DPA news agency", "With material from news agencies".
var materialFrom = lazyRegexp(`(?i)^with (?:material|information|reporting|additional information) from (\S.{0,80}?)\.?$`)

// translatedFrom matches a translation note, whatever the verb and the
// language: "This article was originally written in German.", "This article
// has been translated from German.", "This piece was adapted from the
// original German.", "It was originally written in German.", "Adapted from
// the German by Aingeal Flanagan". The typo "orginally" is real.
var translatedFrom = lazyRegexp(`^(?:(?:This|The|It)(?: (?:article|piece|story|text|report|interview))? (?:was|has been|is) (?:(?:originally|orginally|first) )?(?:written|published|translated|adapted|appeared)(?: (?:originally|first))?|(?:Originally )?(?:Translated|Adapted)|This (?:article|piece|story) (?:originally|first) appeared) (?:in|from) (?:the )?(?:original )?(?:German|Russian|Spanish|Romanian|French|Portuguese|Arabic|Turkish|Ukrainian|Polish|Chinese|Persian|Farsi|Dari|Pashto|Urdu|Hindi|Bengali|Indonesian|Swahili|Hausa|Amharic|Greek|Italian|Serbian|Bosnian|Croatian|Albanian|Macedonian|Bulgarian|Dutch|Japanese|Korean)\b[^.]{0,120}\.?$`)

// translatedWhich matches a translation note folded into an update note:
// "This article, which was adapted from German, was updated after ...".
var translatedWhich = lazyRegexp(`^(?:This|The) (?:article|piece|story|report), which (?:was|has been) (?:originally )?(?:written|published|translated|adapted) (?:in|from) (?:the )?(?:original )?[A-Z][a-z]+, (?:was|has been) [^.]{1,300}\.?$`)

// andEditedBy finds an editor named inside a translation note: "This
// article was adapted from German and edited by Matt Pearson."
var andEditedBy = lazyRegexp(`(?i)\band edited by\s+(\S[^.,]{0,60})`)

// knownAgencies maps an agency name in lower case to its own spelling.
var knownAgencies = map[string]string{
	"afp": "AFP", "ap": "AP", "reuters": "Reuters", "dpa": "dpa", "epd": "epd", "kna": "KNA",
	"sid": "SID", "efe": "EFE", "ansa": "ANSA", "kyodo": "Kyodo", "xinhua": "Xinhua", "tass": "TASS",
	"ria": "RIA", "upi": "UPI", "pa": "PA", "anp": "ANP", "apa": "APA", "belga": "Belga",
	"interfax": "Interfax", "yonhap": "Yonhap", "ips": "IPS", "lusa": "Lusa", "ians": "IANS",
	"pti": "PTI", "ani": "ANI", "anadolu": "Anadolu", "irna": "IRNA", "wafa": "WAFA", "sana": "SANA",
	"bloomberg": "Bloomberg", "kipa": "KIPA", "ddp": "ddp", "bernama": "Bernama", "antara": "Antara",
	"dw": "DW", "bbc": "BBC", "cnn": "CNN", "ukrinform": "Ukrinform", "mena": "MENA", "cna": "CNA",
}

// agencyName normalizes one agency's name, or returns "" when name is not
// the name of a news agency: "reuters" -> "Reuters", "AFP news agency" -> "AFP".
func agencyName(name string) string {
	name = strings.TrimSpace(name)
	low := strings.ToLower(name)
	low = strings.TrimSuffix(low, " news agency")
	low = strings.TrimSuffix(low, " news agencies")
	low = strings.TrimPrefix(low, "the ")
	if a, ok := knownAgencies[low]; ok {
		return a
	}
	return ""
}

// agencyList splits the bracket of a credit line into agencies: "AFP, AP
// Reuters" and "dpa/afp" are both lists. Unknown names of up to five letters
// are taken as agencies in upper case ("sna" -> "SNA"); any other word
// means the bracket is not an agency list, and nil is returned.
func agencyList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '/' || r == ';' || r == '&' }) {
		f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "."))
		f = strings.TrimPrefix(f, "and ")
		if f == "" {
			continue
		}
		if a := agencyName(f); a != "" {
			out = append(out, a)
			continue
		}
		words := strings.Fields(f)
		for _, w := range words {
			a := agencyName(w)
			if a == "" {
				if len(words) > 1 || len(w) > 5 || !isLetters(w) {
					return nil
				}
				a = strings.ToUpper(w)
			}
			out = append(out, a)
		}
	}
	return out
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// names splits a list of people: "Andrew Wasike in Kenya, Ngong Song Jean
// Marie in Cameroon and Thuso Khumalo" -> three names, places dropped.
func names(s string) []string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ", both "); i >= 0 {
		s = s[:i]
	}
	var out []string
	for _, part := range strings.Split(strings.ReplaceAll(s, " and ", ", "), ",") {
		part = strings.TrimSpace(part)
		for _, sep := range []string{" in ", " from ", " based in "} {
			if i := strings.Index(part, sep); i > 0 {
				part = part[:i]
			}
		}
		if part == "" {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(part); !unicode.IsUpper(r) {
			continue
		}
		out = append(out, part)
	}
	return out
}

// takeCredit records the credit that sentence is, if it is one, and
// returns its kind; "" means sentence is not a credit.
func (s *Story) takeCredit(sentence string) Kind {
	if len(sentence) > maxCredit {
		return ""
	}
	// Each pattern is tried only when the sentence has what every text it
	// matches has: the bracket that ends an agency line, the words of the
	// others. None of those words has an "s" or a "k", so the sentence in
	// lower case shows them however they are written (see folded). Most
	// sentences have none of them.
	lower := strings.ToLower(sentence)
	if strings.HasSuffix(sentence, ")") || strings.HasSuffix(sentence, ").") {
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
	}
	if strings.HasPrefix(lower, "edited by") {
		if m := editedBy.FindStringSubmatch(sentence); m != nil {
			s.Editor = m[1]
			return Editor
		}
	}
	if mayBeTranslation(sentence) && (translatedFrom.MatchString(sentence) || translatedWhich.MatchString(sentence)) {
		s.Translation = sentence
		if !strings.HasSuffix(s.Translation, ".") {
			s.Translation += "."
		}
		if m := andEditedBy.FindStringSubmatch(sentence); m != nil {
			s.Editor = strings.TrimSpace(m[1])
		}
		return Translation
	}
	if strings.HasPrefix(lower, "with ") {
		if m := materialFrom.FindStringSubmatch(sentence); m != nil {
			if as := agencyList(strings.ReplaceAll(m[1], " and ", ", ")); as != nil {
				s.addAgencies(as...)
				return Agency
			}
			if strings.Contains(strings.ToLower(m[1]), "news agenc") {
				return Agency // "With material from news agencies": no names to keep
			}
			return ""
		}
	}
	for _, c := range [...]struct {
		re   *lazy
		word string
	}{{contributedBy, "contributed"}, {reportingBy, "reporting"}} {
		if !strings.Contains(lower, c.word) {
			continue
		}
		m := c.re.FindStringSubmatch(sentence)
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

// mayBeTranslation reports whether translatedFrom or translatedWhich can
// match s: the one starts with "This", "The", "It", "Originally",
// "Translated" or "Adapted" and names the language after " in " or
// " from ", the other has ", which ".
func mayBeTranslation(s string) bool {
	return strings.Contains(s, ", which ") ||
		s != "" && strings.IndexByte("TIOA", s[0]) >= 0 && (strings.Contains(s, " in ") || strings.Contains(s, " from "))
}

// allKnown reports whether every name in a bracket is a known agency, so
// that "(pictured)" or "(2019)" alone is not read as a credit.
func allKnown(list string) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '/' || r == ';' }) {
		for _, w := range strings.Fields(f) {
			if agencyName(w) == "" && agencyName(f) == "" && w != "news" && w != "agency" && w != "agencies" {
				return false
			}
		}
	}
	return true
}

func (s *Story) addAgencies(as ...string) {
	for _, a := range as {
		if !contains(s.Agencies, a) {
			s.Agencies = append(s.Agencies, a)
		}
	}
}

func (s *Story) addContributors(ns ...string) {
	for _, n := range ns {
		if !contains(s.Contributors, n) {
			s.Contributors = append(s.Contributors, n)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
