// Command sitegen builds a static news archive site from a folder of articles.
//
// Usage:
//
//	sitegen build [--source DIR] [--dest DIR] [--keep-going] [--quiet] [--spare-ahead=false]
//	sitegen check [--source DIR]
//	sitegen serve [--source DIR] [--addr HOST:PORT]
//
// See the README for the content formats, the configuration and the URL scheme.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/sitegen/sitegen/internal/build"
	"github.com/sitegen/sitegen/internal/lazyfree"
	"github.com/sitegen/sitegen/internal/serve"
)

const usage = `usage:
  sitegen build [--source DIR] [--dest DIR] [--keep-going] [--quiet] [--spare-ahead=false]
  sitegen check [--source DIR]
  sitegen serve [--source DIR] [--addr HOST:PORT]

build   builds the site at --source (default: the current folder) into --dest
        (default: SOURCE/public), replacing it only when the build succeeds.
        After a full build of a large site a background process makes the
        folder the next small build fills (.public.spare), and on Linux,
        after a build of more than a few hundred articles, another keeps
        memory for the next build's heap for up to five minutes;
        --spare-ahead=false skips both, for one-off builds such as in CI.
check   validates every article as build would, writing nothing, and lists
        file by file what normalization removed or changed (boilerplate,
        credits, encodings, duplicates), then a summary; on a terminal, a
        progress line while it reads.
serve   previews the site at http://127.0.0.1:1313/ (or --addr), rebuilding
        and reloading open browser tabs whenever a source file changes.
`

// buildGCPercent is the collector's GOGC for sitegen build, unless the
// environment sets GOGC. A build's heap is mostly the site, live until the
// end, so the default goal of twice the live heap set its peak memory:
// at 50,000 articles 70 keeps it at 490-500 MB instead of 555-585, with
// the same wall time, and a one-article edit's as fast (docs/performance.md).
const buildGCPercent = 70

// checkGCPercent is the collector's GOGC for sitegen check, unless the
// environment sets GOGC. A check keeps each article without its body, so
// its live heap is small against what parsing allocates, and the default
// collected it often: at 50,000 articles 200 took it from 3.8 to 3.5 s and
// 7.2 to 6.6 s of CPU, its peak memory from 162 to 214 MB
// (docs/performance.md).
const checkGCPercent = 200

// gcPercent returns the GOGC the command args runs with, unless gogc, the
// environment's, is set, and whether it differs from Go's default.
func gcPercent(args []string, gogc string) (int, bool) {
	if len(args) == 0 || gogc != "" {
		return 0, false
	}
	switch args[0] {
	case "build":
		return buildGCPercent, true
	case "check":
		return checkGCPercent, true
	}
	return 0, false
}

func main() {
	if dir := os.Getenv(removeTreeEnv); dir != "" {
		removeTree(dir)
		return
	}
	if v := os.Getenv(holdHeapEnv); v != "" {
		holdHeap(v)
		return
	}
	if dest := os.Getenv(makeSpareEnv); dest != "" {
		if err := build.MakeSpare(dest); err != nil {
			slog.Debug("making the spare", "err", err)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		// The preview's runtime setting, read only at start.
		if err := lazyfree.Restart(); err != nil {
			slog.Debug("running without GODEBUG="+lazyfree.GODEBUG, "err", err)
		}
	}
	if pct, ok := gcPercent(os.Args[1:], os.Getenv("GOGC")); ok {
		debug.SetGCPercent(pct)
	}
	startHugeHeap(os.Args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var kept heapKept
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, &kept)
	stop()
	keepHeap(kept)
	os.Exit(code)
}

// emptySource reports an empty --source for cmd as a usage error. Left to
// the build, it would fail on reading sitegen.yaml with words that name
// neither the flag nor the fix, and the preview would serve the current
// folder, which the flag's default already says more plainly.
func emptySource(cmd, source string, stderr io.Writer) bool {
	if source != "" {
		return false
	}
	fmt.Fprintf(stderr, "sitegen %s: --source is empty: give the site's folder, or leave the flag out to use the current one\n", cmd)
	return true
}

// sourceFlag defines --source on fl.
func sourceFlag(fl *flag.FlagSet) *string {
	return fl.String("source", ".", "site root holding content/, templates/, assets/ and sitegen.yaml")
}

// buildFlags defines sitegen build's flags but --source on fl.
func buildFlags(fl *flag.FlagSet) (dest *string, keepGoing, quiet, spareAhead *bool) {
	dest = fl.String("dest", "", "output folder (default SOURCE/public)")
	keepGoing = fl.Bool("keep-going", false, "publish the good articles even when some are bad; still exit 1")
	quiet = fl.Bool("quiet", false, "print only errors")
	spareAhead = fl.Bool("spare-ahead", true, "after a build of a large site, keep in the background what makes the next build faster: the folder it fills and memory for its heap; false for one-off builds")
	return
}

// buildFromCache reports whether args, sitegen build's arguments, ask for a
// build that will start from a build cache (build.HasCache): one into a
// folder built before. Arguments that do not parse do not; run says why.
func buildFromCache(args []string) bool {
	fl := flag.NewFlagSet("", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	source := sourceFlag(fl)
	dest, _, _, _ := buildFlags(fl)
	return fl.Parse(args) == nil && fl.NArg() == 0 && *source != "" && build.HasCache(*source, *dest)
}

// run is the whole command, testable without a process. It returns the exit
// status: 0 success, 1 a failed build or bad content, 2 a usage error; and
// records in kept what a build asks main to keep for the next one.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, kept *heapKept) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	fl := flag.NewFlagSet("sitegen "+cmd, flag.ContinueOnError)
	fl.SetOutput(stderr)
	source := sourceFlag(fl)
	var dest *string
	var keepGoing, quiet, spareAhead *bool
	switch cmd {
	case "build":
		dest, keepGoing, quiet, spareAhead = buildFlags(fl)
	case "check":
		quiet = fl.Bool("quiet", false, "print only errors")
	case "serve":
		addr := fl.String("addr", serve.DefaultAddr, "address to listen on; the default is reachable from this machine only")
		if err := fl.Parse(args); err != nil {
			return 2
		}
		if fl.NArg() > 0 {
			fmt.Fprintf(stderr, "sitegen serve: unexpected argument %q\n%s", fl.Arg(0), usage)
			return 2
		}
		if emptySource(cmd, *source, stderr) {
			return 2
		}
		if err := serve.Run(ctx, serve.Options{Source: *source, Addr: *addr, Out: stdout}); err != nil {
			fmt.Fprintf(stderr, "sitegen serve: %v\n", err)
			return 1
		}
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "sitegen: unknown command %q\n%s", cmd, usage)
		return 2
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "sitegen %s: unexpected argument %q\n%s", cmd, fl.Arg(0), usage)
		return 2
	}
	if emptySource(cmd, *source, stderr) {
		return 2
	}

	if *quiet {
		// Notes such as "waiting for another sitegen build" are not errors.
		defer slog.SetLogLoggerLevel(slog.SetLogLoggerLevel(slog.LevelWarn))
	}
	var rep *build.Report
	var err error
	var progress io.Writer
	if !*quiet && isTerminal(stderr) {
		progress = stderr
	}
	if cmd == "build" {
		opts := build.Options{Source: *source, Dest: *dest, KeepGoing: *keepGoing, RemoveOld: removeInBackground, Progress: progress}
		if *spareAhead {
			opts.MakeSpare = makeSpareInBackground
			kept.wanted = true
		}
		opts.Sources = func(n int) { moreHugeHeap(n, heapPerArticle) }
		if _, ok := gcPercent([]string{cmd}, os.Getenv("GOGC")); ok {
			// GOGC as sitegen sets it, not as the user did. The heap's
			// huge pages first: moreHugeHeap runs a collection, which
			// would end collectAfter's wait.
			opts.FromCache = func(articles int) {
				moreHugeHeap(articles, heapPerArticle)
				collectAfter(heapFloor(articles))
			}
		}
		rep, err = build.Run(ctx, opts)
		kept.noop = err == nil && rep != nil && rep.Files == 0 && rep.Removed == 0
	} else {
		rep, err = build.Check(ctx, build.Options{Source: *source, Progress: progress,
			Sources: func(n int) { moreHugeHeap(n, checkHeapPerArticle) }})
	}
	if rep != nil {
		for _, p := range rep.Problems {
			fmt.Fprintln(stderr, p)
		}
		if !*quiet {
			for _, n := range rep.Notes {
				fmt.Fprintln(stderr, "note:", n)
			}
			if cmd == "check" {
				for _, f := range rep.Findings {
					fmt.Fprintln(stdout, f)
				}
				fmt.Fprintln(stdout, "sitegen check:", rep.Summary())
			}
		}
	}
	switch {
	case errors.Is(err, build.ErrProblems):
		what := "nothing was written; fix the files above or use --keep-going"
		if cmd == "check" {
			what = "fix the files above"
		} else if *keepGoing {
			what = fmt.Sprintf("built the other %d articles", rep.Articles)
		}
		fmt.Fprintf(stderr, "sitegen %s: %d bad files; %s\n", cmd, len(rep.Problems), what)
		return 1
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		what := "interrupted"
		if cmd == "build" {
			what = "interrupted; the destination is as it was before this build"
		}
		fmt.Fprintf(stderr, "sitegen %s: %s\n", cmd, what)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "sitegen %s: %v\n", cmd, err)
		return 1
	}
	if !*quiet {
		if cmd == "build" {
			fmt.Fprintf(stdout, "sitegen: %d articles, %d pages, %d files written, %d unchanged, %d removed in %v\n",
				rep.Articles, rep.Pages, rep.Files, rep.Unchanged, rep.Removed, rep.Elapsed.Round(1e6))
		} else {
			fmt.Fprintf(stdout, "sitegen: %d articles checked, no problems, in %v\n", rep.Articles, rep.Elapsed.Round(1e6))
		}
	}
	return 0
}
