// Package config reads a site's optional sitegen.yaml and supplies defaults
// for every setting it leaves out.
//
// It owns only the settings; the packages that use them decide what they mean.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // zone names work on machines without a zoneinfo database

	"go.yaml.in/yaml/v3"
)

// FileName is the config file's name at the site root.
const FileName = "sitegen.yaml"

// Config is a site's configuration. Templates see it as .Site.Config.
type Config struct {
	Title        string `yaml:"title"`        // site name, in <title> and the header
	BaseURL      string `yaml:"baseURL"`      // absolute URL the site is served from, ending in "/"
	Language     string `yaml:"language"`     // BCP 47 tag for <html lang>, e.g. "en", "de", "ar"
	Timezone     string `yaml:"timezone"`     // IANA zone name for dates, e.g. "Europe/Berlin"
	Paginate     int    `yaml:"paginate"`     // articles per list page
	RawHTML      bool   `yaml:"rawHTML"`      // pass raw HTML in Markdown bodies through; only for trusted content
	MaxArticleMB int    `yaml:"maxArticleMB"` // largest article file read, in MiB

	Location *time.Location `yaml:"-"` // Timezone, loaded
}

// Default returns the configuration of a site without sitegen.yaml.
func Default() *Config {
	return &Config{
		Title:        "News archive",
		BaseURL:      "http://localhost:1313/",
		Language:     "en",
		Timezone:     "UTC",
		Paginate:     20,
		MaxArticleMB: 16,
		Location:     time.UTC,
	}
}

// Load reads FileName from the site root in fsys, if present, over the defaults.
func Load(fsys fs.FS) (*Config, error) {
	c := Default()
	data, err := fs.ReadFile(fsys, FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", FileName, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && err != io.EOF { // io.EOF: an empty file means all defaults
		return nil, fmt.Errorf("%s: %v (keys: title, baseURL, language, timezone, paginate, rawHTML, maxArticleMB)", FileName, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", FileName, err)
	}
	return c, nil
}

func (c *Config) check() error {
	if c.Paginate < 1 {
		return fmt.Errorf("paginate is %d; it must be 1 or more", c.Paginate)
	}
	if c.MaxArticleMB < 1 {
		return fmt.Errorf("maxArticleMB is %d; it must be 1 or more", c.MaxArticleMB)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("baseURL %q is not an absolute URL; write it like https://example.org/", c.BaseURL)
	}
	if !strings.HasSuffix(c.BaseURL, "/") {
		c.BaseURL += "/"
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return fmt.Errorf("timezone %q is unknown; use an IANA name such as Europe/Berlin", c.Timezone)
	}
	c.Location = loc
	if c.Language == "" {
		c.Language = "en"
	}
	return nil
}

// BasePath returns the path part of BaseURL ("/" or "/archive/"), which
// prefixes every link in the site.
func (c *Config) BasePath() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}
