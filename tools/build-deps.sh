#!/bin/sh
# Build BearSSL and libgpiod (and, for cross targets, a musl sysroot) from Debian's
# source packages into build/deps/$ARCH, once. Debian's own .a files are glibc builds and
# do not link into a musl binary, so we compile the sources ourselves with musl-gcc.
#
# Usage: tools/build-deps.sh [x86_64|aarch64|armhf|host]
# "host" is a plain gcc/glibc build used only for unit tests and sanitizer builds.
# The system's apt source lists are never changed: a private deb-src list under
# build/deps/apt is passed to apt-get with -o options; the sources stay in build/deps/src.
#
# Everything is built in build/deps/$ARCH.tmp.<pid> and renamed to build/deps/$ARCH only
# when every file the later steps need is there, with the stamp .done written last. So a
# killed or failed build never leaves a directory that a later run trusts: the next run
# deletes the leftovers and starts over. BMCD_DEPS_DIR puts the output elsewhere (the
# source cache stays in build/deps/src).
set -eu
ARCH=${1:-x86_64}
# Called from our Makefile as `make ... ARCH=armhf`: make passes that override to every
# sub-make through MAKEFLAGS, and musl's own Makefile would then look for arch/armhf
# (its name for the port is "arm"). The dependency builds get a clean make environment.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL
top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"                     # source cache and private apt state
outdir=${BMCD_DEPS_DIR:-$deps}             # where <arch>/ goes
out="$outdir/$ARCH"
stamp="$out/.done"

die() { echo "build-deps ($ARCH): $*" >&2; exit 1; }

case "$ARCH" in
  host)    triplet=$(gcc -dumpmachine); cross= ;;   # glibc gcc build: unit tests, ASan
  x86_64)  triplet=x86_64-linux-gnu;    cross= ;;
  aarch64) triplet=aarch64-linux-gnu;   cross=aarch64-linux-gnu- ; kpkg=linux-libc-dev-arm64-cross ;;
  armhf)   triplet=arm-linux-gnueabihf; cross=arm-linux-gnueabihf- ; kpkg=linux-libc-dev-armhf-cross ;;
  *) echo "build-deps: unknown ARCH '$ARCH' (x86_64, aarch64, armhf, host)" >&2; exit 2 ;;
esac

# check DIR: every file the Makefile and the later steps use from DIR; prints what is missing
check() {
  d=$1; miss=
  for f in lib/libbearssl.a lib/libgpiod.a include/bearssl.h include/gpiod.h; do
    [ -s "$d/$f" ] || miss="$miss $f"
  done
  if [ "$ARCH" != host ]; then
    for f in kernel-headers/linux/gpio.h kernel-headers/asm/ioctl.h kernel-headers/asm-generic/ioctl.h; do
      [ -e "$d/$f" ] || miss="$miss $f"
    done
  fi
  if [ -n "$cross" ]; then
    for f in musl/bin/musl-gcc musl/lib/libc.a musl/lib/crt1.o musl/lib/musl-gcc.specs musl/include/stdio.h; do
      [ -s "$d/$f" ] || miss="$miss $f"
    done
  fi
  echo "$miss"
}

if [ -f "$stamp" ]; then
  [ -z "$(check "$out")" ] && exit 0
  echo "build-deps ($ARCH): $out is incomplete (missing:$(check "$out")), rebuilding" >&2
fi

# Leftovers of an interrupted run: build dirs of processes that are gone, and an output
# directory without its stamp (older versions of this script built in place).
for t in "$out".tmp.*; do
  [ -d "$t" ] || continue
  pid=${t##*.tmp.}
  if [ "$pid" != "$$" ] && kill -0 "$pid" 2>/dev/null; then
    die "another build-deps.sh (pid $pid) is building $out; wait for it or kill it"
  fi
  echo "build-deps ($ARCH): removing $t (left by an interrupted build)" >&2
  rm -rf "$t"
done
if [ -e "$out" ]; then
  echo "build-deps ($ARCH): removing incomplete $out" >&2
  rm -rf "$out"
fi

# The packages come from tools/packages.txt (stage build, and the cross compiler stage).
if [ -n "$cross" ]; then "$top/tools/need.sh" "cross-$ARCH"; else "$top/tools/need.sh" build; fi
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found (install $2: tools/need.sh ${3:-build})"; }
need make make; need gcc gcc; need dpkg-source dpkg-dev; need xz xz-utils
[ "$ARCH" = x86_64 ] && need musl-gcc musl-tools
[ -n "$cross" ] && need "${cross}gcc" "gcc-$triplet" "cross-$ARCH"

tmp="$out.tmp.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

src="$deps/src"
mkdir -p "$src"
apt_private() {
  mkdir -p "$deps/apt/lists/partial"
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  echo "deb-src http://deb.debian.org/debian $suite main" > "$deps/apt/sources.list"
  set -- -o Dir::Etc::SourceList="$deps/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
         -o Dir::State::Lists="$deps/apt/lists"
  [ -f "$deps/apt/.updated" ] || { apt-get "$@" update >&2 && touch "$deps/apt/.updated"; }
  (cd "$src" && apt-get "$@" source --download-only "$pkg" >&2) ||
    die "could not download the source package $pkg from deb.debian.org"
}
fetch() { # fetch PKG -> sets dir to the unpacked source tree
  pkg=$1
  dir=$(find "$src/" -maxdepth 1 -type d -name "$pkg-[0-9]*" ! -name '*.tmp' | head -n1)
  dir=${dir%/}
  if [ -z "$dir" ]; then
    ls "$src/${pkg}"_*.dsc >/dev/null 2>&1 || apt_private
    # unpack beside, rename when complete: a half-unpacked tree is never found above
    dsc=$(cd "$src" && ls "${pkg}"_*.dsc | head -n1)
    v=${dsc#"${pkg}"_}; v=${v%.dsc}; v=${v%-*}; v=${v#*:}
    rm -rf "$src/$pkg-$v.tmp"
    (cd "$src" && dpkg-source --no-check -x "$dsc" "$pkg-$v.tmp" >/dev/null) ||
      die "could not unpack $src/$dsc"
    dir="$src/$pkg-$v"
    if [ -e "$dir" ]; then rm -rf "$dir.tmp"; else mv "$dir.tmp" "$dir"; fi
  fi
}

CFLAGS_DEP="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables"

# --- compiler and kernel headers for this ARCH ------------------------------------------
kheaders() { # kheaders ASM_DIR: linux/, asm-generic/ and the target's asm/ for musl builds
  kh="$tmp/kernel-headers"; mkdir -p "$kh"
  for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$kh/$d"; done
  ln -sfn "$1" "$kh/asm"
  [ -e "$kh/linux/gpio.h" ] || die "no /usr/include/linux/gpio.h (install linux-libc-dev)"
  [ -e "$kh/asm/ioctl.h" ] || die "no asm headers in $1 (install $2)"
  KCFLAGS="-isystem $kh"
}
if [ "$ARCH" = host ]; then
  CC=gcc
  KCFLAGS=
  CFLAGS_DEP="-O1 -g -fno-omit-frame-pointer"
elif [ "$ARCH" = x86_64 ]; then
  CC=musl-gcc
  # musl-gcc hides /usr/include; libgpiod needs the kernel's uapi headers.
  kheaders "/usr/include/$triplet/asm" linux-libc-dev
else
  kheaders "/usr/$triplet/include/asm" "$kpkg"
  fetch musl
  sysroot="$tmp/musl"
  b="$tmp/musl-build"; cp -a "$dir" "$b"
  # The wrapper is asked for by name: musl's detection ("checking for toolchain wrapper to
  # build...") only picks gcc when the cross gcc can already link a glibc program.
  (cd "$b" && ./configure --prefix="$sysroot" --target="$triplet" CROSS_COMPILE="$cross" \
      --disable-shared --enable-wrapper=gcc CFLAGS="$CFLAGS_DEP" >&2 &&
      make -j"$(nproc)" >&2 && make install >&2) || die "the musl build failed"
  rm -rf "$b"
  for f in bin/musl-gcc lib/libc.a lib/crt1.o lib/musl-gcc.specs include/stdio.h; do
    [ -s "$sysroot/$f" ] || die "the musl build made no $sysroot/$f"
  done
  CC="$sysroot/bin/musl-gcc"
  # musl's wrapper calls plain gcc; point it at the cross compiler
  export REALGCC="${cross}gcc"
  echo 'int main(void) { return 0; }' > "$tmp/t.c"
  "$CC" -static -o "$tmp/t" "$tmp/t.c" || die "$CC cannot link a static program"
  rm -f "$tmp/t" "$tmp/t.c"
fi

# --- BearSSL ----------------------------------------------------------------------------
fetch bearssl
b="$tmp/bearssl-build"; cp -a "$dir" "$b"
make -C "$b" -j"$(nproc)" lib CC="$CC" AR="${cross}ar" CFLAGS="$CFLAGS_DEP -W -Wall" >&2 ||
  die "the BearSSL build failed"
mkdir -p "$tmp/lib" "$tmp/include"
cp "$b/build/libbearssl.a" "$tmp/lib/"
cp "$b"/inc/*.h "$tmp/include/"
rm -rf "$b"
if [ ! -s "$tmp/lib/libbearssl.a" ] || [ ! -s "$tmp/include/bearssl.h" ]; then
  die "the BearSSL build made no libbearssl.a"
fi

# --- libgpiod (v1 API) ------------------------------------------------------------------
# Its five library sources are compiled directly: the Debian patch touches automake inputs,
# and regenerating the autotools build would need autoconf/automake/libtool for nothing.
fetch libgpiod
ver=$(sed -n 's/^AC_INIT(\[libgpiod\], *\[\{0,1\}\([0-9.]*\).*/\1/p' "$dir/configure.ac" | head -n1)
b="$tmp/libgpiod-build"; mkdir -p "$b"
for f in core ctxless helpers iter misc; do
  $CC $CFLAGS_DEP $KCFLAGS -std=gnu89 -D_GNU_SOURCE -DGPIOD_VERSION_STR="\"${ver:-1}\"" \
      -I"$dir/include" -c "$dir/lib/$f.c" -o "$b/$f.o" || die "the libgpiod build failed ($f.c)"
done
${cross}ar rcs "$tmp/lib/libgpiod.a" "$b"/*.o
cp "$dir/include/gpiod.h" "$tmp/include/"
rm -rf "$b"

# --- into place -------------------------------------------------------------------------
if [ -n "$cross" ]; then
  # musl's wrapper and specs name the prefix it was installed to: point them at $out
  sed -i "s|$tmp/musl|$out/musl|g" "$tmp/musl/bin/musl-gcc" "$tmp/musl/lib/musl-gcc.specs"
  ! grep -qF "$tmp" "$tmp/musl/bin/musl-gcc" "$tmp/musl/lib/musl-gcc.specs" ||
    die "musl-gcc still names $tmp"
fi
miss=$(check "$tmp")
[ -z "$miss" ] || die "incomplete build, missing:$miss"
touch "$tmp/.done"
mv "$tmp" "$out"
trap - EXIT
