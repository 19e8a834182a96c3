#include "pikvm.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hal/uart.h"
#include "../proto/parse.h"
#include "../proto/yaml.h"
#include "config.h"
#include "textfile.h"

#define INCLUDE_DEPTH 4
#define OVERRIDES_MAX 64

struct pk {
	struct config *c;
	const char *file;	/* being read */
	char dir[PATH_MAX];	/* its directory: includes must stay under it */
	int depth;
	int errors;
	bool have_kvmd_unix_ipmi; /* ipmi.kvmd.unix wins over kvmd.server.unix */
};

static int read_file(struct pk *p, const char *path, const char *prefix, const char *root);

static bool relevant(const char *path)
{
	return !strncmp(path, "ipmi", 4) && (path[4] == 0 || path[4] == '.') ? true
	       : !strcmp(path, "kvmd") || !strcmp(path, "kvmd.server") ||
			 !strcmp(path, "kvmd.server.unix");
}

static void bad(struct pk *p, int line, const char *fmt, const char *a)
{
	fprintf(stderr, "%s:%d: ", p->file, line);
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	p->errors++;
}

static void set_str(struct pk *p, int line, char *dst, size_t cap, const char *v, const char *what)
{
	if (strlen(v) >= cap) {
		bad(p, line, "%s: value too long", what);
		return;
	}
	strcpy(dst, v);
}

static int on_value(void *ctx, enum yaml_kind kind, const char *path, const char *v, int line)
{
	struct pk *p = ctx;
	struct config *c = p->c;
	if (!relevant(path))
		return 0; /* the rest of kvmd's configuration is not ours */
	if (kind == YAML_ERROR) {
		fprintf(stderr, "%s:%d: %s: %s\n", p->file, line, path, v);
		p->errors++;
		return 0;
	}
	if (kind == YAML_INCLUDE) {
		if (p->depth >= INCLUDE_DEPTH) {
			bad(p, line, "%s: includes nested too deep", path);
			return 0;
		}
		read_file(p, v, path, p->dir);
		return 0;
	}
	uint32_t u;
	if (!strcmp(path, "ipmi.server.host")) {
		uint8_t a[16];
		if (inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1)
			bad(p, line, "ipmi.server.host: '%s' is not an IP address", v);
		else
			set_str(p, line, c->ipmi_listen, sizeof(c->ipmi_listen), v, path);
	} else if (!strcmp(path, "ipmi.server.port")) {
		if (!parse_u32(v, strlen(v), 1, 65535, &u))
			bad(p, line, "ipmi.server.port: '%s' is not a port number", v);
		else
			c->ipmi_port = u;
	} else if (!strcmp(path, "ipmi.auth.file")) {
		set_str(p, line, c->users_file, sizeof(c->users_file), v, path);
	} else if (!strcmp(path, "ipmi.sol.device")) {
		set_str(p, line, c->sol_device, sizeof(c->sol_device), v, path);
	} else if (!strcmp(path, "ipmi.sol.speed")) {
		if (!parse_u32(v, strlen(v), 1, 4000000, &u) || !uart_speed_ok(u))
			bad(p, line, "ipmi.sol.speed: '%s' is not a supported speed", v);
		else
			c->sol_speed = u;
	} else if (!strcmp(path, "ipmi.kvmd.unix")) {
		set_str(p, line, c->kvmd_socket, sizeof(c->kvmd_socket), v, path);
		p->have_kvmd_unix_ipmi = true;
	} else if (!strcmp(path, "kvmd.server.unix")) {
		if (!p->have_kvmd_unix_ipmi)
			set_str(p, line, c->kvmd_socket, sizeof(c->kvmd_socket), v, path);
	}
	/* other ipmi.* keys (ipmi.sol.proxy_port, ipmi.kvmd.timeout, ...) belong to kvmd-ipmi's
	 * Python implementation and mean nothing here */
	return 0;
}

/* path is relative to root's directory tree (or absolute inside it): no escaping it. */
static int read_file(struct pk *p, const char *path, const char *prefix, const char *root)
{
	char full[PATH_MAX], real[PATH_MAX];
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", root, path);
	if (root && root[0] && prefix[0]) { /* an include: it must stay under root */
		if (!realpath(full, real) || strncmp(real, root, strlen(root)) != 0 ||
		    (real[strlen(root)] != '/' && real[strlen(root)] != 0)) {
			fprintf(stderr, "%s: include '%s' is missing or outside %s\n", p->file, path, root);
			p->errors++;
			return -1;
		}
	}
	struct textfile tf;
	if (textfile_open(&tf, full, 1 << 20) < 0) {
		p->errors++;
		return -1;
	}
	const char *saved_file = p->file;
	char saved_dir[PATH_MAX];
	strcpy(saved_dir, p->dir);
	p->file = full;
	if (!root || !root[0] || !prefix[0]) { /* a top-level file: its directory is the root */
		if (realpath(full, real)) {
			char *slash = strrchr(real, '/');
			if (slash)
				*slash = 0;
			snprintf(p->dir, sizeof(p->dir), "%s", real);
		}
	}
	p->depth++;
	yaml_parse(tf.buf, tf.len, prefix, on_value, p);
	p->depth--;
	p->file = saved_file;
	strcpy(p->dir, saved_dir);
	textfile_close(&tf);
	return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void pikvm_defaults(struct config *c)
{
	config_defaults(c);
	c->pikvm = true;
	c->backend = BACKEND_KVMD;
	/* Redfish behind kvmd's nginx (configs/pikvm/redfish.nginx.conf): loopback HTTP only */
	strcpy(c->rf_listen, "127.0.0.1");
	c->https_port = 0;
	c->http_port = 8623;
	c->forwarded_for = true; /* nginx sets X-Forwarded-For $remote_addr */
	/* kvmd-ipmi's default users file (kvmd's ipmi.auth.file); the YAML may move it */
	strcpy(c->users_file, "/etc/kvmd/ipmipasswd");
	strcpy(c->name, "pikvm");
}

int pikvm_apply(struct config *c)
{
	struct pk p;
	memset(&p, 0, sizeof(p));
	p.c = c;
	c->backend = BACKEND_KVMD;
	read_file(&p, c->pikvm_main, "", NULL);
	DIR *d = opendir(c->pikvm_override_dir);
	if (d) {
		static char names[OVERRIDES_MAX][256];
		char *order[OVERRIDES_MAX];
		int n = 0;
		struct dirent *e;
		while ((e = readdir(d)) && n < OVERRIDES_MAX) {
			size_t l = strlen(e->d_name);
			if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".yaml") ||
			    l >= sizeof(names[0]))
				continue;
			strcpy(names[n], e->d_name);
			order[n] = names[n];
			n++;
		}
		closedir(d);
		qsort(order, (size_t)n, sizeof(order[0]), cmp);
		for (int i = 0; i < n; i++) {
			char f[PATH_MAX];
			snprintf(f, sizeof(f), "%s/%s", c->pikvm_override_dir, order[i]);
			read_file(&p, f, "", NULL);
		}
	}
	FILE *o = fopen(c->pikvm_override, "r"); /* optional, as in kvmd */
	if (o) {
		fclose(o);
		read_file(&p, c->pikvm_override, "", NULL);
	}
	return p.errors;
}
