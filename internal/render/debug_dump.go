package render

import "html/template"

func (r *Renderer) DebugSet(name string) *template.Template { return r.sets[name] }
