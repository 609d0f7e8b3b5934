// Package search builds the static full-text index that the site's search
// page queries in the browser, with no server: a small manifest, term shards
// that a query fetches only for its own terms, and one small document file
// per article for the results it shows.
//
// It owns the index format (documented in docs/search.md) and the
// tokenizer, which assets/search.js mirrors. It reads articles and emits
// files through a callback; it writes nothing itself and renders no HTML.
package search
