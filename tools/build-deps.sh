#!/bin/sh
# Build BearSSL and libgpiod (and, for cross targets, a musl sysroot) from Debian's
# source packages into build/deps/$ARCH, once. Debian's own .a files are glibc builds and
# do not link into a musl binary, so we compile the sources ourselves with musl-gcc.
#
# Usage: tools/build-deps.sh [x86_64|aarch64|armhf|host]
# "host" is a plain gcc/glibc build used only for unit tests and sanitizer builds.
# The system's apt source lists are never changed: a private deb-src list under
# build/deps/apt is passed to apt-get with -o options.
set -eu
ARCH=${1:-x86_64}
# Called from our Makefile as `make ... ARCH=armhf`: make passes that override to every
# sub-make through MAKEFLAGS, and musl's own Makefile would then look for arch/armhf
# (its name for the port is "arm"). The dependency builds get a clean make environment.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL
top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"
out="$deps/$ARCH"
stamp="$out/.done"
[ -f "$stamp" ] && exit 0

case "$ARCH" in
  host)    triplet=$(gcc -dumpmachine); cross= ;;   # glibc gcc build: unit tests, ASan
  x86_64)  triplet=x86_64-linux-gnu;    cross= ;;
  aarch64) triplet=aarch64-linux-gnu;   cross=aarch64-linux-gnu- ;;
  armhf)   triplet=arm-linux-gnueabihf; cross=arm-linux-gnueabihf- ;;
  *) echo "build-deps: unknown ARCH '$ARCH' (x86_64, aarch64, armhf)" >&2; exit 2 ;;
esac

need() { command -v "$1" >/dev/null 2>&1; }
if ! need dpkg-source || ! need musl-gcc || ! need make; then
  echo "build-deps: installing build tools" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y dpkg-dev musl-tools musl-dev make gcc linux-libc-dev xz-utils >&2
fi
if [ -n "$cross" ] && ! need "${cross}gcc"; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y "gcc-$triplet" >&2
fi

src="$deps/src"
mkdir -p "$src" "$out"
apt_private() {
  mkdir -p "$deps/apt/lists/partial"
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  echo "deb-src http://deb.debian.org/debian $suite main" > "$deps/apt/sources.list"
  set -- -o Dir::Etc::SourceList="$deps/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
         -o Dir::State::Lists="$deps/apt/lists"
  [ -f "$deps/apt/.updated" ] || { apt-get "$@" update >&2 && touch "$deps/apt/.updated"; }
  (cd "$src" && apt-get "$@" source --download-only "$pkg" >&2)
}
fetch() { # fetch PKG -> sets dir to the unpacked source tree
  pkg=$1
  dir=$(ls -d "$src/$pkg"-[0-9]* 2>/dev/null | grep -v '\.' | head -n1 || true)
  [ -z "$dir" ] && dir=$(find "$src" -maxdepth 1 -type d -name "$pkg-[0-9]*" | head -n1)
  if [ -z "$dir" ]; then
    ls "$src/${pkg}"_*.dsc >/dev/null 2>&1 || apt_private
    (cd "$src" && dpkg-source --no-check -x "$(ls "${pkg}"_*.dsc | head -n1)" >/dev/null)
    dir=$(find "$src" -maxdepth 1 -type d -name "$pkg-[0-9]*" | head -n1)
  fi
}

CFLAGS_DEP="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables"

# --- a musl toolchain wrapper for this ARCH ---------------------------------------------
if [ "$ARCH" = host ]; then
  CC=gcc
  KCFLAGS=
  CFLAGS_DEP="-O1 -g -fno-omit-frame-pointer"
elif [ "$ARCH" = x86_64 ]; then
  CC=musl-gcc
  # musl-gcc hides /usr/include; libgpiod needs the kernel's uapi headers.
  kh="$out/kernel-headers"
  mkdir -p "$kh"
  for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$kh/$d"; done
  ln -sfn "/usr/include/$triplet/asm" "$kh/asm"
  KCFLAGS="-isystem $kh"
else
  sysroot="$out/musl"
  if [ ! -f "$sysroot/lib/libc.a" ]; then
    fetch musl
    b="$out/musl-build"; rm -rf "$b"; cp -a "$dir" "$b"
    (cd "$b" && ./configure --prefix="$sysroot" --target="$triplet" CROSS_COMPILE="$cross" \
        --disable-shared CFLAGS="$CFLAGS_DEP" >&2 && make -j"$(nproc)" >&2 && make install >&2)
    rm -rf "$b"
  fi
  kh="$out/kernel-headers"; mkdir -p "$kh"
  for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$kh/$d"; done
  # uapi asm headers for the target architecture
  case "$ARCH" in aarch64) ka=arm64;; armhf) ka=arm;; esac
  if [ -d "/usr/$triplet/include/asm" ]; then ln -sfn "/usr/$triplet/include/asm" "$kh/asm"
  else echo "build-deps: no asm headers for $ARCH (install linux-libc-dev-$ka-cross)" >&2; exit 1; fi
  CC="$sysroot/bin/musl-gcc"
  # musl's wrapper calls plain gcc; point it at the cross compiler
  export REALGCC="${cross}gcc"
  KCFLAGS="-isystem $kh"
fi

# --- BearSSL ----------------------------------------------------------------------------
if [ ! -f "$out/lib/libbearssl.a" ]; then
  fetch bearssl
  b="$out/bearssl-build"; rm -rf "$b"; cp -a "$dir" "$b"
  make -C "$b" -j"$(nproc)" lib CC="$CC" AR="${cross}ar" CFLAGS="$CFLAGS_DEP -W -Wall" >&2
  mkdir -p "$out/lib" "$out/include"
  cp "$b/build/libbearssl.a" "$out/lib/"
  cp "$b"/inc/*.h "$out/include/"
  rm -rf "$b"
fi

# --- libgpiod (v1 API) ------------------------------------------------------------------
# Its five library sources are compiled directly: the Debian patch touches automake inputs,
# and regenerating the autotools build would need autoconf/automake/libtool for nothing.
if [ ! -f "$out/lib/libgpiod.a" ]; then
  fetch libgpiod
  ver=$(sed -n 's/^AC_INIT(\[libgpiod\], *\[\{0,1\}\([0-9.]*\).*/\1/p' "$dir/configure.ac" | head -n1)
  b="$out/libgpiod-build"; rm -rf "$b"; mkdir -p "$b" "$out/lib" "$out/include"
  for f in core ctxless helpers iter misc; do
    $CC $CFLAGS_DEP $KCFLAGS -std=gnu89 -D_GNU_SOURCE -DGPIOD_VERSION_STR="\"${ver:-1}\"" \
        -I"$dir/include" -c "$dir/lib/$f.c" -o "$b/$f.o"
  done
  ${cross}ar rcs "$out/lib/libgpiod.a" "$b"/*.o
  cp "$dir/include/gpiod.h" "$out/include/"
  rm -rf "$b"
fi
touch "$stamp"
