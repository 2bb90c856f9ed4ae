#!/bin/bash
# Packs the decode-scaling bench (bench/images-scaling.ts) for a machine without the repo or Node:
# dist/images-scaling/ = bench.mjs + worker-boot.mjs (plain JS bundles), sharp and its libvips,
# this machine's node binary (xz), the real RxRx1 sample PNGs when given, and run.sh. ~50 MB.
# Usage: bench/images-scaling-pack.sh [RXRX1_SAMPLE_DIR]; there: bash dist/images-scaling/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=dist/images-scaling
rm -rf "$OUT" && mkdir -p "$OUT/pack/node_modules/@img"
ESB=node_modules/esbuild/bin/esbuild
# ESM bundles that can still require() sharp, which stays a real package beside them.
BAN="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
for pair in bench/images-scaling.ts:bench.mjs src-main/core/imaging/pipeline/worker.ts:worker-boot.mjs; do
  $ESB "${pair%%:*}" --bundle --platform=node --format=esm --target=node20 --external:sharp \
    --outfile="$OUT/pack/${pair##*:}" "--banner:js=$BAN" --log-level=warning
done
cp -r node_modules/sharp node_modules/detect-libc node_modules/semver "$OUT/pack/node_modules/"
cp -r node_modules/@img/colour node_modules/@img/sharp-linux-x64 \
  node_modules/@img/sharp-libvips-linux-x64 "$OUT/pack/node_modules/@img/"
tar -cJf "$OUT/node.tar.xz" -C "$(dirname "$(readlink -f "$(command -v node)")")" node
if [ -n "${1:-}" ]; then
  mkdir -p "$OUT/rxrx1" && cp -r "$1"/train "$1"/test "$OUT/rxrx1/" 2>/dev/null || true
fi
cat > "$OUT/run.sh" <<'RUN'
#!/bin/bash
# Runs the packed decode-scaling bench: synthetic 512² sites with 1, 2, 4, 8 and cores − 1 workers,
# then the real sample (if packed). JSON goes to $OUT (or this folder).
cd "$(dirname "$0")"
DEST=${OUT:-$PWD}
if command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0]>=20?0:1)'; then
  N=$(command -v node)
else
  tar -xJf node.tar.xz -C /tmp && N=/tmp/node
fi
C=$(nproc); W=$(( C > 1 ? C - 1 : 1 ))
echo "cores $C, node $($N --version)"
cd pack
$N bench.mjs --size 512 --workers "1,2,4,8,$W" >"$DEST/scaling-synth.json" 2>"$DEST/log-synth.txt"
echo "synth: rc $?"; tail -2 "$DEST/log-synth.txt"
if [ -d ../rxrx1 ]; then
  $N bench.mjs --size 512 --workers "1,$W" --data-dir ../rxrx1 >"$DEST/scaling-real.json" 2>"$DEST/log-real.txt"
  echo "real: rc $?"; tail -2 "$DEST/log-real.txt"
fi
RUN
chmod +x "$OUT/run.sh"
du -sh "$OUT"
