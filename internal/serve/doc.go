// Package serve is the local preview server behind `sitegen serve`: it builds
// the site into memory, serves it over HTTP, watches the site's sources with
// fsnotify, rebuilds after each change and makes open browser tabs reload
// themselves, or show the build error, through a small script it adds to the
// HTML it serves.
//
// It serves only the files a build produced and writes nothing to disk; the
// reload script exists only in responses, never in what `sitegen build`
// publishes. Loading, indexing and rendering stay with packages build, site
// and render. It also sets the preview process's runtime up for a heap that
// holds every page: its collection target (gcPercent), the heap warmed
// after the first build and collected while idle after the later ones.
// (cmd/sitegen starts the preview with package lazyfree's GODEBUG.)
package serve
