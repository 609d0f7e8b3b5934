package render

import (
	"html/template"
	"maps"
	"slices"
	"text/template/parse"
)

// A PeriodRead is one way a page template goes from a date page's own
// period to other periods, and what it reads of the periods it reaches.
// Path is one letter per step: 'u' to the parent (.Parent), 'c' to each
// child (.Children), 'p' and 'n' to the neighbours (.Prev, .Next); ""
// is the page's period itself. A path that starts with 'Y' starts instead
// from every year of the site (.Site.Years), on a page of any kind: "Y" is
// the years, "Yc" their months. A template reads at least which periods a
// path reaches (their kinds and starts, so their URLs and names); Count
// says it reads their article counts too (len .Articles).
type PeriodRead struct {
	Path  string
	Count bool
}

// PeriodReads returns the periods that pages of the given template read,
// starting from the page's own period or from the site's years, when the
// analysis can tell: a date page's bytes then depend on those periods
// only, not on every period of the site, and adding an article to one day
// changes the pages of that day, its month and year and of the periods
// that show their counts, not every date page of the archive; a page that
// lists the years (DepsPeriods) changes when a year comes or goes, not
// when a day's count does. ok is false when the templates read periods
// the analysis cannot follow: a period, the page or the site in a variable
// assigned again or given to a function it does not know, a template that
// calls itself deeper and deeper, or every article (DepsAll).
func (r *Renderer) PeriodReads(template string) (reads []PeriodRead, ok bool) {
	r.depsOnce.Do(r.analyze)
	pr, ok := r.periods[template]
	return pr, ok
}

// maxPeriodPath bounds the steps a path may take: a template that calls
// itself with ever further periods is not followed.
const maxPeriodPath = 8

// A pval is what the period analysis knows of a value.
type pval struct {
	kind pkind
	path string // of a period or a list of periods
}

type pkind uint8

const (
	pvOther   pkind = iota // no period can be reached from it (see periodReads)
	pvPage                 // the *Page being drawn
	pvSite                 // the *site.Site, whose Years lead to periods
	pvHolder               // a value whose Site field is the site: a *Chrome or *FeedSet
	pvPeriod               // a period, path steps from the page's
	pvPeriods              // a list of periods, path steps from the page's
	pvMixed                // one of several values, one of them a page or period ({{or .Prev .Next}})
)

// periodWalk follows the page and its periods through one page template's
// set, from its root.
type periodWalk struct {
	set    *template.Template
	reads  map[string]bool // path -> count read
	seen   map[periodVisit]bool
	failed bool
}

type periodVisit struct {
	name     string
	dot, top pval
}

// periodReads analyses the set whose root template is root. Values that
// are neither the page, the site, a holder of the site nor a period are
// pvOther: from them no period can be reached, since a page's other fields
// hold articles, tags and pagers (TestSiteHolders).
func periodReads(set *template.Template, root string) ([]PeriodRead, bool) {
	w := &periodWalk{set: set, reads: map[string]bool{}, seen: map[periodVisit]bool{}}
	page := pval{kind: pvPage}
	w.template(root, page, page)
	if w.failed {
		return nil, false
	}
	var out []PeriodRead
	for _, p := range slices.Sorted(maps.Keys(w.reads)) {
		out = append(out, PeriodRead{p, w.reads[p]})
	}
	return out, true
}

// pscope is what a template's body sees: dot, $ and its variables.
type pscope struct {
	dot  pval
	vars map[string]pval
}

func (s pscope) with(dot pval) pscope { return pscope{dot, s.vars} }

// nested returns a scope whose declarations end with it.
func (s pscope) nested() pscope { return pscope{s.dot, maps.Clone(s.vars)} }

func (w *periodWalk) template(name string, dot, top pval) {
	v := periodVisit{name, dot, top}
	if w.seen[v] || w.failed {
		return
	}
	w.seen[v] = true
	t := w.set.Lookup(name)
	if t == nil || t.Tree == nil {
		return // executing it fails
	}
	w.list(t.Tree.Root, pscope{dot, map[string]pval{"$": top}})
}

func (w *periodWalk) list(l *parse.ListNode, s pscope) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		w.node(n, s)
	}
}

func (w *periodWalk) node(n parse.Node, s pscope) {
	switch n := n.(type) {
	case *parse.ActionNode:
		if v := w.pipe(n.Pipe, s); v.kind != pvOther && len(n.Pipe.Decl) == 0 {
			w.failed = true // a page or period printed: every field of it
		}
	case *parse.IfNode:
		inner := s.nested()
		w.pipe(n.Pipe, inner)
		w.list(n.List, inner)
		w.list(n.ElseList, s.nested())
	case *parse.WithNode:
		inner := s.nested()
		v := w.pipe(n.Pipe, inner)
		w.use(v)
		w.list(n.List, inner.with(v))
		w.list(n.ElseList, s.nested())
	case *parse.RangeNode:
		inner := s.nested()
		v := w.pipe(n.Pipe, inner)
		elem := pval{}
		switch v.kind {
		case pvPeriods:
			elem = pval{pvPeriod, v.path}
		case pvOther:
		default:
			w.failed = true // ranging over a page or period, or a mix
		}
		if d := n.Pipe.Decl; len(d) > 0 {
			inner.vars[d[len(d)-1].Ident[0]] = elem
			if len(d) == 2 {
				inner.vars[d[0].Ident[0]] = pval{}
			}
		}
		w.list(n.List, inner.with(elem))
		w.list(n.ElseList, s.nested())
	case *parse.TemplateNode:
		v := pval{}
		if n.Pipe != nil {
			v = w.pipe(n.Pipe, s)
		}
		w.use(v)
		w.template(n.Name, v, v) // $ in a called template is its dot
	}
}

// use fails the walk when v, about to become a dot, is one of several
// values: the analysis follows one.
func (w *periodWalk) use(v pval) {
	if v.kind == pvMixed {
		w.failed = true
	}
}

// pipe evaluates a pipeline in s, declaring or assigning its variables,
// and returns its value.
func (w *periodWalk) pipe(p *parse.PipeNode, s pscope) pval {
	if p == nil {
		return pval{}
	}
	var v pval
	for i, c := range p.Cmds {
		var prev *pval
		if i > 0 {
			prev = &v
		}
		v = w.command(c, s, prev)
	}
	for _, d := range p.Decl {
		name := d.Ident[0]
		if old, ok := s.vars[name]; p.IsAssign && ok && old != v {
			// Assigned in a scope that may end before its uses: followed
			// only while it holds what it held.
			w.failed = true
		}
		if v.kind == pvMixed {
			w.failed = true
		}
		s.vars[name] = v
	}
	return v
}

// command evaluates one command; prev is the value piped into it, its last
// argument.
func (w *periodWalk) command(c *parse.CommandNode, s pscope, prev *pval) pval {
	if len(c.Args) == 0 {
		return pval{}
	}
	fn, isFunc := c.Args[0].(*parse.IdentifierNode)
	if !isFunc {
		if len(c.Args) > 1 || prev != nil {
			// A method given arguments: none of the page's or a period's
			// takes any, so it is another value's, which the page or a
			// period given to it may lead anywhere.
			for _, a := range c.Args[1:] {
				if w.arg(a, s, false).kind != pvOther {
					w.failed = true
				}
			}
			if prev != nil && prev.kind != pvOther {
				w.failed = true
			}
			w.arg(c.Args[0], s, false)
			return pval{}
		}
		return w.arg(c.Args[0], s, false)
	}
	var args []pval
	for i, a := range c.Args[1:] {
		args = append(args, w.arg(a, s, fn.Ident == "len" && i == 0 && len(c.Args) == 2))
	}
	if prev != nil {
		args = append(args, *prev)
	}
	tracked := func() bool {
		for _, a := range args {
			if a.kind != pvOther {
				return true
			}
		}
		return false
	}
	switch fn.Ident {
	case "len", "eq", "ne", "lt", "le", "gt", "ge", "not":
		// Which periods a value is, or how many: known already.
		return pval{}
	case "and", "or":
		// One of the arguments: a dot or variable must know which.
		if tracked() {
			return pval{kind: pvMixed}
		}
		return pval{}
	case "index":
		if len(args) == 2 && args[0].kind == pvPeriods {
			return pval{pvPeriod, args[0].path}
		}
	case "timeline":
		// The chart of a date page counts its period's children.
		if len(args) == 1 && args[0].kind == pvPage {
			w.reach("", false)
			w.reach("c", true)
			return pval{}
		}
	case "cache":
		if len(c.Args) != 3 || prev != nil {
			break // a piped or missing argument: any dot, if the page or a period
		}
		if name, ok := c.Args[1].(*parse.StringNode); ok {
			w.use(args[1])
			w.template(name.Text, args[1], args[1])
			return pval{}
		}
		if !tracked() {
			// A computed name or piped argument, given neither the
			// page nor a period: what it reads comes from nowhere else.
			return pval{}
		}
		w.failed = true
		return pval{}
	}
	if tracked() {
		w.failed = true // a function the analysis does not know given the page or a period
	}
	return pval{}
}

// arg evaluates one operand; underLen says it is the argument of len.
func (w *periodWalk) arg(n parse.Node, s pscope, underLen bool) pval {
	switch n := n.(type) {
	case *parse.DotNode:
		return s.dot
	case *parse.FieldNode:
		return w.fields(s.dot, n.Ident, underLen)
	case *parse.VariableNode:
		v, ok := s.vars[n.Ident[0]]
		if !ok {
			w.failed = true // not declared where the analysis looked
			return pval{}
		}
		return w.fields(v, n.Ident[1:], underLen)
	case *parse.ChainNode:
		return w.fields(w.arg(n.Node, s, false), n.Field, underLen)
	case *parse.PipeNode:
		return w.pipe(n, s.nested())
	}
	return pval{}
}

// fields follows a field chain from v.
func (w *periodWalk) fields(v pval, ids []string, underLen bool) pval {
	for i, id := range ids {
		last := i == len(ids)-1
		switch v.kind {
		case pvPage:
			switch id {
			case "Period":
				v = w.period("")
			case "Site":
				v = pval{kind: pvSite}
			case "Chrome", "FeedSet":
				v = pval{kind: pvHolder}
			default:
				v = pval{} // the page's other fields hold no period (see periodReads)
			}
		case pvHolder:
			if id == "Site" {
				v = pval{kind: pvSite}
			} else {
				v = pval{}
			}
		case pvSite:
			if id == "Years" {
				v = w.periods("Y")
			} else {
				v = pval{} // articles, tags, the configuration, notes
			}
		case pvPeriod:
			switch id {
			case "Parent":
				v = w.period(v.path + "u")
			case "Prev":
				v = w.period(v.path + "p")
			case "Next":
				v = w.period(v.path + "n")
			case "Children":
				v = w.periods(v.path + "c")
			case "Articles":
				if !(underLen && last) {
					w.failed = true // the articles themselves (DepsAll)
				}
				w.reach(v.path, true)
				v = pval{}
			case "Kind", "Start", "URLPath":
				v = pval{}
			default:
				w.failed = true
				v = pval{}
			}
		case pvMixed, pvPeriods:
			w.failed = true
			v = pval{}
		}
	}
	return v
}

// period and periods return the value of the periods at path, noting that
// the template reaches them.
func (w *periodWalk) period(path string) pval {
	w.reach(path, false)
	return pval{pvPeriod, path}
}

func (w *periodWalk) periods(path string) pval {
	w.reach(path, false)
	return pval{pvPeriods, path}
}

func (w *periodWalk) reach(path string, count bool) {
	if len(path) > maxPeriodPath {
		w.failed = true
		return
	}
	w.reads[path] = w.reads[path] || count
}
