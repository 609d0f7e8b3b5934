package topics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"go.yaml.in/yaml/v3"
)

// RulesFile is the site file that holds the tag rules.
const RulesFile = "tags.yaml"

// Rules are a site's tag rules, from tags.yaml:
//
//	aliases:                      # another spelling -> the one tag
//	  Kataeb Hezbollah: Kataib Hezbollah
//	  U.S.: US
//	block: [Deutsche Welle, Twitter]   # never a tag
//
// Names compare without regard to case. Aliases apply to extracted topic
// tags and to tags written in front matter alike.
type Rules struct {
	Aliases map[string]string `yaml:"aliases"`
	Block   []string          `yaml:"block"`

	alias   map[string]string
	blocked map[string]bool
}

// LoadRules reads tags.yaml from the site root; a site without one gets
// empty rules.
func LoadRules(fsys fs.FS) (*Rules, error) {
	data, err := fs.ReadFile(fsys, RulesFile)
	if errors.Is(err, fs.ErrNotExist) {
		return NewRules(nil, nil), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", RulesFile, err)
	}
	var r Rules
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
		return nil, fmt.Errorf("%s: %v (write \"aliases:\" as a map of spelling to tag and \"block:\" as a list)", RulesFile, err)
	}
	return NewRules(r.Aliases, r.Block), nil
}

// NewRules builds rules from an alias map (spelling -> tag) and a block list.
func NewRules(aliases map[string]string, block []string) *Rules {
	r := &Rules{Aliases: aliases, Block: block, alias: map[string]string{}, blocked: map[string]bool{}}
	for from, to := range aliases {
		r.alias[fold(from)] = strings.Join(strings.Fields(to), " ")
	}
	for _, b := range block {
		r.blocked[fold(b)] = true
	}
	return r
}

// Canonical maps a tag name through the aliases and returns "" when it is
// blocked.
func (r *Rules) Canonical(name string) string { return r.canonical(name) }

func (r *Rules) canonical(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if r == nil {
		return name
	}
	if to, ok := r.alias[fold(name)]; ok {
		name = to
	}
	if r.blocked[fold(name)] {
		return ""
	}
	return name
}

func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
