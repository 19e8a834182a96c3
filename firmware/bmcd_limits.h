/* Named limits. Anything the config can size has a hard ceiling here as well. */
#ifndef BMCD_LIMITS_H
#define BMCD_LIMITS_H

#define CFG_PATH_MAX 256	/* a path in the config */
#define CFG_ADDR_MAX 64		/* a listen address */
#define CFG_LINE_MAX 1024	/* a config or users-file line */
#define CFG_FILE_MAX (1 << 20)	/* a config or users file */

#define IPMI_SESSIONS_MAX 64	/* [ipmi] max_sessions ceiling (session handles are 6 bits) */
#define HOST_QUEUE_MAX 32	/* [host] queue ceiling */
#define SEL_ENTRIES_MAX 4096	/* [sel] entries ceiling */
#define HOSTS_EXTRA_MAX 20	/* [hosts] max ceiling: [host.NAME] sections (a PiKVM Switch
				   has at most 20 ports) */
#define HOST_NAME_MAX_LEN 26	/* NAME in [host.NAME] (the section name fits 32 bytes) */
#define HOST_USERS_MAX 16	/* names in a host's `users` allow-list */
#define HOST_USERS_LEN (HOST_USERS_MAX * 17)	/* kept joined by ',' (names: 16 bytes) */

#define LOOP_FDS_MAX 1100	/* descriptors the poll loop can watch */
#define LOOP_TIMERS_MAX (16 + 4 * HOSTS_EXTRA_MAX)	/* deadline sources (and prepare hooks):
				   each further host adds up to 4 (host model, IPMI, SoL, virtual
				   media) */
#define UDP_BATCH 32		/* datagrams read per wake-up */

#endif
