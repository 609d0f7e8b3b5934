// Package rawtext parses raw scraped news text into a Story: the date line,
// the headline, the paragraphs of the story and the metadata hidden in them.
//
// It works on one file's bytes at a time and knows nothing of other articles,
// Markdown, templates or the site; package content turns a Story into an
// Article.
package rawtext
