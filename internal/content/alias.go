package content

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSegment is the longest file or folder name, in bytes, that common file
// systems (ext4, APFS, NTFS) accept.
const maxSegment = 255

// CleanAlias checks a front-matter alias, an old URL of the article such as
// "/news/2019/embassy.html", and returns it as a site path: "/a/b/" for a
// folder (written as a/b/index.html) or "/a/b.html" for a page file.
//
// Aliases come from CMS exports and many hands, so anything that could make
// the build write outside the site, or name a file no system can hold, is an
// error rather than something to guess about: "." or ".." segments, a URL
// with a scheme or host, a query or fragment, backslashes, control and
// bidirectional-formatting characters, and names over 255 bytes.
func CleanAlias(alias string) (string, error) {
	a := strings.TrimSpace(alias)
	switch {
	case a == "":
		return "", errors.New("empty alias")
	case strings.Contains(a, "://") || strings.HasPrefix(a, "//"):
		return "", errors.New("an alias is a path on this site, not a URL")
	case strings.ContainsAny(a, `\`):
		return "", errors.New(`backslash in alias; separate folders with "/"`)
	case strings.ContainsAny(a, "?#"):
		return "", errors.New("query or fragment in alias; a static site serves paths only")
	case !utf8.ValidString(a):
		return "", errors.New("alias is not valid UTF-8")
	}
	if i := strings.IndexFunc(a, unsafeInName); i >= 0 {
		r, _ := utf8.DecodeRuneInString(a[i:])
		return "", fmt.Errorf("control or bidirectional-formatting character %U in alias", r)
	}
	var segs []string
	for _, s := range strings.Split(a, "/") {
		switch {
		case s == "":
			continue
		case s == "." || s == "..":
			return "", fmt.Errorf("%q segment in alias; aliases cannot leave the site or name the same folder", s)
		case len(s) > maxSegment:
			return "", fmt.Errorf("alias segment is %d bytes; file names can have at most %d", len(s), maxSegment)
		}
		segs = append(segs, s)
	}
	if len(segs) > 0 && segs[len(segs)-1] == "index.html" {
		segs = segs[:len(segs)-1] // the same file as the folder's URL
	}
	if len(segs) == 0 {
		return "", errors.New(`alias "/" is the home page`)
	}
	p := "/" + strings.Join(segs, "/")
	if isPageFile(segs[len(segs)-1]) {
		return p, nil
	}
	return p + "/", nil
}

// isPageFile reports whether an alias' last segment names an HTML file
// rather than a folder.
func isPageFile(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".html") || strings.HasSuffix(n, ".htm")
}

// unsafeInName reports characters that have no place in a file name:
// controls (NUL, newlines, escape codes) and the bidirectional overrides
// and isolates that make a name display differently from what it is.
func unsafeInName(r rune) bool {
	return unicode.IsControl(r) || isBidiControl(r)
}
