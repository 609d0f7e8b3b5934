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
	DepsPeriods                           // .Site.Years: every period's start and count
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

	// DepsPagePeriod is set when the templates read the page's own .Period
	// or periods linked from one (.Parent, .Children, .Prev, .Next), or
	// draw a timeline: only on the pages that have a period (those that
	// PeriodReads says, or else every period's start and count), and on
	// the first home page, whose timeline charts the whole archive (every
	// period's start and count; Charted). A page of any other kind has no
	// period to start from, nor has a later home page, so adding an
	// article, which changes some period's count, changes no article or
	// tag page, and moving one to another day changes no home page but
	// the first.
	DepsPagePeriod
)

// Deps returns what the templates that draw pages of the given template
// (such as "list.html", see Page.Template) read from the site as a whole,
// on a page of any kind; PageDeps is more precise for a given page.
func (r *Renderer) Deps(template string) SiteDeps {
	r.depsOnce.Do(r.analyze)
	if d, ok := r.deps[template]; ok {
		return d.all | d.home
	}
	return DepsAll
}

// PageDeps returns what p's templates read from the site when they draw p.
// It differs from Deps for pages that are not home pages: what a template
// reads only under a test that the page is a home page ({{if .Chrome.Home}},
// {{if .Home}} on a Chrome, {{if eq .Kind "home"}}) cannot show on others.
// So a site that shows the article count on its home pages only
// ({{if .Chrome.Home}}{{len .Site.Articles}}{{end}}) does not change its
// other pages when an article is added.
func (r *Renderer) PageDeps(p *Page) SiteDeps {
	r.depsOnce.Do(r.analyze)
	d, ok := r.deps[p.Template()]
	if !ok {
		return DepsAll
	}
	if p.Kind == KindHome {
		return d.all | d.home
	}
	return d.all
}

// depSets is what a page template reads: on every page, and in addition
// on home pages.
type depSets struct{ all, home SiteDeps }

// analyze reads the page templates for Deps and Bodies.
func (r *Renderer) analyze() {
	r.deps = map[string]depSets{}
	r.bodies = map[string]BodyUse{}
	r.periods = map[string][]PeriodRead{}
	for name, t := range r.sets {
		var w depsWalk
		for _, tt := range t.Templates() {
			if tt.Tree != nil && tt.Tree.Root != nil {
				w.node(tt.Tree.Root, false)
			}
		}
		r.deps[name] = depSets{all: w.all, home: w.home &^ w.all}
		r.bodies[name] = bodyUse(t, rootTemplate(name))
		if w.all&DepsAll == 0 {
			if reads, ok := periodReads(t, rootTemplate(name)); ok {
				r.periods[name] = reads
			}
		}
	}
}

// A depsWalk walks template parse trees, gathering what they read from
// the site: in all, or in home while it is under a home page test.
type depsWalk struct {
	all, home SiteDeps
	inHome    bool
}

func (w *depsWalk) add(d SiteDeps) {
	if w.inHome {
		w.home |= d
	} else {
		w.all |= d
	}
}

// node walks a template parse tree. underLen is set for the single
// argument of a len call, where only a list's length is shown.
func (w *depsWalk) node(n parse.Node, underLen bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			w.node(c, false)
		}
	case *parse.ActionNode:
		w.node(n.Pipe, false)
	case *parse.IfNode:
		w.branch(&n.BranchNode, isHomeTest(n.Pipe))
	case *parse.RangeNode:
		w.branch(&n.BranchNode, false)
	case *parse.WithNode:
		w.branch(&n.BranchNode, false)
	case *parse.TemplateNode:
		w.node(n.Pipe, false)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			w.node(c, false)
		}
	case *parse.CommandNode:
		if len(n.Args) > 0 && isIdent(n.Args[0], "timeline") {
			// The chart counts the articles of every year (home) or of
			// the page's year or month.
			w.add(DepsPagePeriod)
		}
		isLen := len(n.Args) == 2 && isIdent(n.Args[0], "len")
		for i, a := range n.Args {
			w.node(a, isLen && i == 1)
		}
	case *parse.FieldNode:
		w.add(identDeps(n.Ident, underLen))
	case *parse.VariableNode:
		w.add(identDeps(n.Ident[1:], underLen))
	case *parse.ChainNode:
		// (pipeline).Field: the pipeline may yield anything, so a chain
		// off it is judged by its fields alone, and the pipeline itself too.
		w.node(n.Node, false)
		w.add(identDeps(n.Field, underLen))
		if f, ok := n.Node.(*parse.PipeNode); ok && endsInSite(f) {
			w.add(DepsAll)
		}
	}
}

// branch walks an if, range or with; home says that its list runs only on
// home pages.
func (w *depsWalk) branch(b *parse.BranchNode, home bool) {
	w.node(b.Pipe, false)
	was := w.inHome
	w.inHome = was || home
	w.node(b.List, false)
	w.inHome = was
	if b.ElseList != nil {
		w.node(b.ElseList, false)
	}
}

// isHomeTest reports whether an if's pipeline is true only on home pages:
// a field chain ending in Home (Chrome.Home, the only such field), or
// eq .Kind "home" (Page.Kind and Chrome.Kind are the page's kind; no other
// Kind a template can reach is a string that can be "home").
func isHomeTest(p *parse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 {
		return false
	}
	args := p.Cmds[0].Args
	switch len(args) {
	case 1:
		f, ok := args[0].(*parse.FieldNode)
		return ok && f.Ident[len(f.Ident)-1] == "Home"
	case 3:
		if !isIdent(args[0], "eq") {
			return false
		}
		f, ok := args[1].(*parse.FieldNode)
		s, ok2 := args[2].(*parse.StringNode)
		return ok && ok2 && f.Ident[len(f.Ident)-1] == "Kind" && s.Text == KindHome
	}
	return false
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
		case "Period", "Parent", "Children", "Prev", "Next":
			d |= DepsPagePeriod
		case "Years":
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
