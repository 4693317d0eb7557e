# Shared by build-base-image.sh and build-prometheus-image.sh (sourced, not run): the pieces of a
# root filesystem made from the host's own binaries, for `docker import` where no registry exists.

# require_static_busybox NAME BUSYBOX: a static busybox (ldd refuses it: "not a dynamic executable").
require_static_busybox() {
  if [ ! -x "$2" ] || ldd "$2" >/dev/null 2>&1; then
    echo "$1: $2 is not a static busybox; run: apt-get install -y busybox-static" >&2
    exit 1
  fi
}

# copy_with_libs ROOT BIN DEST: BIN at ROOT/DEST and every shared library it links at its own path
# (the loader included).
copy_with_libs() {
  cp -L "$2" "$1$3"
  ldd "$2" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
    mkdir -p "$1$(dirname "$lib")"
    cp -L "$lib" "$1$lib"
  done
}

# install_busybox ROOT BUSYBOX: /bin/busybox with a link per applet (sh, wget, nc, ps, ...).
install_busybox() {
  cp "$2" "$1/bin/busybox"
  for applet in $("$2" --list); do
    [ -e "$1/bin/$applet" ] || ln -s busybox "$1/bin/$applet"
  done
}

# copy_library ROOT LIB: a shared library (symlinks resolved) at its own path, with the libraries
# it links.
copy_library() {
  copy_with_libs "$1" "$2" "$2"
}

# find_library NAME: where the host's loader finds a library (empty when it is not installed).
find_library() {
  # awk reads to the end: an early exit would kill ldconfig with SIGPIPE, which `set -o pipefail`
  # turns into a failed assignment (exit 141) whenever ldconfig had not finished writing.
  ldconfig -p 2>/dev/null | awk -v n="$1" '$1 == n && !found { print $NF; found = 1 }'
}
