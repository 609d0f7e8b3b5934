package site

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/sitegen/sitegen/internal/content"
)

// An Alias is an old URL that redirects to an article.
type Alias struct {
	Path    string           // site path of the old URL, cleaned by content.CleanAlias
	Article *content.Article // where it redirects
}

// paginated matches the page-N URLs of paginated lists ("/tags/iraq/page/3/"),
// which sitegen writes for any list and so never gives to an alias.
var paginated = regexp.MustCompile(`/page/[0-9]+/$`)

// resolveAliases collects the articles' aliases, dropping with a note each
// one that names a page the site writes itself or an alias already taken,
// so that no two outputs share a file. Articles are visited newest first,
// so the result does not depend on load order.
func (s *Site) resolveAliases() {
	if !slices.ContainsFunc(s.Articles, func(a *content.Article) bool { return len(a.Aliases) > 0 }) {
		return // most archives: no need for every page's URL
	}
	taken := map[string]bool{"/": true, "/tags/": true}
	for _, a := range s.Articles {
		taken[a.URLPath()] = true
	}
	for _, t := range s.Tags {
		taken[t.URLPath()] = true
	}
	var walk func([]*Period)
	walk = func(ps []*Period) {
		for _, p := range ps {
			taken[p.URLPath()] = true
			walk(p.Children)
		}
	}
	walk(s.Years)
	owner := map[string]*content.Article{}
	for _, a := range s.Articles {
		for _, p := range a.Aliases {
			switch {
			case owner[p] != nil:
				s.Notes = append(s.Notes, fmt.Sprintf("%s: alias %s is already an alias of %s; ignored", a.Source, p, owner[p].Source))
			case taken[p] || paginated.MatchString(p):
				s.Notes = append(s.Notes, fmt.Sprintf("%s: alias %s is a page of the site itself; ignored", a.Source, p))
			default:
				owner[p] = a
				s.Aliases = append(s.Aliases, &Alias{Path: p, Article: a})
			}
		}
	}
}
