#!/bin/sh
# Runs bmcd on the demo config in the foreground and shows what to try.
set -eu
bin=$1 conf=$2
port=$(sed -n '/^\[ipmi\]/,/^\[/s/^port *= *\([0-9]*\).*/\1/p' "$conf" | head -n1)
port_b=$(sed -n '/^\[host\.b\]/,/^\[/s/^ipmi_port *= *\([0-9]*\).*/\1/p' "$conf" | head -n1)
http=$(sed -n 's/^http_port *= *\([0-9]*\).*/\1/p' "$conf" | head -n1)
https=$(sed -n 's/^https_port *= *\([0-9]*\).*/\1/p' "$conf" | head -n1)
I="ipmitool -I lanplus -H 127.0.0.1 -p ${port} -U admin -P admin"
cat <<TXT

bmcd demo: a simulated computer behind simulated ATX buttons, with a serial console.
Users: admin/admin, operator/operator, viewer/viewer. In another terminal, try:

IPMI (127.0.0.1:${port})
  $I power status
  $I power on
  $I chassis status
  $I sel elist
  $I sol activate            (the host's console; type ~. to leave)
  ipmipower -D LAN_2_0 -h 127.0.0.1:${port} -u admin -p admin --stat

Host b, a second simulated computer (IPMI 127.0.0.1:${port_b:-none}, Redfish Systems/b)
  ipmitool -I lanplus -H 127.0.0.1 -p ${port_b:-6231} -U admin -P admin power on
  ipmitool -I lanplus -H 127.0.0.1 -p ${port_b:-6231} -U admin -P admin sol activate
  redfishtool -S Never -u admin -p admin -r 127.0.0.1:${http} Systems -I b reset ForceOff
  curl -s -u admin:admin http://127.0.0.1:${http}/redfish/v1/Systems/b/VirtualMedia/Cd

Redfish (http://127.0.0.1:${http}, https://127.0.0.1:${https} with a self-signed certificate)
  curl -s -u admin:admin http://127.0.0.1:${http}/redfish/v1/Systems/0
  redfishtool -S Never -u admin -p admin -r 127.0.0.1:${http} Systems reset ForceOff
  curl -sk -u admin:admin -N https://127.0.0.1:${https}/redfish/v1/EventService/SSE

Virtual media (a simulated download of about 3 s; watch the console with sol activate)
  curl -si -u admin:admin -H 'Content-Type: application/json' -d '{"Image": "http://example.com/boot.iso"}' \\
    http://127.0.0.1:${http}/redfish/v1/Managers/bmc/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia
  curl -si -u admin:admin http://127.0.0.1:${http}/redfish/v1/TaskService/TaskMonitors/1
  curl -s -u admin:admin -X PATCH -H 'Content-Type: application/json' \\
    -d '{"Boot": {"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Once"}}' \\
    http://127.0.0.1:${http}/redfish/v1/Systems/0
  $I power on                (waits for the download; the console says "Booting from CD: boot.iso")

Press Ctrl-C to stop.

TXT
# git keeps no file modes but the executable bit: give the demo's users file (clear-text
# passwords, as every users file) the mode bmcd asks for, so it starts without a warning
users=$(sed -n '/^\[users\]/,/^\[/s/^file *= *\([^ #]*\).*/\1/p' "$conf" | head -n1)
[ -n "$users" ] && chmod go-rwx "$(dirname "$conf")/$users" 2>/dev/null || true
exec "$bin" -c "$conf"
