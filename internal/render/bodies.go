package render

import (
	"html/template"
	"text/template/parse"
)

// BodyUse says whose bodies a page template shows, for builds that keep
// bodies out of memory until a page needs them: reading back only the page's
// own article's body is a third of what reading its neighbours' too costs.
type BodyUse uint8

const (
	BodiesNone BodyUse = iota // no article's body
	BodyOwn                   // only the page's own article's: .Article.Body
	BodiesAny                 // any article's the page holds: .Older.Body, a list's ...
)

// Bodies returns whose bodies pages of the given template show. The
// analysis follows the page's dot from the root of the document through
// {{with}}, {{template}} and {{cache}}: a Body read from .Article (or from
// dot inside {{with .Article}}) is the page's own; a Body read from
// anything else, or through a variable or a computed template name, counts
// as any. Deps's DepsBodies, which build caches use, stays set either way.
func (r *Renderer) Bodies(template string) BodyUse {
	r.depsOnce.Do(r.analyze)
	if u, ok := r.bodies[template]; ok {
		return u
	}
	return BodiesAny
}

// The dot, or $, as the body analysis knows it.
type dotKind uint8

const (
	dotOther dotKind = iota // anything: a Body read under it may be any article's
	dotPage                 // the *Page being drawn
	dotOwn                  // the page's own article, .Article
)

// bodyWalk finds the Body reads of one page template's set.
type bodyWalk struct {
	set  *template.Template
	seen map[bodyVisit]bool
	use  BodyUse
}

type bodyVisit struct {
	name       string
	dot, outer dotKind
}

func bodyUse(set *template.Template, root string) BodyUse {
	w := &bodyWalk{set: set, seen: map[bodyVisit]bool{}}
	w.template(root, dotPage, dotPage)
	return w.use
}

// template walks the named template with the given dot and $.
func (w *bodyWalk) template(name string, dot, outer dotKind) {
	v := bodyVisit{name, dot, outer}
	if w.seen[v] || w.use == BodiesAny {
		return
	}
	w.seen[v] = true
	t := w.set.Lookup(name)
	if t == nil || t.Tree == nil {
		return // executing it fails
	}
	w.node(t.Tree.Root, dot, outer)
}

func (w *bodyWalk) node(n parse.Node, dot, outer dotKind) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			w.node(c, dot, outer)
		}
	case *parse.ActionNode:
		w.pipe(n.Pipe, dot, outer)
	case *parse.IfNode:
		w.pipe(n.Pipe, dot, outer)
		w.node(n.List, dot, outer)
		w.node(n.ElseList, dot, outer)
	case *parse.WithNode:
		w.pipe(n.Pipe, dot, outer)
		w.node(n.List, w.value(n.Pipe, dot, outer), outer)
		w.node(n.ElseList, dot, outer)
	case *parse.RangeNode:
		w.pipe(n.Pipe, dot, outer)
		w.node(n.List, dotOther, outer)
		w.node(n.ElseList, dot, outer)
	case *parse.TemplateNode:
		w.pipe(n.Pipe, dot, outer)
		d := w.value(n.Pipe, dot, outer)
		w.template(n.Name, d, d) // $ in a called template is its dot
	}
}

// pipe checks a pipeline's reads, and follows {{cache "name" arg}} into
// the template it draws.
func (w *bodyWalk) pipe(p *parse.PipeNode, dot, outer dotKind) {
	if p == nil {
		return
	}
	for _, c := range p.Cmds {
		for _, a := range c.Args {
			w.arg(a, dot, outer)
		}
		if len(c.Args) == 0 || !isIdent(c.Args[0], "cache") {
			continue
		}
		if len(c.Args) != 3 {
			w.use = BodiesAny // a piped argument: any dot
			continue
		}
		name, ok := c.Args[1].(*parse.StringNode)
		if !ok {
			w.use = BodiesAny // any template
			continue
		}
		d := w.argValue(c.Args[2], dot, outer)
		w.template(name.Text, d, d)
	}
}

// arg checks one argument or operand for Body reads.
func (w *bodyWalk) arg(n parse.Node, dot, outer dotKind) {
	switch n := n.(type) {
	case *parse.FieldNode:
		w.fields(dot, n.Ident)
	case *parse.VariableNode:
		base := dotOther
		if n.Ident[0] == "$" {
			base = outer
		}
		w.fields(base, n.Ident[1:])
	case *parse.ChainNode:
		w.arg(n.Node, dot, outer)
		w.fields(dotOther, n.Field)
	case *parse.PipeNode:
		w.pipe(n, dot, outer)
	}
}

// fields judges a field chain read from base: .Body of the page's own
// article is BodyOwn, any other Body is BodiesAny.
func (w *bodyWalk) fields(base dotKind, ids []string) {
	for i, id := range ids {
		if id != "Body" {
			continue
		}
		own := base == dotOwn && i == 0 || base == dotPage && i == 1 && ids[0] == "Article"
		if !own {
			w.use = BodiesAny
			return
		}
		w.use = max(w.use, BodyOwn)
	}
}

// value is what a pipeline used as dot ({{with}}, {{template}}) holds.
func (w *bodyWalk) value(p *parse.PipeNode, dot, outer dotKind) dotKind {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return dotOther
	}
	return w.argValue(p.Cmds[0].Args[0], dot, outer)
}

// argValue is what a single operand holds: dot, $, or .Article of a page.
func (w *bodyWalk) argValue(n parse.Node, dot, outer dotKind) dotKind {
	var base dotKind
	var ids []string
	switch n := n.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		base, ids = dot, n.Ident
	case *parse.VariableNode:
		if n.Ident[0] != "$" {
			return dotOther
		}
		base, ids = outer, n.Ident[1:]
	default:
		return dotOther
	}
	switch {
	case len(ids) == 0:
		return base
	case len(ids) == 1 && base == dotPage && ids[0] == "Article":
		return dotOwn
	}
	return dotOther
}
