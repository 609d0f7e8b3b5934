package build

import (
	"fmt"
	"path/filepath"

	"github.com/sitegen/sitegen/internal/publish"
)

// spareAheadMin is the number of output files from which a build that
// left no spare asks for one to be made ahead (Options.MakeSpare): a
// smaller site's staging folder is made in a blink.
var spareAheadMin = 2000

// MakeSpare makes, beside the site that the build of source wrote to
// dest, the spare that the next build fills instead of making a fresh
// staging folder: every folder of the site, and every file a hard link
// to the site's (publish.MakeSpare), listed with the record of the site
// that the build cache holds. It does nothing when there is a spare
// already, and the next build waits for it to end (a spare being made is
// the work that build would otherwise do). Meant to run in the background
// after a cold build; see Options.MakeSpare.
func MakeSpare(source, dest string) error {
	root, err1 := filepath.Abs(source)
	abs, err2 := filepath.Abs(dest)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("making the spare of %s: bad path", dest)
	}
	var rec *publish.Tree
	if man, _ := readCache(root, abs); man != nil {
		if man.readTrees() == nil && len(man.publicTree) > 0 {
			t := new(publish.Tree)
			if t.UnmarshalBinary(man.publicTree) == nil {
				rec = t
			}
		}
		man.close()
	}
	return publish.MakeSpare(abs, rec)
}
