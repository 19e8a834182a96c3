#!/bin/sh
# Installs the Debian packages that provide what is missing.
# Arguments are "what:package" pairs; "what" is a command name or an absolute path.
# Example: tools/need.sh ipmitool:ipmitool /usr/lib/python3/dist-packages/pyghmi:python3-pyghmi
set -eu
missing=
for pair in "$@"; do
  what=${pair%%:*}; pkg=${pair#*:}
  case "$what" in
    /*) [ -e "$what" ] && continue ;;
    *) command -v "$what" >/dev/null 2>&1 && continue ;;
  esac
  case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "need root to install:$missing (run: sudo apt-get install -y$missing)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing >&2 || {
  apt-get update >&2
  apt-get install -y --no-install-recommends $missing >&2
}
