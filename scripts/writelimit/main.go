// Command writelimit measures how fast this machine can write a given site:
// it reads every file of a built site into memory, then writes the same
// files into a fresh folder with one goroutine per core (each folder made
// with one mkdir, each file with one open, write and close), and prints the
// seconds the writing took. It is the floor that a static site generator's
// cold build of that site is compared with (scripts/bench-vs-hugo.sh).
//
// Usage: go run ./scripts/writelimit SITE FRESH-DIR
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

type file struct {
	rel  string
	data []byte
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: writelimit SITE FRESH-DIR")
		os.Exit(2)
	}
	src, dst := os.Args[1], os.Args[2]
	var files []file
	var dirs []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			dirs = append(dirs, rel)
			return nil
		}
		data, err := os.ReadFile(p)
		files = append(files, file{rel, data})
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := os.Stat(dst); err == nil {
		fmt.Fprintf(os.Stderr, "%s exists; give a fresh folder\n", dst)
		os.Exit(1)
	}
	start := time.Now()
	for _, d := range dirs { // WalkDir lists parents first
		if err := os.Mkdir(filepath.Join(dst, d), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	var wg sync.WaitGroup
	procs := runtime.GOMAXPROCS(0)
	for w := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(files); i += procs {
				if err := os.WriteFile(filepath.Join(dst, files[i].rel), files[i].data, 0o644); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%.2f\n", time.Since(start).Seconds())
}
