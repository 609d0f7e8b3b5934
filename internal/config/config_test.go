package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name, yaml string
		check      func(t *testing.T, c *Config)
		wantErr    string
	}{
		{name: "no file", check: func(t *testing.T, c *Config) {
			if c.Paginate != 20 || c.Language != "en" || c.BasePath() != "/" {
				t.Errorf("defaults = %+v", c)
			}
		}},
		{name: "empty file", yaml: "", check: func(t *testing.T, c *Config) {
			if c.Title != Default().Title {
				t.Errorf("title = %q", c.Title)
			}
		}},
		{name: "all keys", yaml: "title: T\nbaseURL: https://example.org/archive\nlanguage: de\ntimezone: Europe/Berlin\npaginate: 5\n",
			check: func(t *testing.T, c *Config) {
				if c.BaseURL != "https://example.org/archive/" || c.BasePath() != "/archive/" {
					t.Errorf("baseURL %q, base path %q", c.BaseURL, c.BasePath())
				}
				if c.Location.String() != "Europe/Berlin" || c.Paginate != 5 || c.Language != "de" {
					t.Errorf("config = %+v", c)
				}
			}},
		{name: "typo", yaml: "titel: T\n", wantErr: "line 1: field titel not found"},
		{name: "zero paginate", yaml: "paginate: 0\n", wantErr: "paginate is 0"},
		{name: "relative baseURL", yaml: "baseURL: /news/\n", wantErr: "not an absolute URL"},
		{name: "unknown zone", yaml: "timezone: Mars/Olympus\n", wantErr: `timezone "Mars/Olympus" is unknown`},
		{name: "bad yaml", yaml: "title: [\n", wantErr: "sitegen.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tt.name != "no file" {
				fsys[FileName] = &fstest.MapFile{Data: []byte(tt.yaml)}
			}
			c, err := Load(fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}
