#!/bin/sh
# Runs bmcd on the demo config in the foreground and shows what to try.
set -eu
bin=$1 conf=$2
port=$(sed -n 's/^port *= *\([0-9]*\).*/\1/p' "$conf" | head -n1)
cat <<TXT

bmcd demo: a simulated computer behind simulated ATX buttons.
IPMI 2.0 on 127.0.0.1:${port}; users admin/admin, operator/operator, viewer/viewer.
In another terminal, try:

  ipmitool -I lanplus -H 127.0.0.1 -p ${port} -U admin -P admin power status
  ipmitool -I lanplus -H 127.0.0.1 -p ${port} -U admin -P admin power on
  ipmitool -I lanplus -H 127.0.0.1 -p ${port} -U admin -P admin chassis status
  ipmitool -I lanplus -H 127.0.0.1 -p ${port} -U admin -P admin mc info
  ipmitool -I lanplus -H 127.0.0.1 -p ${port} -U operator -P operator -L OPERATOR power soft
  ipmipower -D LAN_2_0 -h 127.0.0.1:${port} -u admin -p admin --stat

Press Ctrl-C to stop.

TXT
exec "$bin" -c "$conf"
