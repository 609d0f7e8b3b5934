package rawtext

import (
	"strings"
)

// The patterns below describe families of scraped boilerplate rather than
// single lines, so that archives from other crawls and years are cleaned
// too. Each is tried on a whole paragraph; long paragraphs are prose and
// never match (see maxBoilerplate).

// maxBoilerplate is the length in bytes above which a paragraph is taken to
// be story text whatever it contains: widgets and promos are short.
const maxBoilerplate = 600

// watchVideo finds the start of a flattened video player, which the scrape
// may glue to the end of a paragraph:
// "Watch video 01:48 Share Airstrikes in Iraq Send Facebook google+ ... Permalink https://p.dw.com/p/3VWJr ..."
var watchVideo = lazyRegexp(`(?i)\b(?:watch|play|listen to) (?:video|audio)\s+\d{1,2}:\d{2}\b`)

// permalink is the share bar's own link: "Permalink https://p.dw.com/p/3VWJr".
var permalink = lazyRegexp(`(?i)\bpermalink:?\s+https?://`)

// shareButton matches a lone share button: "Share on Facebook", "Share this article".
var shareButton = lazyRegexp(`(?i)^(?:share|send|tweet|email)(?: this(?: article| story| page)?| on| via)?(?: facebook| twitter| x| whatsapp| linkedin| e-?mail)?:?$`)

// socialNames are the networks a flattened share bar lists one after the
// other: "Send Facebook google+ Whatsapp Tumblr linkedin stumble Digg reddit Newsvine".
var socialNames = lazyRegexp(`(?i)\b(?:facebook|twitter|google\+|whatsapp|tumblr|linkedin|stumble(?:upon)?|digg|reddit|newsvine|pinterest|xing|telegram|vkontakte|messenger|flipboard|pocket)(?:\W|$)`)

// videoNotice matches a player's fallback text:
// "To view this video please enable JavaScript, and consider upgrading to a web browser that supports HTML5 video".
var videoNotice = lazyRegexp(`(?i)(?:enable javascript|supports html5 video|browser (?:does not|doesn't) support (?:the )?(?:video|audio)|video (?:is )?(?:not|no longer) available|media playback is unsupported)`)

// readMore matches a cross-link to another story and captures its headline:
// "Read more: US hits back at Iran-linked militia in Iraq after rocket attack",
// "Also read: ...", "READ MORE: ...".
var readMore = lazyRegexp(`(?i)^(?:read more|also read|read also|see also|more on this(?: topic| story)?|related(?: article| story)?)\s*[:|»>–—-]\s*(\S.{2,200})$`)

// promoOpeners start a paragraph that addresses the reader rather than
// telling the story: "While you're here: Every Tuesday, DW editors round
// up ...", "DW sends a daily selection of hard news and quality journalism.
// Sign up here.", "Sign up for our newsletter".
var promoOpeners = lazyRegexp(`(?i)^(?:while you(?:'|’)re here\b|[\w ]{1,30} sends a (?:daily|weekly) selection\b|sign up (?:here|now|for)\b|subscribe (?:here|now|to)\b|(?:get|receive) (?:the|our) (?:daily |weekly )?(?:newsletter|briefing)\b|follow us on\b|you can find (?:even )?more\b|don(?:'|’)t miss\b)`)

// promoCalls are calls to action inside a short paragraph: "You can sign up
// here for the weekly email newsletter", "listen and follow AfricaLink
// wherever you get your podcasts", "To hear more ..., click here:".
var promoCalls = lazyRegexp(`(?i)(?:\bsign up here\b|\bsubscribe here\b|\bclick here\b|wherever you get your podcasts|\bour (?:weekly |daily )?(?:e-?mail )?newsletter\b|\bby following [\w ]{1,40} on (?:instagram|youtube|facebook|twitter|x|tiktok)\b)`)

// socialEmbed matches what is left of an embedded post once the scrape has
// dropped its markup: "A post shared by Name (@handle)", "View this post on
// Instagram", "pic.twitter.com/abc", "— Name (@handle) December 5, 2023",
// "Skip Twitter post", "End of Instagram content".
var socialEmbed = lazyRegexp(`(?i)(?:^a post shared by\b|^view this post on\b|\bpic\.twitter\.com/|^—\s.{1,80}\(@\w{1,30}\)\s+\w+ \d{1,2}, \d{4}$|^(?:skip|end of) (?:instagram|twitter|x|facebook|youtube|tiktok|bluesky|threads) (?:post|content|video)\b|^(?:allow|accept) (?:instagram|twitter|x|facebook|youtube|tiktok) content\b)`)

// caption matches a photo credit standing alone or ending a caption:
// "Image: Lisa Leutner/AP/picture alliance", "Protesters in Baghdad Photo: A. Jalil/EPA".
var caption = lazyRegexp(`(?:^|\s)(?:Image|Photo|Picture|Photograph|Bild|Foto)s?:\s*[^.!?:]{2,80}$`)

// boilerplateKind says which family of boilerplate a paragraph belongs to,
// or "" when it is story text (credits are tried separately, see credits.go).
// For a read-more line it also returns the linked headline.
func boilerplateKind(p string) (Kind, string) {
	if len(p) > maxBoilerplate {
		return "", ""
	}
	if m := readMore.FindStringSubmatch(p); m != nil {
		return ReadMore, strings.TrimSpace(m[1])
	}
	lower := strings.ToLower(p)
	if !strings.ContainsAny(p, ":@/") && !hasCue(lower) {
		return "", "" // most paragraphs of a story: none of the patterns can match
	}
	// Each pattern is tried only when the paragraph holds a word that
	// every text it matches holds (see folded): the expressions were
	// half of parsing a raw text article.
	f := fold(p, lower)
	switch {
	case isShareWidget(p, f):
		return Share, ""
	case f.hasAny("javascript", "html5", "browser", "video", "playback") && videoNotice.MatchString(p):
		return VideoNotice, ""
	case maySocialEmbed(p, f) && socialEmbed.MatchString(p):
		return Social, ""
	case (f.hasPrefix("while you", "sign up", "subscribe", "get ", "receive ", "follow us on", "you can find", "don") ||
		f.hasAny(" sends a ")) && promoOpeners.MatchString(p),
		len(p) < 400 && f.hasAny("here", "podcasts", "newsletter", "by following ") && promoCalls.MatchString(p):
		return Promo, ""
	case len(p) < 250 && caption.MatchString(p) && captionLike(p):
		return Caption, ""
	}
	return "", ""
}

// folded is a text prepared for telling cheaply whether a pattern that
// ignores case can match it: the text in lower case, and whether it holds
// "ſ", the one letter that such a pattern's ASCII letters match ("s")
// without being that letter in lower case. (The only other, the Kelvin
// sign, lower-cases to "k".) A pattern whose every match holds one of some
// ASCII words can match a text only if its lower case holds one of them,
// or it has an "ſ".
type folded struct {
	lower string
	longS bool
}

func fold(p, lower string) folded {
	return folded{lower, strings.ContainsRune(p, 'ſ')}
}

// hasAny reports whether the text may hold one of words, ASCII and in
// lower case, ignoring case.
func (f folded) hasAny(words ...string) bool {
	if f.longS {
		return true
	}
	for _, w := range words {
		if strings.Contains(f.lower, w) {
			return true
		}
	}
	return false
}

// hasPrefix reports whether the text may start with one of prefixes, ASCII
// and in lower case, ignoring case.
func (f folded) hasPrefix(prefixes ...string) bool {
	if f.longS {
		return true
	}
	for _, w := range prefixes {
		if strings.HasPrefix(f.lower, w) {
			return true
		}
	}
	return false
}

// maySocialEmbed reports whether socialEmbed can match p: each of its
// forms starts with or holds a word of its own.
func maySocialEmbed(p string, f folded) bool {
	return f.hasPrefix("a post shared by", "view this post on", "skip ", "end of ", "allow ", "accept ") ||
		f.hasAny("pic.twitter.com/") || strings.HasPrefix(p, "—") && strings.Contains(p, "(@")
}

// cues are words one of the patterns below needs; a paragraph without any
// is skipped before the regular expressions run.
var cues = []string{"video", "audio", "share", "send", "tweet", "email", "e-mail", "facebook", "twitter", "whatsapp",
	"linkedin", "reddit", "telegram", "pinterest", "javascript", "html5", "browser", "playback", "sign up", "subscribe",
	"newsletter", "briefing", "follow", "click here", "podcast", "selection", "post", "instagram", "while you",
	"don", "you can find"}

func hasCue(lower string) bool {
	for _, c := range cues {
		if strings.Contains(lower, c) {
			return true
		}
	}
	return false
}

// isShareWidget reports whether p is a flattened share bar or video player.
// f is p folded.
func isShareWidget(p string, f folded) bool {
	if f.hasPrefix("watch ", "play ", "listen to ") {
		if loc := watchVideo.FindStringIndex(p); loc != nil && loc[0] == 0 {
			return true
		}
	}
	if f.hasAny("permalink") && permalink.MatchString(p) ||
		len(p) <= maxShareButton && f.hasPrefix("share", "send", "tweet", "email") && shareButton.MatchString(p) {
		return true
	}
	return !strings.Contains(p, ". ") && distinctSocial(p) >= 3
}

// maxShareButton is the longest text, in bytes, that shareButton matches:
// 28 characters ("Share this article facebook:") of at most 3 bytes each.
const maxShareButton = 28 * 3

// distinctSocial counts the different network names in p.
func distinctSocial(p string) int {
	seen := map[string]bool{}
	for _, m := range socialNames.FindAllString(p, -1) {
		seen[strings.ToLower(strings.TrimRight(m, " ,.;:"))] = true
	}
	return len(seen)
}

// cutWidget removes a video player or share bar glued to the end of a
// paragraph of text, returning the text before it and whether it cut.
func cutWidget(p string) (string, bool) {
	if !strings.Contains(p, "ideo") && !strings.Contains(p, "udio") && !strings.Contains(p, "IDEO") && !strings.Contains(p, "UDIO") {
		return p, false
	}
	loc := watchVideo.FindStringIndex(p)
	if loc == nil || loc[0] == 0 {
		return p, false
	}
	tail := p[loc[0]:]
	if !permalink.MatchString(tail) && distinctSocial(tail) < 3 {
		return p, false
	}
	return strings.TrimSpace(p[:loc[0]]), true
}

// captionLike reports whether a paragraph ending in "Image: ..." is a
// caption: its text is a phrase, not sentences of the story.
func captionLike(p string) bool {
	return strings.Count(p, ". ") <= 1
}
