// Package i18n holds the words of the theme in the site's language: UI
// words with their plural forms, month and day names, date formats and the
// text direction.
//
// A language is one YAML file, LANG.yaml, in an i18n folder. The theme ships
// defaults (en, de, ar); a site's own i18n/ folder overrides them entry by
// entry, or adds a language. The package reads files and formats strings; it
// knows nothing of templates or pages.
package i18n
