#!/usr/bin/env bash
# Runs PlateLab's GPU bench from a pack made by `npm run bench:pack -- gpu` (copied as run.sh): unpacks
# node + bundle + Vulkan loader + glvnd into a temp dir, finds the NVIDIA Vulkan driver, prints one JSON.
# usage: bash run.sh [--out FILE] [--swiftshader DIR] [--keep] [bench flags: --nets --steps --torch ...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out=""
swiftshader="${PLATELAB_SWIFTSHADER_DIR:-}"
keep=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --swiftshader) swiftshader="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help)
      sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2
      echo "bench flags: --nets resnet34@128,resnet34@384 --batch 32 --warmup 3 --steps 10 --infer-steps 10 --budget-s 45 --torch cuda|cpu|off" >&2
      echo "--swiftshader DIR (or PLATELAB_SWIFTSHADER_DIR): test on SwiftShader's vk_swiftshader_icd.json in DIR" >&2
      exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
log() { echo "run.sh: $*" >&2; }
die() { log "$*"; exit 2; }

for f in node.xz payload.tar.xz; do
  [ -f "$here/$f" ] || die "$here/$f is missing: rebuild the pack (npm run bench:pack -- gpu)"
done
work="$(mktemp -d "${TMPDIR:-/tmp}/platelab-gpubench.XXXXXX")"
if [ "$keep" = 1 ]; then log "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

# xz if installed, else Python's lzma (GPU machines with PyTorch have python3).
unxz_to_stdout() {
  if command -v xz > /dev/null; then
    xz -dc "$1"
  elif command -v python3 > /dev/null; then
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
  else
    die "neither xz nor python3 is installed: cannot unpack $1"
  fi
}
unxz_to_stdout "$here/node.xz" > "$work/node"
chmod +x "$work/node"
unxz_to_stdout "$here/payload.tar.xz" | tar -x -C "$work"
"$work/node" --version > /dev/null 2>"$work/node.err" ||
  die "the packed node does not start here (needs glibc ≥ 2.28, x86-64): $(cat "$work/node.err")"

# Vulkan driver (ICD) manifests: SwiftShader when asked, else the NVIDIA one, else any GPU driver.
ldpath="$work/lib"
if [ -n "$swiftshader" ]; then
  icd="$swiftshader/vk_swiftshader_icd.json"
  [ -f "$icd" ] || die "--swiftshader $swiftshader: no vk_swiftshader_icd.json there"
  ldpath="$ldpath:$swiftshader"
  args+=(--allow-software)
elif [ -n "${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-}}" ]; then
  icd="${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-}}"
  log "using the Vulkan driver files already set: $icd"
else
  icd=""
  dirs=(/usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d
    /usr/local/share/vulkan/icd.d /usr/local/etc/vulkan/icd.d)
  for d in "${dirs[@]}"; do
    for f in "$d"/nvidia*.json; do
      if [ -f "$f" ]; then icd="$f"; break 2; fi
    done
  done
  if [ -z "$icd" ]; then
    # Containers often mount the NVIDIA driver libraries without the json: write one.
    lib=""
    for cand in /usr/local/nvidia/lib64/libGLX_nvidia.so.0 /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0 \
      /usr/lib64/libGLX_nvidia.so.0 /usr/lib/libGLX_nvidia.so.0; do
      if [ -f "$cand" ]; then lib="$cand"; break; fi
    done
    if [ -z "$lib" ] && command -v ldconfig > /dev/null; then
      lib="$(ldconfig -p 2> /dev/null | awk '/libGLX_nvidia\.so\.0 .*x86-64/ {print $NF; exit}')"
    fi
    if [ -n "$lib" ]; then
      icd="$work/nvidia_icd.json"
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$lib" > "$icd"
      log "no NVIDIA ICD json found; wrote $icd for $lib"
    else
      # Any other GPU driver (AMD, Intel); software rasterisers are refused by the bench itself.
      for d in "${dirs[@]}"; do
        for f in "$d"/*.json; do
          if [ -f "$f" ]; then icd="${icd:+$icd:}$f"; fi
        done
      done
    fi
  fi
  [ -n "$icd" ] || log "no Vulkan driver found (looked in ${dirs[*]} and for libGLX_nvidia.so.0; in a container NVIDIA_DRIVER_CAPABILITIES needs 'graphics'); WebGPU will report no adapter, PyTorch still runs"
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [ -d "$d" ]; then ldpath="$ldpath:$d"; fi
done
export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
# The NVIDIA Vulkan driver loads EGL through glvnd (the pack's lib/libEGL.so.1): name its vendor json.
if [ -z "$swiftshader" ] && [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ]; then
  for f in /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json \
    /usr/share/glvnd/egl_vendor.d/10_nvidia.json /etc/glvnd/egl_vendor.d/10_nvidia.json; do
    if [ -f "$f" ]; then
      export __EGL_VENDOR_LIBRARY_FILENAMES="$f"
      log "EGL vendor: $f"
      break
    fi
  done
fi
export LD_LIBRARY_PATH="$ldpath${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export VK_LOADER_DEBUG="${VK_LOADER_DEBUG:-error}"
log "Vulkan driver files: ${icd:-none}"
if [ -n "$icd" ] && [ -f "${icd%%:*}" ]; then log "$(tr -d '\n' < "${icd%%:*}")"; fi

# After Dawn's loader reports no usable driver: which library each ICD names, where it resolves
# (absolute, LD_LIBRARY_PATH, ldconfig) and what of its dependencies is not found.
driver_hint() {
  log "HINT: the Vulkan loader found no usable driver. The pack ships libvulkan.so.1 and glvnd"
  log "  (libGLdispatch, libGLX, libEGL, libGL, libOpenGL, libGLESv2) in its lib/ on LD_LIBRARY_PATH;"
  log "  in a container NVIDIA_DRIVER_CAPABILITIES needs 'graphics' (or 'all')."
  log "  libGLX_nvidia loads glvnd and EGL at run time (not in its ldd): __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-unset}"
  local jsons=() ldirs=() json libname lib d
  IFS=':' read -ra jsons <<< "$icd"
  IFS=':' read -ra ldirs <<< "$LD_LIBRARY_PATH"
  for json in ${jsons[@]+"${jsons[@]}"}; do
    if [ ! -f "$json" ]; then log "  ICD json $json: missing"; continue; fi
    libname="$(sed -n 's/.*"library_path"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$json" | head -n 1)"
    log "  ICD json $json needs library: ${libname:-?}"
    [ -n "$libname" ] || continue
    lib=""
    if [ "${libname#/}" != "$libname" ]; then
      if [ -f "$libname" ]; then lib="$libname"; fi
    else
      for d in ${ldirs[@]+"${ldirs[@]}"}; do
        if [ -n "$d" ] && [ -f "$d/$libname" ]; then lib="$d/$libname"; break; fi
      done
      if [ -z "$lib" ] && command -v ldconfig > /dev/null; then
        lib="$(ldconfig -p 2> /dev/null | awk -v n="$libname" '$1 == n && /x86-64/ {print $NF; exit}')"
      fi
    fi
    if [ -z "$lib" ]; then
      log "  $libname: not found (absolute path, LD_LIBRARY_PATH, ldconfig -p): the driver's libraries are not mounted"
    elif command -v ldd > /dev/null; then
      log "  $lib: ldd (with the pack's LD_LIBRARY_PATH):"
      ldd "$lib" 2>&1 | sed 's/^/run.sh:     /' >&2 || true
      if ldd "$lib" 2>&1 | grep -q 'not found'; then
        log "  missing above ('not found'): install or mount those libraries, or add their folder to LD_LIBRARY_PATH"
      fi
    else
      log "  $lib exists (no ldd here to list its dependencies)"
    fi
  done
}

# In the background so that a timeout's SIGTERM reaches node too (--out keeps what was measured);
# its stderr also goes to a file, to recognise the loader's "no driver" errors.
exec 3> >(tee "$work/bench.err" >&2)
teepid=$!
"$work/node" "$work/bench.mjs" ${out:+--out "$out"} ${args[@]+"${args[@]}"} 2>&3 &
pid=$!
trap 'kill "$pid" 2> /dev/null' TERM INT
status=0
wait "$pid" || status=$?
if [ "$status" -gt 128 ]; then wait "$pid" 2> /dev/null || true; fi
exec 3>&-
wait "$teepid" 2> /dev/null || true
if [ -z "$swiftshader" ] && grep -qE "Found no drivers|Could not get 'vkCreateInstance'|vkCreateInstance failed|Failed to (load|open) (ICD|dynamic library)|ERROR_INCOMPATIBLE_DRIVER" "$work/bench.err" 2> /dev/null; then
  driver_hint
fi
exit "$status"
