package render

import (
	"bytes"
	"fmt"
	"html/template"
	"reflect"
	"sync"
)

// A fragmentCache holds the output of the "cache" template function.
//
// An archive's list pages show each article again and again (on the home
// page, its tags' pages and its year, month and day pages): the default
// list template draws an article's entry once per build with
// {{cache "article-item" .}} and reuses the bytes. A cached template must
// depend on its argument alone, which holds for a template that reads only
// its dot, and must be called where HTML text may go.
//
// It is read far more often than written (every list entry of every page,
// drawn once): a map under a read-write lock, which looks up about three
// times faster than a sync.Map with these interface keys.
type fragmentCache struct {
	mu sync.RWMutex
	m  map[fragmentKey]template.HTML
}

type fragmentKey struct {
	set  *template.Template
	name string
	arg  any
}

// fragmentBufs are where fragments are drawn, grown once instead of for
// each of the tens of thousands a build draws.
var fragmentBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// cacheFunc returns the "cache" function for the template set t.
func (r *Renderer) cacheFunc(t *template.Template) func(name string, arg any) (template.HTML, error) {
	return func(name string, arg any) (template.HTML, error) {
		cacheable := arg != nil && reflect.TypeOf(arg).Comparable()
		key := fragmentKey{t, name, arg}
		if cacheable {
			r.fragments.mu.RLock()
			h, ok := r.fragments.m[key]
			r.fragments.mu.RUnlock()
			if ok {
				return h, nil
			}
		}
		buf := fragmentBufs.Get().(*bytes.Buffer)
		defer fragmentBufs.Put(buf)
		buf.Reset()
		if err := t.ExecuteTemplate(buf, name, arg); err != nil {
			return "", fmt.Errorf("cache %q: %w", name, err)
		}
		h := template.HTML(buf.String())
		if cacheable {
			r.fragments.mu.Lock()
			if r.fragments.m == nil {
				r.fragments.m = map[fragmentKey]template.HTML{}
			}
			r.fragments.m[key] = h
			r.fragments.mu.Unlock()
		}
		return h, nil
	}
}

// ResetCache forgets every fragment drawn with the "cache" template
// function. Call it whenever the articles change: fragments are keyed by
// the article they draw, which an update may have changed in place.
func (r *Renderer) ResetCache() {
	r.fragments.mu.Lock()
	clear(r.fragments.m)
	r.fragments.mu.Unlock()
}
