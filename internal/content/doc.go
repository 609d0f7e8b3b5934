// Package content owns the article model and turns source files into it.
//
// It reads every article under a site's content folder through io/fs, parses
// raw scraped text (via package rawtext) and Markdown with YAML front matter,
// and normalizes both into one Article. It knows nothing of indexes,
// templates or output files.
package content
