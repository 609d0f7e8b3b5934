package render

import (
	"bytes"
	"fmt"
	"html/template"
	"reflect"
	"sync"

	"github.com/sitegen/sitegen/internal/content"
)

// A fragmentCache holds the output of the "cache" template function.
//
// An archive's list pages show each article again and again (on the home
// page, its tags' pages and its year, month and day pages): the default
// list template draws an article's entry once with
// {{cache "article-item" .}} and reuses the bytes. A cached template must
// depend on its argument alone, which holds for a template that reads only
// its dot, and must be called where HTML text may go.
//
// Fragments outlive an update of the site (Renderer.KeepFragments) when
// nothing they show can have changed: their argument is a value that holds
// no pointer (a content.Tag), or an article the caller names by its content
// (Renderer.IdentifyArticles). The preview server then draws again only the
// list entries of the articles an edit changed, not those of every article
// on the pages it moved (adding an article moves every home page). A
// fragment whose argument holds any other pointer (a period, a page's
// .Chrome with its site) is forgotten, for what it points to may have been
// changed in place.
//
// It is read far more often than written (every list entry of every page,
// drawn once): maps under a read-write lock, which look up about three
// times faster than a sync.Map with these interface keys.
type fragmentCache struct {
	mu       sync.RWMutex
	articles map[articleFragment]template.HTML // drawn from an article named by ids
	durable  map[fragmentKey]template.HTML     // argument a value without pointers
	fleeting map[fragmentKey]template.HTML     // argument holds some other pointer
	ids      func(*content.Article) (ArticleID, bool)

	drawnByID int // fragments drawn (not read) into articles, for ArticleFragments
}

type fragmentKey struct {
	set  *template.Template
	name string
	arg  any
}

// An articleFragment is the key of a fragment drawn from an article that
// ids named, by that name.
type articleFragment struct {
	set  *template.Template
	name string
	id   ArticleID
}

// An ArticleID names what an article holds: two articles with the same ID
// draw the same fragments. See Renderer.IdentifyArticles.
type ArticleID [16]byte

// pointerFree remembers, by type, whether a value of the type holds no
// pointer (strings aside, which cannot change): see holdsNoPointer.
var pointerFree sync.Map // reflect.Type -> bool

// holdsNoPointer reports whether a value of type t holds no pointer, slice,
// map, interface, channel or function, at any depth: whether two equal
// values must draw the same fragment whatever happens to the site.
func holdsNoPointer(t reflect.Type) bool {
	if v, ok := pointerFree.Load(t); ok {
		return v.(bool)
	}
	var free func(reflect.Type) bool
	free = func(t reflect.Type) bool {
		switch t.Kind() {
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
			reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
			return true
		case reflect.Array:
			return free(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				if !free(t.Field(i).Type) {
					return false
				}
			}
			return true
		}
		return false
	}
	v := free(t)
	pointerFree.Store(t, v)
	return v
}

// A fragmentSlot is where a fragment is kept: in one of the three maps of
// a fragmentCache, under its key there; or nowhere, for an argument that
// cannot be a key (nil, or a type without ==).
type fragmentSlot struct {
	kind int // slotNone, slotArticle, slotDurable or slotFleeting
	art  articleFragment
	key  fragmentKey
}

const (
	slotNone = iota
	slotArticle
	slotDurable
	slotFleeting
)

// slot returns where name drawn from arg in set is kept. The caller holds
// c.mu.
func (c *fragmentCache) slot(set *template.Template, name string, arg any) fragmentSlot {
	if a, isArt := arg.(*content.Article); isArt && a != nil && c.ids != nil {
		if id, known := c.ids(a); known {
			return fragmentSlot{kind: slotArticle, art: articleFragment{set, name, id}}
		}
	}
	if arg == nil {
		return fragmentSlot{}
	}
	t := reflect.TypeOf(arg)
	if !t.Comparable() {
		return fragmentSlot{}
	}
	if holdsNoPointer(t) {
		return fragmentSlot{kind: slotDurable, key: fragmentKey{set, name, arg}}
	}
	return fragmentSlot{kind: slotFleeting, key: fragmentKey{set, name, arg}}
}

// get returns the fragment kept in s. The caller holds c.mu.
func (c *fragmentCache) get(s *fragmentSlot) (h template.HTML, ok bool) {
	switch s.kind {
	case slotArticle:
		h, ok = c.articles[s.art]
	case slotDurable:
		h, ok = c.durable[s.key]
	case slotFleeting:
		h, ok = c.fleeting[s.key]
	}
	return h, ok
}

// put keeps h in s. The caller holds c.mu for writing.
func (c *fragmentCache) put(s *fragmentSlot, h template.HTML) {
	switch s.kind {
	case slotArticle:
		if c.articles == nil {
			c.articles = map[articleFragment]template.HTML{}
		}
		if _, had := c.articles[s.art]; !had {
			c.drawnByID++
		}
		c.articles[s.art] = h
	case slotDurable:
		if c.durable == nil {
			c.durable = map[fragmentKey]template.HTML{}
		}
		c.durable[s.key] = h
	case slotFleeting:
		if c.fleeting == nil {
			c.fleeting = map[fragmentKey]template.HTML{}
		}
		c.fleeting[s.key] = h
	}
}

// fragmentBufs are where fragments are drawn, grown once instead of for
// each of the tens of thousands a build draws.
var fragmentBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// cacheFunc returns the "cache" function for the template set t.
func (r *Renderer) cacheFunc(t *template.Template) func(name string, arg any) (template.HTML, error) {
	c := &r.fragments
	return func(name string, arg any) (template.HTML, error) {
		c.mu.RLock()
		slot := c.slot(t, name, arg)
		h, found := c.get(&slot)
		c.mu.RUnlock()
		if found {
			return h, nil
		}
		buf := fragmentBufs.Get().(*bytes.Buffer)
		defer fragmentBufs.Put(buf)
		buf.Reset()
		if err := t.ExecuteTemplate(buf, name, arg); err != nil {
			return "", fmt.Errorf("cache %q: %w", name, err)
		}
		h = template.HTML(buf.String())
		if slot.kind != slotNone {
			c.mu.Lock()
			c.put(&slot, h)
			c.mu.Unlock()
		}
		return h, nil
	}
}

// IdentifyArticles has fragments drawn from an article (its dot a
// *content.Article) kept by what id names it, rather than by the article
// pointer, so that they outlive an update (see KeepFragments). id must
// give two articles the same ID only when every fragment template would
// draw the same bytes from them, and it is called while pages are drawn:
// it must not change until the caller calls KeepFragments. An article it
// does not know (ok false) is kept by its pointer. Pages are drawn with
// articles keyed by pointer until IdentifyArticles is called.
func (r *Renderer) IdentifyArticles(id func(a *content.Article) (ArticleID, bool)) {
	r.fragments.mu.Lock()
	r.fragments.ids = id
	r.fragments.mu.Unlock()
}

// KeepFragments forgets the fragments drawn with the "cache" template
// function that an update of the site may have made wrong: every one whose
// argument holds a pointer, for the data behind it may have been changed
// in place, except articles named by IdentifyArticles. Of those it keeps
// only the articles live reports true for (nil: all of them). Call it
// whenever the site changes, before drawing pages again.
func (r *Renderer) KeepFragments(live func(ArticleID) bool) {
	c := &r.fragments
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.fleeting)
	if live == nil {
		return
	}
	for k := range c.articles {
		if !live(k.id) {
			delete(c.articles, k)
		}
	}
}

// ResetCache forgets every fragment drawn with the "cache" template
// function, those KeepFragments would keep included.
func (r *Renderer) ResetCache() {
	c := &r.fragments
	c.mu.Lock()
	clear(c.articles)
	clear(c.durable)
	clear(c.fleeting)
	c.mu.Unlock()
}
