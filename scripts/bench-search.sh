#!/usr/bin/env bash
# Measures the static search index on a generated archive (default 100,000
# articles): index size, bytes one query fetches, query time in headless
# Chromium. Usage: scripts/bench-search.sh [N] [WORKDIR]
# The archive is generated once into WORKDIR/siteN by
# /work/shared/bench/gencorpus.py (deterministic, seed 42) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
work=${2:-/tmp/sitegen-search-bench}
gen=${GENCORPUS:-/work/shared/bench/gencorpus.py}
site="$work/site$n"
if [ ! -d "$site/content" ]; then
	mkdir -p "$work"
	echo "generating $n articles into $site ..."
	python3 "$gen" --n "$n" --site "$site" --seed 42 --jobs "$(nproc)"
fi
go run ./internal/search/bench -site "$site" -out "$work/out$n"
