/*
 * The service root, /redfish, odata, $metadata, JsonSchemas and Registries.
 */
#include "rf_private.h"

void rf_get_root(struct ctx *x)
{
	struct jw *w = &x->w;
	struct redfish *r = x->r;
	rf_hdr(x, R_ROOT, V1 "/");
	jw_kstr(w, "Id", "RootService");
	jw_kstr(w, "Name", "Root Service");
	jw_kstr(w, "RedfishVersion", "1.21.0");
	if (r->uuid_ok)
		jw_kstr(w, "UUID", r->cfg.uuid);
	jw_kstr(w, "Product", "bmcd");
	/* the truth: $top/$skip only (query() answers 501 for the rest) */
	jw_key(w, "ProtocolFeaturesSupported");
	jw_raw(w, "{\"ExpandQuery\":{\"ExpandAll\":false,\"Levels\":false,\"Links\":false,"
		  "\"NoLinks\":false},\"FilterQuery\":false,\"SelectQuery\":false,"
		  "\"OnlyMemberQuery\":false,\"ExcerptQuery\":false,\"TopSkipQuery\":true,"
		  "\"DeepOperations\":{\"DeepPATCH\":false,\"DeepPOST\":false}}");
	jw_link(w, "Systems", V1 "/Systems");
	jw_link(w, "Chassis", V1 "/Chassis");
	jw_link(w, "Managers", V1 "/Managers");
	jw_link(w, "SessionService", V1 "/SessionService");
	jw_link(w, "AccountService", V1 "/AccountService");
	jw_link(w, "EventService", V1 "/EventService");
	jw_link(w, "Tasks", V1 "/TaskService");
	jw_link(w, "JsonSchemas", V1 "/JsonSchemas");
	jw_link(w, "Registries", V1 "/Registries");
	jw_kobj(w, "Links");
	jw_link(w, "Sessions", V1 "/SessionService/Sessions");
	jw_obj_end(w);
	jw_obj_end(w);
}

void rf_get_odata(struct ctx *x)
{
	static const char *const v[][2] = {
		{ "Service", V1 "/" }, { "Systems", V1 "/Systems" }, { "Chassis", V1 "/Chassis" },
		{ "Managers", V1 "/Managers" }, { "SessionService", V1 "/SessionService" },
		{ "AccountService", V1 "/AccountService" }, { "EventService", V1 "/EventService" },
		{ "Tasks", V1 "/TaskService" },
		{ "JsonSchemas", V1 "/JsonSchemas" }, { "Registries", V1 "/Registries" },
		{ "Sessions", V1 "/SessionService/Sessions" },
	};
	struct jw *w = &x->w;
	jw_obj(w);
	jw_kstr(w, "@odata.context", V1 "/$metadata");
	jw_karr(w, "value");
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		jw_obj(w);
		jw_kstr(w, "name", v[i][0]);
		jw_kstr(w, "kind", "Singleton");
		jw_kstr(w, "url", v[i][1]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void metadata_ref(struct buf *b, const char *family, const char *ver, const char *extra)
{
	buf_printf(b, "<edmx:Reference Uri=\"" SCHEMAS "%s_v1.xml\">", family);
	buf_printf(b, "<edmx:Include Namespace=\"%s\"/>", family);
	if (ver)
		buf_printf(b, "<edmx:Include Namespace=\"%s.%s\"/>", family, ver);
	if (extra)
		buf_printf(b, "<edmx:Include Namespace=\"%s\"/>", extra);
	buf_str(b, "</edmx:Reference>\n");
}

/* Schemas the resources embed without a route of their own. */
static const char *const more[][2] = {
	{ "Resource", "v1_23_0" }, { "Message", "v1_3_0" }, { "Privileges", "v1_0_6" },
	{ "Event", "v1_13_0" },
};
#define NMORE (sizeof(more) / sizeof(more[0]))

/* The i-th schema the service uses (the routes', then the embedded ones): false past the
 * end. ver is NULL for the unversioned collection schemas. */
static bool schema_at(unsigned i, const char **type, const char **ver)
{
	for (int r = 0; r < R_COUNT; r++)
		if (rf_routes[r].type && i-- == 0) {
			*type = rf_routes[r].type, *ver = rf_routes[r].ver;
			return true;
		}
	if (i >= NMORE)
		return false;
	*type = more[i][0], *ver = more[i][1];
	return true;
}

static unsigned schema_count(void)
{
	unsigned n = 0;
	const char *t, *v;
	while (schema_at(n, &t, &v))
		n++;
	return n;
}

/* The DMTF registries the messages come from, as published. */
static const char *const registries[][2] = {
	{ "Base", "1.22.1" }, { "ResourceEvent", "1.4.3" }, { "TaskEvent", "1.0.5" },
	{ "Bmcd", "1.0.0" }, /* bmcd's own (bmclog.c), served here: the last row */
};
#define NREGISTRIES (sizeof(registries) / sizeof(registries[0]))

/* JsonSchemas and Registries (HPE's ilorest logs in only when the service root links
 * them): where DMTF publishes what the service uses; nothing is copied here. */
static void m_schema(struct ctx *x, unsigned i)
{
	const char *t, *v;
	if (schema_at(i, &t, &v))
		jw_link(&x->w, NULL, V1 "/JsonSchemas/%s", t);
}

static void m_registry(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, V1 "/Registries/%s", registries[i][0]);
}

static void location(struct jw *w, const char *uri)
{
	jw_karr(w, "Location");
	jw_obj(w);
	jw_kstr(w, "Language", "en");
	jw_kstr(w, uri[0] == '/' ? "Uri" : "PublicationUri", uri);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_key(w, "Languages");
	jw_raw(w, "[\"en\"]");
}

void rf_get_schema_file(struct ctx *x)
{
	const char *t = NULL, *v = NULL;
	unsigned i = 0;
	while (schema_at(i, &t, &v) && strcmp(t, x->arg))
		i++;
	if (!t || strcmp(t, x->arg)) {
		rf_fail(x, 404, M_NOT_FOUND, "JsonSchemaFile", x->arg, NULL);
		return;
	}
	struct jw *w = &x->w;
	char s[160];
	rf_hdr(x, R_SCHEMA, V1 "/JsonSchemas/%s", t);
	jw_kstr(w, "Id", t);
	snprintf(s, sizeof(s), "%s Schema File", t);
	jw_kstr(w, "Name", s);
	if (v)
		snprintf(s, sizeof(s), "#%s.%s.%s", t, v, t);
	else
		snprintf(s, sizeof(s), "#%s.%s", t, t);
	jw_kstr(w, "Schema", s);
	if (v)
		snprintf(s, sizeof(s), SCHEMAS "%s.%s.json", t, v);
	else
		snprintf(s, sizeof(s), SCHEMAS "%s.json", t);
	location(w, s);
	jw_obj_end(w);
}

void rf_get_registry_file(struct ctx *x)
{
	size_t i = 0;
	while (i < NREGISTRIES && strcmp(registries[i][0], x->arg))
		i++;
	if (i == NREGISTRIES) {
		rf_fail(x, 404, M_NOT_FOUND, "MessageRegistryFile", x->arg, NULL);
		return;
	}
	struct jw *w = &x->w;
	char s[160];
	const char *n = registries[i][0], *v = registries[i][1];
	rf_hdr(x, R_REGISTRY, V1 "/Registries/%s", n);
	jw_kstr(w, "Id", n);
	snprintf(s, sizeof(s), "%s Message Registry File", n);
	jw_kstr(w, "Name", s);
	snprintf(s, sizeof(s), "%s.%.*s", n, (int)(strrchr(v, '.') - v), v); /* Base.1.22 */
	jw_kstr(w, "Registry", s);
	if (i == NREGISTRIES - 1)
		location(w, V1 "/Registries/Bmcd/Bmcd");
	else {
		snprintf(s, sizeof(s), "http://redfish.dmtf.org/registries/%s.%s.json", n, v);
		location(w, s);
	}
	jw_obj_end(w);
}

/* CSDL referencing every schema the service uses: the routes' and the ones they embed. */
void rf_get_metadata(struct ctx *x)
{
	struct buf *b = &x->b;
	x->p.ctype = "application/xml";
	buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edmx:Edmx "
		   "xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\" Version=\"4.0\">\n");
	for (int i = 0; i < R_COUNT; i++)
		if (rf_routes[i].type)
			metadata_ref(b, rf_routes[i].type, rf_routes[i].ver,
				     i == R_ROOT ? "ServiceRoot.v1_0_0" : NULL);
	for (size_t i = 0; i < NMORE; i++)
		metadata_ref(b, more[i][0], more[i][1], NULL);
	buf_str(b, "<edmx:Reference Uri=\"" SCHEMAS "RedfishExtensions_v1.xml\"><edmx:Include "
		   "Namespace=\"RedfishExtensions.v1_0_0\" Alias=\"Redfish\"/></edmx:Reference>\n"
		   "<edmx:DataServices><Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" "
		   "Namespace=\"Service\"><EntityContainer Name=\"Service\" "
		   "Extends=\"ServiceRoot.v1_0_0.ServiceContainer\"/></Schema></edmx:DataServices>\n"
		   "</edmx:Edmx>\n");
}

void rf_get_versions(struct ctx *x)
{
	jw_raw(&x->w, "{\"v1\":\"" V1 "/\"}");
}

void rf_get_schemas(struct ctx *x)
{
	rf_collection(x, "JSON Schema Files", schema_count(), m_schema, 100);
}

void rf_get_registries(struct ctx *x)
{
	rf_collection(x, "Message Registry Files", NREGISTRIES, m_registry, 100);
}
