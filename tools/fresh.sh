#!/bin/bash
# `make test-fresh`: runs the README's `make test` (bash .ci/run) from a bare clone on a
# fresh Debian 12 root, to prove that tools/packages.txt names everything the stages need.
#
#   1. a minimal bookworm root: debootstrap --variant=minbase with only git, make, gcc,
#      python3 and ca-certificates (cached as build/fresh/base-bookworm.tar; every run
#      starts from a pristine copy of it in build/fresh/root)
#   2. /proc, /sys, /dev, /dev/pts and a new /dev/shm mounted into it, the root itself
#      made a mount point (the read-only root test remounts "/"), the host's resolv.conf
#   3. `git clone` of this repository's HEAD to /work/bmcd in the root (nothing beside it)
#   4. `chroot ... bash .ci/run` with CI=true; the log goes to build/fresh/run.log
#   5. the elapsed time and the closing line; everything is unmounted on exit
#
# Changes to the debootstrapped root: /usr/sbin/policy-rc.d refusing to start services (as
# in Debian's container images), so installing nginx-light does not start a daemon on the
# host's network from inside the chroot; and the DMTF Redfish schema bundle (json-schema/,
# registries/, csdl/) that the Redfish tests validate against (tests/rf_schema.py). It is
# neither in the repository nor packaged by Debian: it is copied from $BMCD_REDFISH_SCHEMAS/..
# or from ../shared/redfish beside this checkout to /opt/dmtf-redfish in the root (not
# beside the clone) and named by BMCD_REDFISH_SCHEMAS; without it those tests fail.
#
# Environment: BMCD_FRESH_DIR (default build/fresh), BMCD_FRESH_BASE (the base tarball,
# default in BMCD_FRESH_DIR), BMCD_MIRROR (http://deb.debian.org/debian),
# BMCD_FRESH_REBUILD=1 makes a new base tarball, BMCD_STAGES is passed on to make test,
# BMCD_FRESH_CMD replaces `bash .ci/run` (e.g. "make install-run-deps all": what `make run`
# does before it starts the demo).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fresh=${BMCD_FRESH_DIR:-$top/build/fresh}
mirror=${BMCD_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
root="$fresh/root"
base="$fresh/base-$suite.tar"
log="$fresh/run.log"

[ "$(id -u)" -eq 0 ] || { echo "fresh.sh: needs root (debootstrap, mount, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "fresh.sh: install debootstrap (tools/need.sh fresh)" >&2; exit 1; }
mkdir -p "$fresh"
fresh=$(cd "$fresh" && pwd); root="$fresh/root"; base=${BMCD_FRESH_BASE:-$fresh/base-$suite.tar}; log="$fresh/run.log"
cmd=${BMCD_FRESH_CMD:-bash .ci/run}

mounted() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts; }

cleanup() {
	# processes left inside the root (started by this run): stop them by pid
	local p pids=
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids="$pids ${p#/proc/}"
	done
	if [ -n "$pids" ]; then
		echo "fresh.sh: stopping processes left in the root:" >&2
		# shellcheck disable=SC2086
		ps -o pid=,etime=,args= -p "$(echo $pids | tr ' ' ',')" >&2 || true
		# shellcheck disable=SC2086
		kill $pids 2>/dev/null || true
		sleep 2
		# shellcheck disable=SC2086
		kill -9 $pids 2>/dev/null || true
	fi
	if [ -n "$(mounted)" ]; then
		umount -R "$root" 2>/dev/null || umount -R -l "$root" || true
	fi
	if [ -n "$(mounted)" ]; then
		echo "fresh.sh: still mounted under $root: $(mounted | tr '\n' ' ')" >&2
		return 1
	fi
}

main() {
# --- 1. the base root, cached -------------------------------------------------------------
cleanup
if [ ! -s "$base" ] || [ -n "${BMCD_FRESH_REBUILD:-}" ]; then
	t=$(date +%s)
	rm -rf --one-file-system "$fresh/base.tmp"
	echo "fresh.sh: debootstrap $suite from $mirror" >&2
	debootstrap --variant=minbase --include=git,make,gcc,python3,ca-certificates \
		"$suite" "$fresh/base.tmp" "$mirror" >"$fresh/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$fresh/debootstrap.log" >&2; exit 1; }
	tar -C "$fresh/base.tmp" --numeric-owner -cf "$base.tmp" .
	mv "$base.tmp" "$base"
	rm -rf --one-file-system "$fresh/base.tmp"
	echo "fresh.sh: debootstrap took $(($(date +%s) - t)) s" >&2
fi

# --- 2. a pristine copy, mounted ----------------------------------------------------------
[ -z "$(mounted)" ] || { echo "fresh.sh: refusing to delete $root: still mounted" >&2; exit 1; }
rm -rf --one-file-system "$root"
mkdir -p "$root"
tar -C "$root" --numeric-owner -xf "$base"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
schemas=${BMCD_REDFISH_SCHEMAS:-$top/../shared/redfish/json-schema}
envs=(HOME=/root LANG=C.UTF-8 TERM=dumb CI=true PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
[ -z "${BMCD_STAGES:-}" ] || envs+=("BMCD_STAGES=$BMCD_STAGES")
if [ -d "$schemas" ]; then
	mkdir -p "$root/opt/dmtf-redfish"
	cp -a "$(dirname "$schemas")/." "$root/opt/dmtf-redfish/"
	envs+=("BMCD_REDFISH_SCHEMAS=/opt/dmtf-redfish/$(basename "$schemas")")
	echo "fresh.sh: DMTF Redfish schemas (not in the repository, not in Debian) from $(dirname "$schemas")" >&2
else
	echo "fresh.sh: no DMTF Redfish schemas at $schemas: the schema tests will fail" >&2
fi

trap 'cleanup' EXIT
trap 'exit 130' INT TERM HUP
mount --bind "$root" "$root"
mount --make-private "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"

# --- 3. a bare clone of HEAD --------------------------------------------------------------
head=$(git -C "$top" rev-parse HEAD)
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
	echo "fresh.sh: note: uncommitted changes are not part of the test (it clones HEAD $head)" >&2
fi
mkdir -p "$root/work"
git clone -q --no-hardlinks "$top" "$root/work/bmcd"
git -C "$root/work/bmcd" checkout -q --detach "$head"

# --- 4. bash .ci/run inside ---------------------------------------------------------------
echo "fresh.sh: running $cmd in $root (log: $log)" >&2
t0=$(date +%s)
set +e
chroot "$root" /usr/bin/env -i "${envs[@]}" /bin/bash -c "cd /work/bmcd && exec $cmd" </dev/null 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
secs=$(($(date +%s) - t0))

# --- 5. result ----------------------------------------------------------------------------
closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
echo "=== test-fresh: $cmd on a fresh $suite root (commit ${head:0:12}): exit $rc after $((secs / 60)) min $((secs % 60)) s"
echo "=== test-fresh: ${closing:-no closing line (see $log)}"
exit "$rc"
}

# the whole script is read before it runs (editing it during a run cannot break that run)
main "$@"
exit
