#!/usr/bin/env bash
# bench-vs-hugo.sh: sitegen against Hugo on the same generated news archive.
#
#   scripts/bench-vs-hugo.sh [N ...]        # default: 10000 50000
#
# For each N it generates the corpus once (gencorpus.py, seed 42) under
# $WORK (default /tmp/sitegen-bench), then RUNS times (default 3) in
# alternation: a cold sitegen build into a fresh folder, a cold Hugo build
# into a fresh folder, and the write limit (writing sitegen's output files
# from memory, scripts/writelimit). Then, on the last sitegen output, a
# no-op rebuild, three one-article edit rebuilds (each three seconds after
# the build before, each filling the spare, the first the one made ahead
# after the cold build) and a rebuild after one
# article is added, dated now, as a newsroom adds one (then removed, and
# the site built again). It prints one table row per
# N with medians; ratios are what to quote, since both tools ran in the same
# minutes on the same machine. HUGO=0 skips Hugo (for the 1M run).
#
# After each cold build sitegen makes the spare in a background process
# (see docs/performance.md); the script waits for it before going on, so
# that it runs beside nothing measured, and reports how long after the
# build it was ready ("spare made ahead").
#
# Old outputs are only moved aside during the runs and deleted at the end:
# on ext4 without a journal, creating files right after deleting many is
# slow for minutes, which would skew whichever build came next. For the
# same reason, leave at least a quarter of an hour between two runs of
# this script at 50000 (its deletion at the end made the next run's first
# cold builds up to 40% slower), and after deleting any other big tree.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/sitegen-bench}
RUNS=${RUNS:-3}
HUGO=${HUGO:-1}
GENCORPUS=${GENCORPUS:-/work/shared/bench/gencorpus.py}
HUGOSITE=${HUGOSITE:-/work/shared/bench/hugo-site}
NS=("$@")
[ ${#NS[@]} -gt 0 ] || NS=(10000 50000)
mkdir -p "$WORK/trash"
export PATH="/usr/local/go/bin:$PATH"
go build -o "$WORK/sitegen" ./cmd/sitegen
go build -o "$WORK/writelimit" ./scripts/writelimit

# measure OUT CMD...: runs CMD, appends "wall_seconds max_rss_kib" to OUT.
measure() {
	local out=$1; shift
	/usr/bin/time -f '%e %M' -o "$WORK/time.tmp" "$@" >/dev/null
	cat "$WORK/time.tmp" >>"$out"
}
# waitspare DEST: waits for the spare that sitegen makes in the background
# after a cold build into DEST (its record appears last), appends the
# seconds waited to OUT.
waitspare() {
	local rec t0
	rec="$(dirname "$1")/.$(basename "$1").spare.tree"
	t0=$(date +%s.%N)
	for _ in $(seq 1200); do [ -e "$rec" ] && break; sleep 0.05; done
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f\n", b-a}' >>"$2"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v c="$1" '{print $c}' "$2"; }

printf '| N | sitegen wall | Hugo wall | Hugo/sitegen | sitegen peak RSS | Hugo peak RSS | write limit | sitegen/write limit | files | spare made ahead | no-op rebuild | one-article edit, first / next / third | article added | load avg |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${NS[@]}"; do
	site="$WORK/c$n"
	if [ ! -f "$site/.generated" ]; then
		python3 "$GENCORPUS" --n "$n" --site "$site" --seed 42 >/dev/null
		cp -r "$HUGOSITE"/. "$site"/
		printf 'title: The Example Chronicle\nbaseURL: https://news.example.org/\npaginate: 20\n' >"$site/sitegen.yaml"
		touch "$site/.generated"
	fi
	res="$WORK/res-$n"; rm -f "$res".*
	load=$(cut -d' ' -f1 /proc/loadavg)
	for r in $(seq "$RUNS"); do
		id="$n-$r-$$"
		measure "$res.sitegen" "$WORK/sitegen" build --quiet --source "$site" --dest "$WORK/out-sitegen-$id"
		waitspare "$WORK/out-sitegen-$id" "$res.spare"
		if [ "$HUGO" = 1 ]; then
			measure "$res.hugo" hugo --quiet --source "$site" --destination "$WORK/out-hugo-$id"
		fi
		"$WORK/writelimit" "$WORK/out-sitegen-$id" "$WORK/out-write-$id" >>"$res.write"
		last="$WORK/out-sitegen-$id"
	done
	files=$(find "$last" -type f | wc -l)
	# No-op rebuild, then a one-article body edit, on the last sitegen output.
	sleep 1 # sources written in the last second are read again on purpose (see internal/build/cache.go)
	measure "$res.noop" "$WORK/sitegen" build --quiet --source "$site" --dest "$last"
	article=$(find "$site/content" -name '*.md' ! -name '_*' -print -quit)
	cp "$article" "$WORK/article.bak"
	# Each edit a few seconds after the build before, as a user's: on a
	# virtual machine that hands freed memory back to its host, a build
	# right after another reuses its memory cheaply and is quicker than
	# the user's (docs/performance.md, *Why edit builds fall into two
	# groups*).
	sleep 3
	printf '\nAn added closing paragraph, edited at %s.\n' "$(date +%s%N)" >>"$article"
	measure "$res.edit" "$WORK/sitegen" build --quiet --source "$site" --dest "$last"
	# The first edit fills the spare made ahead after the cold build and
	# keeps the site it replaces as the next spare, which the next edit
	# fills, as every later edit does.
	sleep 3
	printf '\nAnother closing paragraph, edited at %s.\n' "$(date +%s%N)" >>"$article"
	measure "$res.edit2" "$WORK/sitegen" build --quiet --source "$site" --dest "$last"
	sleep 3
	printf '\nA third closing paragraph, edited at %s.\n' "$(date +%s%N)" >>"$article"
	measure "$res.edit3" "$WORK/sitegen" build --quiet --source "$site" --dest "$last"
	cp "$WORK/article.bak" "$article"
	# An article added, newer than all others, with tags of the edited one.
	added="$(dirname "$article")/zz-added-by-bench.md"
	{
		printf -- '---\ntitle: "A story added by the benchmark at %s"\ndate: %s\n' "$(date +%s%N)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		grep -m1 '^tags:' "$article"
		printf -- '---\nThe benchmark added this story at %s to see what one more article costs.\n' "$(date +%s%N)"
	} >"$added"
	sleep 1
	measure "$res.add" "$WORK/sitegen" build --quiet --source "$site" --dest "$last"
	rm "$added"
	"$WORK/sitegen" build --quiet --source "$site" --dest "$last"

	sg=$(col 1 "$res.sitegen" | median); sgm=$(col 2 "$res.sitegen" | median)
	wl=$(median <"$res.write")
	hg="-"; hgm="-"; ratio="-"
	if [ "$HUGO" = 1 ]; then
		hg=$(col 1 "$res.hugo" | median); hgm=$(col 2 "$res.hugo" | median)
		ratio=$(awk -v a="$hg" -v b="$sg" 'BEGIN{printf "%.1fx", a/b}')
		hgm=$(awk -v k="$hgm" 'BEGIN{printf "%.0f MiB", k/1024}')
		hg="$hg s"
	fi
	printf '| %s | %s s | %s | %s | %.0f MiB | %s | %s s | %.2fx | %s | %s s | %s s | %s s | %s s | %s |\n' \
		"$n" "$sg" "$hg" "$ratio" "$(awk -v k="$sgm" 'BEGIN{print k/1024}')" "$hgm" "$wl" \
		"$(awk -v a="$sg" -v b="$wl" 'BEGIN{print a/b}')" "$files" "$(median <"$res.spare")" \
		"$(col 1 "$res.noop")" "$(col 1 "$res.edit") s / $(col 1 "$res.edit2") s / $(col 1 "$res.edit3")" \
		"$(col 1 "$res.add")" "$load"
	mv "$WORK"/out-* "$WORK/trash/" 2>/dev/null || true
done
rm -rf "$WORK/trash" "$WORK"/.out-* 2>/dev/null || true
