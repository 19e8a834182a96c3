#!/bin/sh
# Installs the Debian packages a stage needs, by exact name, from tools/packages.txt (the one
# list of them: stage, package, whether its Recommends are wanted, reason).
#
#   tools/need.sh STAGE...     e.g. tools/need.sh build release armhf
#   tools/need.sh --list STAGE...   print the packages of those stages, install nothing
#
# The "build" stage is always included. One dpkg-query call finds what is missing; apt-get
# installs it (with or without Recommends as the list says), running `apt-get update` first
# when the package lists are empty and once more if an install fails.
#
# Older callers pass "what:package" pairs ("what" a command name or an absolute path): the
# package is installed when "what" is missing.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
list=${BMCD_PACKAGES:-$top/tools/packages.txt}
only_list=
[ "${1:-}" = --list ] && { only_list=1; shift; }

stages=build
pairs=
for a in "$@"; do
  case "$a" in
    *:*) pairs="$pairs $a" ;;
    *) stages="$stages $a" ;;
  esac
done

# packages of the requested stages: "name rec" lines
wanted=$(awk -v stages="$stages" '
  BEGIN { n = split(stages, s, " "); for (i = 1; i <= n; i++) want[s[i]] = 1 }
  /^[ \t]*(#|$)/ { next }
  { m = split($1, st, ","); hit = 0
    for (i = 1; i <= m; i++) { known[st[i]] = 1; if (st[i] in want) hit = 1 }
    if (hit) print $2, $3 }
  END { for (i = 1; i <= n; i++) if (!(s[i] in known)) { bad = bad " " s[i] }
        if (bad != "") { print "need.sh: unknown stage(s)" bad " (see " FILENAME ")" > "/dev/stderr"; exit 2 } }
' "$list")
if [ -n "$only_list" ]; then
  echo "$wanted" | awk '{print $1}'
  exit 0
fi

# what is installed, in one query (unknown names only print a warning on stderr)
names=$(echo "$wanted" | awk '{print $1}')
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $names 2>/dev/null |
  awk '$2 == "ii" {printf "%s ", $1}') || true
missing_norec=
missing_rec=
while read -r pkg rec; do
  [ -n "$pkg" ] || continue
  case " $installed " in *" $pkg "*) continue ;; esac
  if [ "$rec" = yes ]; then missing_rec="$missing_rec $pkg"; else missing_norec="$missing_norec $pkg"; fi
done <<EOF
$wanted
EOF

for pair in $pairs; do
  what=${pair%%:*}; pkg=${pair#*:}
  case "$what" in
    /*) [ -e "$what" ] && continue ;;
    *) command -v "$what" >/dev/null 2>&1 && continue ;;
  esac
  case " $missing_norec " in *" $pkg "*) ;; *) missing_norec="$missing_norec $pkg" ;; esac
done

[ -z "$missing_norec$missing_rec" ] && exit 0
echo "need.sh: installing for stages [$stages]:$missing_norec$missing_rec" >&2
if [ "$(id -u)" -ne 0 ]; then
  [ -n "$missing_norec" ] &&
    echo "need.sh: need root: sudo apt-get install -y --no-install-recommends$missing_norec" >&2
  [ -n "$missing_rec" ] && echo "need.sh: need root: sudo apt-get install -y$missing_rec" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
updated=
lists=
for f in /var/lib/apt/lists/*_Packages*; do [ -e "$f" ] && lists=1 && break; done
if [ -z "$lists" ]; then
  apt-get update >&2
  updated=1
fi
install() { # install no|yes PKG...
  rec=$1; shift
  [ $# -gt 0 ] || return 0
  if [ "$rec" = yes ]; then opt=--install-recommends; else opt=--no-install-recommends; fi
  apt-get install -y "$opt" "$@" >&2 && return 0
  [ -z "$updated" ] || return 1
  apt-get update >&2
  updated=1
  apt-get install -y "$opt" "$@" >&2
}
# shellcheck disable=SC2086
install no $missing_norec
# shellcheck disable=SC2086
install yes $missing_rec
