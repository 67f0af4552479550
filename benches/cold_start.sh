#!/usr/bin/env bash
# Cold start of the release app without WebDriver: time from exec to the
# main window being mapped (xdotool), median of 5 runs, under Xvfb.
#   cargo build --release -p vekil-desktop
#   xvfb-run -a -s "-screen 0 1280x800x24" benches/cold_start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
app=target/release/vekil-desktop
[ -x "$app" ] || { echo "build it first: cargo build --release -p vekil-desktop" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache \
       VEKIL_VAULT=$work/vault WEBKIT_DISABLE_DMABUF_RENDERER=1
times=()
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$app" & pid=$!
  xdotool search --sync --onlyvisible --name '^Vekil$' >/dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  sleep 0.5
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
echo "window mapped after (ms): $sorted; median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) ms"
echo "release binary: $(stat -c %s "$app" | awk '{printf "%.1f MB", $1/1e6}')"
