/* PiKVM compatibility: IPMI, SoL, users and the kvmd socket taken from kvmd's own YAML
 * files, read in kvmd's order (main.yaml, override.d/ sorted, override.yaml), so PiKVM's
 * documented steps (edit override.yaml, restart kvmd-ipmi) keep working with bmcd. */
#ifndef BMCD_PIKVM_H
#define BMCD_PIKVM_H

struct config;

/* The built-in configuration of `bmcd --kvmd` without -c. */
void pikvm_defaults(struct config *c);
/* Reads the YAML files named in c->pikvm_* and applies their ipmi/kvmd values to c.
 * Prints errors as file:line; returns their number. */
int pikvm_apply(struct config *c);

#endif
