/*
 * fuzz_config: bmcd.conf through config_load (INI sections, every key type, comments,
 * quoting, cipher suite lists, path resolution, cross-key checks), then config_resolve.
 * The input is the whole file (see fuzz_files.h for how it reaches the parser).
 *
 * Checks beyond the sanitizers: every string field the parser fills is NUL-terminated
 * inside its buffer, the cipher suite list holds only suites bmcd knows, without repeats
 * (also after a rejected line: id config-partial), a file the parser accepts has every
 * [host.NAME] complete (id, ipmi_port, sel_entries, kvmd-switch resolved) and distinct (ports,
 * ids) within [hosts] max, and it loads the same way a second time.
 */
#include "../../firmware/config.h"
#include "fuzz_files.h"

static struct config c1, c2;

static void terminated(const char *s, size_t cap, const char *what)
{
	FUZZ_ASSERT(memchr(s, 0, cap) != NULL, "%s is not NUL-terminated", what);
}

#define TERM(f) terminated(c->f, sizeof(c->f), #f)

/* rejected: the file had errors (bmcd exits then; only --check-config prints them) */
static void check(const struct config *c, bool rejected)
{
	TERM(path);
	TERM(ipmi_listen);
	TERM(users_file);
	TERM(chip);
	TERM(guid);
	TERM(machine_id_file);
	TERM(name);
	TERM(rf_listen);
	TERM(cert);
	TERM(key);
	TERM(system_id);
	TERM(sol_device);
	TERM(temp_file);
	TERM(run_user);
	TERM(asset_tag);
	FUZZ_ASSERT(c->nhosts <= HOSTS_EXTRA_MAX, "%u further hosts", c->nhosts);
	for (uint32_t i = 0; i < c->nhosts; i++) {
		const struct host_conf *h = &c->hosts[i];
		TERM(hosts[i].name);
		TERM(hosts[i].id);
		TERM(hosts[i].sol_device);
		TERM(hosts[i].product_name);
		TERM(hosts[i].product_serial);
		TERM(hosts[i].chip);
		if (rejected)
			continue;
		/* an accepted file: every further host is complete and distinct */
		FUZZ_ASSERT(i < c->hosts_max, "host %u past hosts.max %u", i, c->hosts_max);
		FUZZ_ASSERT(h->id[0] && h->ipmi_port && h->ipmi_port != c->ipmi_port,
			    "host %s: id or port", h->name);
		FUZZ_ASSERT(h->backend != BACKEND_KVMD_SWITCH && h->sel_entries >= 16,
			    "host %s: not completed", h->name);
		for (uint32_t j = 0; j < i; j++)
			FUZZ_ASSERT(h->ipmi_port != c->hosts[j].ipmi_port &&
				    strcmp(h->id, c->hosts[j].id) != 0, "hosts %u and %u alike", j, i);
	}
	FUZZ_ASSERT(c->nsuites <= sizeof(c->suites), "%u suites", c->nsuites);
	for (int i = 0; i < c->nsuites; i++) {
		uint8_t s = c->suites[i];
		FUZZ_ASSERT(s == 1 || s == 2 || s == 3 || s == 15 || s == 16 || s == 17,
			    "suite %u accepted", s);
		for (int j = 0; j < i; j++) {
			if (rejected) /* a bad value should leave the field as it was */
				FUZZ_CHECK("config-partial", c->suites[j] != s,
					   "suite %u twice after a rejected cipher_suites line", s);
			else
				FUZZ_ASSERT(c->suites[j] != s, "suite %u twice", s);
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ff_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ff_write(data, size);
	ff_quiet(true);
	config_defaults(&c1);
	int e1 = config_load(&c1, ff_path);
	ff_quiet(false);
	ff_check_released();
	check(&c1, e1 != 0);
	char res[CFG_PATH_MAX];
	config_resolve(&c1, res, sizeof(res), c1.users_file);
	config_resolve(&c1, res, sizeof(res), "relative/name");
	config_resolve(&c1, res, 8, "a-longer-relative-name");
	if (e1 == 0) {
		/* deterministic: the same text gives the same configuration */
		ff_quiet(true);
		config_defaults(&c2);
		int e2 = config_load(&c2, ff_path);
		ff_quiet(false);
		FUZZ_ASSERT(e2 == 0 && memcmp(&c1, &c2, sizeof(c1)) == 0, "second load differs");
	}
	return 0;
}
