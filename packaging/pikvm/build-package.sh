#!/bin/sh
# Builds the PiKVM OS package from the release tarball with Debian's makepkg (`make package`).
#
#   packaging/pikvm/build-package.sh ARCH TARBALL
#
# ARCH is the Makefile's (armhf or aarch64; Arch's CARCH armv7h or aarch64). The work
# directory is build/pkg/<CARCH>/: a copy of PKGBUILD (pkgver from VERSION, the tarball's
# sha256) and bmcd.install, the tarball, then makepkg's src/, pkg/ and the package,
# build/pkg/<CARCH>/bmcd-<version>-<pkgrel>-<CARCH>.pkg.tar.zst (path printed last).
#
# BMCD_PKG_PREBUILT=1 (tests/package): reuse this tree's build/deps/<ARCH> and
# build/<ARCH>/obj, copied into the work directory (PKGBUILD's BMCD_PREBUILT), so the
# package build only relinks what the cross test stage already compiled.
#
# makepkg refuses to run as root (and has no option against it): as root, the work
# directory is handed to nobody and makepkg runs as nobody (setpriv, util-linux), then the
# directory is given back to root. -d: kvmd (depends=) is not installed on the build host.
# makepkg's .BUILDINFO step asks the host's pacman for its installed packages; as nobody on
# Debian that prints "failed to initialize alpm library ... could not create database",
# which is harmless (the list is just empty).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/packaging/pikvm"
[ $# -eq 2 ] || { echo "usage: $0 armhf|aarch64 TARBALL" >&2; exit 2; }
arch=$1
tarball=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
case "$arch" in
armhf) carch=armv7h ;;
aarch64) carch=aarch64 ;;
*) echo "build-package: no PiKVM OS package for ARCH=$arch (armhf or aarch64)" >&2; exit 2 ;;
esac
for t in makepkg bsdtar zstd fakeroot; do
	command -v $t >/dev/null 2>&1 ||
		{ echo "build-package: $t not found (tools/need.sh package)" >&2; exit 1; }
done
version=$(cat "$top/VERSION")
[ "$(basename "$tarball")" = "bmcd-$version.tar.gz" ] ||
	{ echo "build-package: $tarball is not bmcd-$version.tar.gz (VERSION)" >&2; exit 2; }

work="$top/build/pkg/$carch"
rm -rf "$work"
mkdir -p "$work"
cp "$tarball" "$work/"
cp "$here/bmcd.install" "$work/"
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
sed -e "s/^pkgver=.*/pkgver=$version/" -e "s/^sha256sums=.*/sha256sums=('$sum')/" \
	"$here/PKGBUILD" >"$work/PKGBUILD"
grep -q "^sha256sums=('$sum')\$" "$work/PKGBUILD" ||
	{ echo "build-package: could not set the sha256sum in $work/PKGBUILD" >&2; exit 1; }

if [ "${BMCD_PKG_PREBUILT:-}" = 1 ]; then
	deps="$top/build/deps/$arch"
	if [ ! -f "$deps/.done" ] || [ ! -d "$top/build/$arch/obj" ]; then
		echo "build-package: BMCD_PKG_PREBUILT=1 needs make ARCH=$arch first" >&2
		exit 1
	fi
	mkdir -p "$work/prebuilt/deps" "$work/prebuilt/$arch"
	cp -a "$deps" "$work/prebuilt/deps/$arch"
	cp -a "$top/build/$arch/obj" "$work/prebuilt/$arch/obj"
	# musl's wrapper and specs name the directory musl was installed to (tools/build-deps.sh)
	sed -i "s|$deps/musl|$work/prebuilt/deps/$arch/musl|g" \
		"$work/prebuilt/deps/$arch/musl/bin/musl-gcc" "$work/prebuilt/deps/$arch/musl/lib/musl-gcc.specs"
	export BMCD_PREBUILT="$work/prebuilt"
fi

# the commit's time (or VERSION's mtime) for the files' mtimes and the build date in the
# package, so the same tree gives the same package
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null || stat -c %Y "$top/VERSION")
fi
export SOURCE_DATE_EPOCH
export PACKAGER="${PACKAGER:-bmcd build <bmcd@localhost>}"
set -- env HOME="$work" CARCH="$carch" PKGEXT=.pkg.tar.zst BUILDDIR="$work" PKGDEST="$work" \
	SRCDEST="$work" makepkg --force --nodeps --noconfirm --noprogressbar
rc=0
if [ "$(id -u)" -eq 0 ]; then
	chown -R 65534:65534 "$work"
	(cd "$work" && setpriv --reuid=65534 --regid=65534 --clear-groups "$@") || rc=$?
	chown -R 0:0 "$work"
else
	(cd "$work" && "$@") || rc=$?
fi
[ "$rc" -eq 0 ] || { echo "build-package: makepkg failed (exit $rc) in $work" >&2; exit "$rc"; }
pkg=$(ls "$work"/bmcd-"$version"-*-"$carch".pkg.tar.zst)
echo "built $pkg"
