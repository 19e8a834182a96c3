/* Placeholder until the SoL issue lands: no SoL instance is ever created (ipmi->sol stays
 * NULL), so these are never called. */
#include "sol.h"

void sol_input(struct sol *s, struct ipmi_session *sess, const uint8_t *p, size_t len, int64_t now)
{
	(void)s, (void)sess, (void)p, (void)len, (void)now;
}
void sol_session_closed(struct sol *s, struct ipmi_session *sess) { (void)s, (void)sess; }
int64_t sol_deadline(const struct sol *s) { (void)s; return INT64_MAX; }
void sol_tick(struct sol *s, int64_t now) { (void)s, (void)now; }
