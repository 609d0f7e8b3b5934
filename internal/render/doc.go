// Package render turns an indexed site into HTML pages through Go
// html/template files.
//
// It owns the page set (which pages a site has and at which URLs), the data
// each template receives, and the template set: defaults supplied by the
// caller, overridden file by file by the site's templates/ folder. It writes
// bytes to an io.Writer and never touches the output folder.
package render
