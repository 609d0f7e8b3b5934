package render

import (
	"text/template/parse"
)

// SiteDeps says which site-wide data a page template can show beyond the
// page's own fields (its article and neighbours, its list, pager, tag or
// period). Build caches use it to know which pages an edit can change: a
// page is re-rendered when its own data or one of the parts named here
// changed. The analysis reads the parsed templates and errs on the side of
// DepsAll: any use of site data it cannot place counts as "everything".
type SiteDeps uint8

const (
	DepsArticleCount SiteDeps = 1 << iota // len .Site.Articles
	DepsTags                              // .Site.Tags: every tag's name, slug and article count
	DepsPeriods                           // .Site.Years, or periods reached from .Period: starts and counts
	DepsNotes                             // .Site.Notes
	DepsAll                               // anything else: every field of every article

	// DepsBodies is set when the templates show an article's Body at all,
	// whose article it is cannot be told apart: a page's key then covers
	// the bodies of all the articles it holds, not only their other fields.
	DepsBodies

	// DepsRelated is set when the templates show a page's .Related
	// stories, which depend on other articles' tags and dates: a page's key
	// then covers the articles Site.Related picks for it.
	DepsRelated
)

// Deps returns what the templates that draw pages of the given template
// (such as "list.html", see Page.Template) read from the site as a whole.
func (r *Renderer) Deps(template string) SiteDeps {
	r.depsOnce.Do(r.analyze)
	if d, ok := r.deps[template]; ok {
		return d
	}
	return DepsAll
}

// analyze reads the page templates for Deps and Bodies.
func (r *Renderer) analyze() {
	r.deps = map[string]SiteDeps{}
	r.bodies = map[string]BodyUse{}
	for name, t := range r.sets {
		var d SiteDeps
		for _, tt := range t.Templates() {
			if tt.Tree != nil && tt.Tree.Root != nil {
				d |= nodeDeps(tt.Tree.Root, false)
			}
		}
		r.deps[name] = d
		r.bodies[name] = bodyUse(t, rootTemplate(name))
	}
}

// nodeDeps walks a template parse tree. underLen is set for the single
// argument of a len call, where only a list's length is shown.
func nodeDeps(n parse.Node, underLen bool) SiteDeps {
	var d SiteDeps
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return 0
		}
		for _, c := range n.Nodes {
			d |= nodeDeps(c, false)
		}
	case *parse.ActionNode:
		d |= nodeDeps(n.Pipe, false)
	case *parse.IfNode:
		d |= branchDeps(&n.BranchNode)
	case *parse.RangeNode:
		d |= branchDeps(&n.BranchNode)
	case *parse.WithNode:
		d |= branchDeps(&n.BranchNode)
	case *parse.TemplateNode:
		d |= nodeDeps(n.Pipe, false)
	case *parse.PipeNode:
		if n == nil {
			return 0
		}
		for _, c := range n.Cmds {
			d |= nodeDeps(c, false)
		}
	case *parse.CommandNode:
		if len(n.Args) > 0 && isIdent(n.Args[0], "timeline") {
			d |= DepsPeriods // the chart counts the articles of every year or month
		}
		isLen := len(n.Args) == 2 && isIdent(n.Args[0], "len")
		for i, a := range n.Args {
			d |= nodeDeps(a, isLen && i == 1)
		}
	case *parse.FieldNode:
		d |= identDeps(n.Ident, underLen)
	case *parse.VariableNode:
		d |= identDeps(n.Ident[1:], underLen)
	case *parse.ChainNode:
		// (pipeline).Field: the pipeline may yield anything, so a chain
		// off it is judged by its fields alone, and the pipeline itself too.
		d |= nodeDeps(n.Node, false) | identDeps(n.Field, underLen)
		if f, ok := n.Node.(*parse.PipeNode); ok && endsInSite(f) {
			d |= DepsAll
		}
	}
	return d
}

func branchDeps(b *parse.BranchNode) SiteDeps {
	d := nodeDeps(b.Pipe, false) | nodeDeps(b.List, false)
	if b.ElseList != nil {
		d |= nodeDeps(b.ElseList, false)
	}
	return d
}

func isIdent(n parse.Node, name string) bool {
	id, ok := n.(*parse.IdentifierNode)
	return ok && id.Ident == name
}

func endsInSite(p *parse.PipeNode) bool {
	if len(p.Cmds) == 0 {
		return false
	}
	args := p.Cmds[len(p.Cmds)-1].Args
	if len(args) == 0 {
		return false
	}
	f, ok := args[len(args)-1].(*parse.FieldNode)
	return ok && len(f.Ident) > 0 && f.Ident[len(f.Ident)-1] == "Site"
}

// identDeps judges one field chain such as .Site.Tags or $.Period.Prev.
func identDeps(ids []string, underLen bool) SiteDeps {
	var d SiteDeps
	for i, id := range ids {
		last := i == len(ids)-1
		switch id {
		case "Site":
			next := ""
			if !last {
				next = ids[i+1]
			}
			switch next {
			case "Config":
			case "Tags":
				d |= DepsTags
			case "Years":
				d |= DepsPeriods
			case "Notes":
				d |= DepsNotes
			case "Articles":
				if underLen && i+1 == len(ids)-1 {
					d |= DepsArticleCount
				} else {
					d |= DepsAll
				}
			default: // the whole site in a variable or dot, or a method such as Neighbours
				d |= DepsAll
			}
		case "Articles":
			// len .Articles of a tag or period is covered by DepsTags,
			// DepsPeriods and the page's own key; the articles themselves are not.
			if !(underLen && last) && (i == 0 || ids[i-1] != "Site") {
				d |= DepsAll
			}
		case "Period", "Parent", "Children", "Prev", "Next", "Years":
			d |= DepsPeriods
		case "Body":
			d |= DepsBodies
		case "Neighbours": // Site.Neighbours of any article
			d |= DepsAll
		case "Related":
			d |= DepsRelated
		}
	}
	return d
}

// AnyDeps returns what all the page templates together read from the site.
func (r *Renderer) AnyDeps() SiteDeps {
	var d SiteDeps
	for name := range r.sets {
		d |= r.Deps(name)
	}
	return d
}
