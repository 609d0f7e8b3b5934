#!/usr/bin/env bash
# Screenshots of the default theme for docs/screenshots/: the home page and
# an article of the sample archive at 375 px (phone) and 1280 px (desktop),
# in light and dark mode, plus the Arabic home page on a phone (right to
# left). Uses Debian's chromium in headless mode and python3 as the server.
#
#   scripts/screenshots.sh [OUTDIR]   # default docs/screenshots
set -euo pipefail
cd "$(dirname "$0")/.."
CHROME=${CHROME_PATH:-/usr/bin/chromium}
OUT=${1:-docs/screenshots}
PORT=${PORT:-8767}
mkdir -p "$OUT"

work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

for lang in en ar; do
  mkdir -p "$work/$lang"
  cp -r content "$work/$lang/"
  sed -e "s|^baseURL:.*|baseURL: http://127.0.0.1:$PORT/|" -e "s|^language:.*|language: $lang|" \
    sitegen.yaml >"$work/$lang/sitegen.yaml"
  go run ./cmd/sitegen build --quiet --source "$work/$lang" --dest "$work/public/$lang"
done
# The article: the newest one with a byline block, to show it off.
article=$(cd "$work/public/en" && grep -l 'class="byline"' -r --include=index.html 20??/ | sort -r | head -1)
article=/${article%index.html}

shot() { # name width height url [extra chromium flags]
  local name=$1 w=$2 h=$3 url=$4; shift 4
  timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-sync --hide-scrollbars \
    --window-size="$w,$h" --screenshot="$OUT/$name.png" "$@" "$url" >/dev/null 2>&1
  echo "$OUT/$name.png"
}
# Each language is built for the site root, so they are served one at a time.
for lang in en ar; do
  python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$work/public/$lang" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
  base="http://127.0.0.1:$PORT"
  if [ "$lang" = en ]; then
    for scheme in light dark; do
      dark=(); [ "$scheme" = dark ] && dark=(--force-dark-mode)
      shot "home-375-$scheme" 375 812 "$base/" "${dark[@]}"
      shot "home-1280-$scheme" 1280 900 "$base/" "${dark[@]}"
      shot "article-375-$scheme" 375 812 "$base$article" "${dark[@]}"
      shot "article-1280-$scheme" 1280 900 "$base$article" "${dark[@]}"
    done
  else
    shot "home-ar-375-light" 375 812 "$base/"
  fi
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
done
