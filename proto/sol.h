/*
 * Serial-over-LAN (IPMI payload type 1): the SoL packet protocol between one console and
 * the host's serial port. Sans-I/O like the rest of proto/: the caller feeds SoL payloads
 * from the session layer, host console bytes from the UART, and asks what to write to the
 * UART. See sol.c for the protocol notes.
 */
#ifndef BMCD_SOL_H
#define BMCD_SOL_H

#include <stddef.h>
#include <stdint.h>

struct sol;
struct ipmi_session;

void sol_input(struct sol *s, struct ipmi_session *sess, const uint8_t *p, size_t len,
	       int64_t now);
void sol_session_closed(struct sol *s, struct ipmi_session *sess);
int64_t sol_deadline(const struct sol *s);
void sol_tick(struct sol *s, int64_t now);

#endif
