package build

import (
	"errors"
	"io/fs"

	sitegen "github.com/sitegen/sitegen"
	"github.com/sitegen/sitegen/internal/assets"
	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/i18n"
	"github.com/sitegen/sitegen/internal/render"
)

// A theme is everything but the articles that pages are drawn with: the
// configuration, the language, the templates and the assets.
type theme struct {
	cfg      *config.Config
	lang     *i18n.Lang           // the site's language
	assets   []fs.FS              // default assets, then the site's own; later ones win
	hashed   *assets.Fingerprints // content-hashed copies of stylesheets and scripts
	renderer *render.Renderer
}

// themeFiles are the site's own files that loadTheme reads, besides the
// defaults embedded in the program.
var themeFiles = []string{config.FileName, "templates", "i18n", "assets"}

// loadTheme reads the site's configuration, language, templates and assets
// over the defaults.
func loadTheme(rootFS fs.FS) (*theme, error) {
	cfg, err := config.Load(rootFS)
	if err != nil {
		return nil, err
	}
	lang, err := i18n.Load(cfg.Language, sitegen.DefaultI18n(), optionalSub(rootFS, "i18n"))
	if err != nil {
		return nil, err
	}
	assetFS := []fs.FS{sitegen.DefaultAssets()}
	if a := optionalSub(rootFS, "assets"); a != nil {
		assetFS = append(assetFS, a)
	}
	hashed, err := assets.Fingerprint(assetFS...)
	if err != nil {
		return nil, err
	}
	r, err := render.New(cfg, render.Theme{Templates: sitegen.DefaultTemplates(),
		Overrides: optionalSub(rootFS, "templates"), Lang: lang, Assets: hashed})
	if err != nil {
		return nil, err
	}
	return &theme{cfg: cfg, lang: lang, assets: assetFS, hashed: hashed, renderer: r}, nil
}

// loader reads the articles of a content/ folder as the theme's
// configuration says.
func (th *theme) loader(contentFS fs.FS) *content.Loader {
	return &content.Loader{FS: contentFS, Location: th.cfg.Location,
		MaxBytes: int64(th.cfg.MaxArticleMB) << 20, RawHTML: th.cfg.RawHTML}
}

// hashTheme hashes the site's own theme files (themeFiles), names and
// bytes. The defaults are covered by programKey.
func hashTheme(rootFS fs.FS) (sourceHash, error) {
	var k keyWriter
	for _, top := range themeFiles {
		err := fs.WalkDir(rootFS, top, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == top {
				return nil
			}
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil // folders; and links, which the build does not copy either
			}
			data, err := fs.ReadFile(rootFS, p)
			if err != nil {
				return err
			}
			k.str(p)
			k.bytes(data)
			return nil
		})
		if err != nil {
			return sourceHash{}, err
		}
	}
	return k.sum(), nil
}
