#!/bin/bash
# Runs the packed decode-scaling bench (copied as run.sh by `npm run bench:pack -- images-scaling`):
# synthetic 512² sites with 1, 2, 4, 8 and cores − 1 workers, then the real sample (if packed).
# JSON and logs go to $OUT (or this folder). usage: bash run.sh
cd "$(dirname "$0")" || exit 2
DEST=${OUT:-$PWD}
if command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0]>=20?0:1)'; then
  N=$(command -v node)
else
  # The packed node: xz if installed, else Python's lzma.
  N="$(mktemp -d "${TMPDIR:-/tmp}/platelab-node.XXXXXX")/node"
  trap 'rm -rf "$(dirname "$N")"' EXIT
  if command -v xz >/dev/null; then
    xz -dc node.xz >"$N"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' node.xz >"$N"
  fi
  chmod +x "$N"
fi
C=$(nproc); W=$(( C > 1 ? C - 1 : 1 ))
echo "cores $C, node $($N --version)"
cd pack || exit 2
$N bench.mjs --size 512 --workers "1,2,4,8,$W" >"$DEST/scaling-synth.json" 2>"$DEST/log-synth.txt"
echo "synth: rc $?"; tail -2 "$DEST/log-synth.txt"
if [ -d ../rxrx1 ]; then
  $N bench.mjs --size 512 --workers "1,$W" --data-dir ../rxrx1 >"$DEST/scaling-real.json" 2>"$DEST/log-real.txt"
  echo "real: rc $?"; tail -2 "$DEST/log-real.txt"
fi
