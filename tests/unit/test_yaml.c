/* The YAML subset reader on kvmd-shaped files, edge cases, errors and random mutations. */
#include "../../proto/yaml.h"
#include "testlib.h"

struct got {
	char path[32][YAML_PATH_MAX];
	char value[32][YAML_VALUE_MAX];
	int kind[32], line[32];
	int n;
};

static int collect(void *ctx, enum yaml_kind kind, const char *path, const char *value, int line)
{
	struct got *g = ctx;
	if (g->n < 32) {
		snprintf(g->path[g->n], YAML_PATH_MAX, "%s", path);
		snprintf(g->value[g->n], YAML_VALUE_MAX, "%s", value);
		g->kind[g->n] = kind;
		g->line[g->n] = line;
		g->n++;
	}
	return 0;
}

static const char *find(const struct got *g, const char *path)
{
	for (int i = 0; i < g->n; i++)
		if (g->kind[i] == YAML_SCALAR && !strcmp(g->path[i], path))
			return g->value[i];
	return NULL;
}

static int parse(const char *text, struct got *g)
{
	memset(g, 0, sizeof(*g));
	return yaml_parse(text, strlen(text), "", collect, g);
}

static void kvmd_files(void)
{
	struct got g;
	const char *main_yaml =
		"# kvmd main config\n"
		"override: !include [override.d, override.yaml]\n"
		"logging: !include logging.yaml\n"
		"\n"
		"kvmd:\n"
		"    server:\n"
		"        unix: /run/kvmd/kvmd.sock   # the API socket\n"
		"        unix_rm: true\n"
		"    gpio:\n"
		"        scheme:\n"
		"            - a\n"
		"            - b: c\n"
		"        view:\n"
		"            table: [[\"#x\"], []]\n"
		"    motd: |\n"
		"        line one: with a colon\n"
		"        line two\n"
		"ipmi:\n"
		"    server:\n"
		"        host: \"::\"\n"
		"        port: 623\n"
		"    auth:\n"
		"        file: '/etc/kvmd/ipmipasswd'\n"
		"    sol:\n"
		"        device: \"\"\n"
		"        speed: 115200\n";
	CHECK_EQ(parse(main_yaml, &g), 0);
	CHECK(find(&g, "kvmd.server.unix") && !strcmp(find(&g, "kvmd.server.unix"), "/run/kvmd/kvmd.sock"));
	CHECK(find(&g, "ipmi.server.host") && !strcmp(find(&g, "ipmi.server.host"), "::"));
	CHECK(find(&g, "ipmi.server.port") && !strcmp(find(&g, "ipmi.server.port"), "623"));
	CHECK(find(&g, "ipmi.auth.file") && !strcmp(find(&g, "ipmi.auth.file"), "/etc/kvmd/ipmipasswd"));
	CHECK(find(&g, "ipmi.sol.device") && !strcmp(find(&g, "ipmi.sol.device"), ""));
	CHECK(find(&g, "kvmd.motd") == NULL);
	CHECK(find(&g, "kvmd.gpio.scheme.b") == NULL); /* inside a sequence: stepped over */
	int inc = 0;
	for (int i = 0; i < g.n; i++)
		if (g.kind[i] == YAML_INCLUDE)
			inc++;
	CHECK_EQ(inc, 3);
	CHECK(g.kind[0] == YAML_INCLUDE && !strcmp(g.path[0], "override") &&
	      !strcmp(g.value[0], "override.d") && g.line[0] == 2);

	/* PiKVM's documented SoL override, block and flow forms */
	CHECK_EQ(parse("ipmi:\n  sol:\n    device: /dev/ttyUSB0\n    speed: 115200\n", &g), 0);
	CHECK(find(&g, "ipmi.sol.device") && !strcmp(find(&g, "ipmi.sol.device"), "/dev/ttyUSB0"));
	CHECK_EQ(parse("ipmi: {sol: {device: /dev/ttyUSB0, speed: 115200}}\n", &g), 0);
	CHECK(find(&g, "ipmi.sol.speed") && !strcmp(find(&g, "ipmi.sol.speed"), "115200"));
	CHECK_EQ(parse("ipmi:\n    sol: {device: '/dev/tty''S0', speed: \"9600\"}\n", &g), 0);
	CHECK(find(&g, "ipmi.sol.device") && !strcmp(find(&g, "ipmi.sol.device"), "/dev/tty'S0"));
	/* dedent closes mappings; a later key at the same level is a sibling */
	CHECK_EQ(parse("a:\n  b:\n    c: 1\n  d: 2\ne: 3\n", &g), 0);
	CHECK(find(&g, "a.b.c") && find(&g, "a.d") && find(&g, "e"));
	CHECK(find(&g, "a.b.d") == NULL);
	CHECK_EQ(parse("--- \nx: \"say \\\"hi\\\" # not a comment\"\n...\n", &g), 0);
	CHECK(find(&g, "x") && !strcmp(find(&g, "x"), "say \"hi\" # not a comment"));
}

static void errors(void)
{
	struct got g;
	CHECK_EQ(parse("ipmi:\n\tport: 1\n", &g), 1);
	CHECK(g.kind[0] == YAML_ERROR && g.line[0] == 2);
	CHECK_EQ(parse("ipmi:\n  server:\n    port: \"623\n", &g), 1);
	CHECK(g.kind[0] == YAML_ERROR && !strcmp(g.path[0], "ipmi.server.port") && g.line[0] == 3);
	CHECK_EQ(parse("ipmi: {sol: {device: x}\n", &g), 1);
	CHECK_EQ(parse("ipmi:\n  just text\n", &g), 1);
	CHECK(!strcmp(g.path[0], "ipmi"));
	CHECK_EQ(parse("a: &anchor 1\nb: *anchor\n", &g), 2);
	CHECK_EQ(parse("a: \"\\q\"\n", &g), 1);
	char deep[2048] = "";
	for (int i = 0; i < 20; i++) {
		char l[80];
		snprintf(l, sizeof(l), "%*sk%d:\n", i * 2, "", i);
		strcat(deep, l);
	}
	CHECK(parse(deep, &g) >= 1);
	char flow[400] = "a: ";
	for (int i = 0; i < 30; i++)
		strcat(flow, "{b: ");
	CHECK(parse(flow, &g) >= 1);
	/* a very long key or value is an error, not an overflow */
	char longv[2000] = "a: ";
	memset(longv + 3, 'v', 1500);
	longv[1503] = '\n';
	CHECK_EQ(parse(longv, &g), 1);
	/* embedded NUL */
	const char nul[] = "a: b\0c\n";
	memset(&g, 0, sizeof(g));
	CHECK(yaml_parse(nul, sizeof(nul) - 1, "", collect, &g) >= 1);
	/* prefix for included files */
	memset(&g, 0, sizeof(g));
	CHECK_EQ(yaml_parse("port: 1\n", 8, "ipmi.server", collect, &g), 0);
	CHECK(find(&g, "ipmi.server.port") != NULL);
}

/* What the parser reported for one mutated input: every callback's path and value within
 * the limits, its line within the input, and as many errors returned as reported. */
struct mstat {
	int errors, bad, lines;
};

static int sink(void *ctx, enum yaml_kind k, const char *p, const char *v, int l)
{
	struct mstat *m = ctx;
	if (strlen(p) > YAML_PATH_MAX || strlen(v) > YAML_VALUE_MAX || l < 1 || l > m->lines + 1)
		m->bad++;
	if (k == YAML_ERROR)
		m->errors++;
	return 0;
}

static void mutations(void)
{
	const char *base = "kvmd:\n  server: {unix: /run/k.sock}\nipmi:\n  sol:\n    device: \"/dev/x\"\n"
			   "    speed: 1\n  x: [1, {a: b}]\n  - q\n  y: |\n   z\n";
	unsigned x = 7;
	char buf[256];
	size_t bl = strlen(base);
	int ok = 0;
	for (int r = 0; r < 50000; r++) {
		memcpy(buf, base, bl);
		for (int k = 0; k < 4; k++) {
			x = x * 1103515245 + 12345;
			buf[(x >> 8) % bl] = (char)(x >> 16);
		}
		x = x * 1103515245 + 12345;
		size_t n = (x >> 10) % (bl + 1);
		char *copy = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
		memcpy(copy, buf, n);
		struct mstat m = { 0, 0, 1 };
		for (size_t i = 0; i < n; i++)
			m.lines += copy[i] == '\n';
		int errs = yaml_parse(copy, n, "p", sink, &m);
		free(copy);
		if (errs != m.errors || m.bad) {
			CHECK_EQ(errs, m.errors);
			CHECK_EQ(m.bad, 0);
			break;
		}
		ok++;
	}
	CHECK_EQ(ok, 50000);
}

int main(void)
{
	kvmd_files();
	errors();
	mutations();
	return t_done("test_yaml");
}
