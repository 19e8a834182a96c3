/*
 * [kvmd] switch_hosts = yes: one further host per port of the PiKVM Switch that kvmd reports
 * (GET /switch), asked once at start-up, before the loop. Port i becomes host "port<i>",
 * id "SwitchPort<i>" (kvmd's own Redfish id for the port), backend kvmd-switch, IPMI on
 * [kvmd] switch_ipmi_base + i, everything else as a [host.NAME] section's defaults. A port
 * some host already drives (switch_port) gets none; the hosts made are checked like those of
 * the file, errors reported at the switch_hosts line.
 */
#ifndef BMCD_SWITCH_HOSTS_H
#define BMCD_SWITCH_HOSTS_H

struct config;

/* After the whole configuration (PiKVM's files too): switch_hosts needs the kvmd backend and
 * switch_ipmi_base. Returns the number of errors (printed as file:line). */
int switch_hosts_check(const struct config *c);
/* Adds the hosts for Switch ports 0..nports-1 (at most 20) and checks every host again.
 * Returns the number of errors (printed as file:line). */
int switch_hosts_add(struct config *c, int nports);
/* Asks kvmd for the Switch (retried until switch_discovery_timeout_s while kvmd is not
 * there or reports no ports yet) and adds its hosts. 0, or -1 with the reason logged. */
int switch_hosts_discover(struct config *c);

#endif
