/*
 * VirtualMedia: the BMC's one virtual CD drive (hal/msd.h), served both under the Manager
 * (Managers/bmc/VirtualMedia/Cd) and under the ComputerSystem (Systems/{id}/VirtualMedia/Cd;
 * newer sushy and Ironic prefer it), with the InsertMedia and EjectMedia actions and the
 * InsertMedia ActionInfo. With no backend (cfg.msd NULL: gpiod) none of it exists: the
 * routes answer 404 and nothing links to them.
 *
 * The backend downloads the whole image before the host sees it (kvmd's write_remote), so
 * TransferMethod is "Upload". InsertMedia answers 202 Accepted with a task (tasks.c) once
 * the download has started, or 204 when that URL is already inserted; Inserted turns true
 * when the drive holds it, and the task then completes. Errors:
 * no Image: 400 ActionParameterMissing; WriteProtected false, Inserted false, UserName,
 * Password: 400 ActionParameterNotSupported; a TransferMethod other than Upload or a
 * TransferProtocolType other than HTTP/HTTPS: 400 ActionParameterValueNotInList; a
 * TransferProtocolType that is not the URL's scheme: 400 ActionParameterValueConflict; an
 * URL that is not http(s): 400 ActionParameterValueFormatError; longer than
 * cfg.media_url_max: 400 StringValueTooLong; an insert or
 * eject in progress, or another host's media in the drive (a PiKVM Switch port): 409
 * ResourceInUse (the latter with the reason as Resolution); the drive unreachable: 503.
 * Inserted is false (Health Warning) while the drive holds the image but the host does not
 * see it (connected false: another switch port is active).
 */
#include "rf_private.h"

#include "../media.h"

#define ACT_INSERT "VirtualMedia.InsertMedia"
#define ACT_EJECT "VirtualMedia.EjectMedia"

static const char *const protocols[] = { "HTTP", "HTTPS" };
static const char *const methods_ok[] = { "Upload" };

static bool on_system(const struct ctx *x)
{
	return x->rid == R_SYS_VMS || x->rid == R_SYS_VM || x->rid == R_SYS_VM_INSERT ||
	       x->rid == R_SYS_VM_EJECT || x->rid == R_SYS_VM_INFO;
}

/* The collection's URI: Managers/bmc/VirtualMedia or Systems/{id}/VirtualMedia. */
static void base(const struct ctx *x, char *out, size_t n)
{
	if (on_system(x))
		snprintf(out, n, SYS "/VirtualMedia", x->s->id);
	else
		snprintf(out, n, MGR "/VirtualMedia");
}

static bool present(struct ctx *x)
{
	if (x->s->msd)
		return true;
	rf_fail(x, 404, M_NOT_FOUND, "VirtualMedia", "Cd", NULL);
	return false;
}

/* 1: http, 2: https, 0: neither */
static int scheme(const char *url)
{
	return !strncmp(url, "http://", 7) ? 1 : !strncmp(url, "https://", 8) ? 2 : 0;
}

void rf_get_vms(struct ctx *x)
{
	if (!present(x))
		return;
	strcpy(x->arg, "Cd");
	rf_collection(x, "Virtual Media Collection", 1, rf_m_one, 140);
}

void rf_get_vm(struct ctx *x)
{
	if (!present(x))
		return;
	struct msd *m = x->s->msd;
	struct msd_status st;
	m->ops->status(m, &st);
	struct jw *w = &x->w;
	char b[120], t[200];
	base(x, b, sizeof(b));
	rf_hdr(x, on_system(x) ? R_SYS_VM : R_VM, "%s/Cd", b);
	jw_kstr(w, "Id", "Cd");
	jw_kstr(w, "Name", "Virtual CD");
	jw_kstr(w, "Description", "A CD-ROM drive the host sees, holding an image bmcd downloads");
	jw_key(w, "MediaTypes");
	jw_raw(w, "[\"CD\",\"DVD\"]");
	bool has = st.state == MSD_INSERTED || (st.state == MSD_BUSY && st.inserting);
	bool in = st.state == MSD_INSERTED && st.connected; /* not: a switch port not active */
	jw_kbool(w, "Inserted", in);
	if (has && st.url[0]) {
		jw_kstr(w, "Image", st.url);
		if (st.image[0])
			jw_kstr(w, "ImageName", st.image);
		else
			jw_knull(w, "ImageName");
	} else {
		jw_knull(w, "Image");
		jw_knull(w, "ImageName");
	}
	jw_kbool(w, "WriteProtected", true);
	jw_kstr(w, "ConnectedVia", in ? "URI" : "NotConnected");
	jw_kstr(w, "TransferMethod", "Upload");
	int s = has ? scheme(st.url) : 0;
	if (s)
		jw_kstr(w, "TransferProtocolType", protocols[s - 1]);
	else
		jw_knull(w, "TransferProtocolType");
	rf_str_array(w, "TransferProtocolType@Redfish.AllowableValues", protocols, 2);
	jw_kobj(w, "Status");
	jw_kstr(w, "State", st.online ? "Enabled" : "UnavailableOffline");
	jw_kstr(w, "Health", st.state == MSD_FAILED || !st.online || in != (st.state == MSD_INSERTED) ?
				     "Warning" : "OK");
	jw_obj_end(w);
	jw_kobj(w, "Actions");
	jw_kobj(w, "#" ACT_INSERT);
	snprintf(t, sizeof(t), "%s/Cd/Actions/" ACT_INSERT, b);
	jw_kstr(w, "target", t);
	snprintf(t, sizeof(t), "%s/Cd/InsertMediaActionInfo", b);
	jw_kstr(w, "@Redfish.ActionInfo", t);
	jw_obj_end(w);
	jw_kobj(w, "#" ACT_EJECT);
	snprintf(t, sizeof(t), "%s/Cd/Actions/" ACT_EJECT, b);
	jw_kstr(w, "target", t);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void param(struct jw *w, const char *name, bool req, const char *type,
		  const char *const *vals, size_t n)
{
	jw_obj(w);
	jw_kstr(w, "Name", name);
	jw_kbool(w, "Required", req);
	jw_kstr(w, "DataType", type);
	if (vals)
		rf_str_array(w, "AllowableValues", vals, n);
	jw_obj_end(w);
}

void rf_get_vm_info(struct ctx *x)
{
	if (!present(x))
		return;
	static const char *const yes[] = { "true" };
	struct jw *w = &x->w;
	rf_hdr(x, x->rid, "%s", x->path);
	jw_kstr(w, "Id", "InsertMediaActionInfo");
	jw_kstr(w, "Name", "InsertMedia Action Info");
	jw_karr(w, "Parameters");
	param(w, "Image", true, "String", NULL, 0);
	param(w, "Inserted", false, "Boolean", yes, 1);
	param(w, "WriteProtected", false, "Boolean", yes, 1);
	param(w, "TransferProtocolType", false, "String", protocols, 2);
	param(w, "TransferMethod", false, "String", methods_ok, 1);
	jw_arr_end(w);
	jw_obj_end(w);
}

static bool unavailable(struct ctx *x, const struct msd_status *st)
{
	if (st->online)
		return false;
	rf_fail(x, 503, M_UNAVAILABLE, "10", NULL, NULL);
	x->p.retry_after = 10;
	return true;
}

/* Another system that shares this one's physical drive and holds media in it (or is
 * downloading into it): its index, or -1. Its own drive's view is current (it made the
 * change), where this system's may be a poll behind. */
static int holder(const struct ctx *x, struct msd_status *st)
{
	const struct redfish *r = x->r;
	for (unsigned i = 0; x->s->shared_drive && i < r->nsys; i++) {
		const struct rf_system *o = &r->sys[i];
		if (i == x->si || o->shared_drive != x->s->shared_drive || !o->msd)
			continue;
		o->msd->ops->status(o->msd, st);
		if (st->state == MSD_INSERTED || (st->state == MSD_BUSY && st->inserting))
			return (int)i;
	}
	return -1;
}

void rf_post_vm_insert(struct ctx *x)
{
	if (!present(x))
		return;
	static const char act[] = ACT_INSERT;
	struct json_tok t[TOKENS];
	int n = rf_body_json(x, t);
	if (n < 0)
		return;
	struct elist e = { 0 };
	char url[MSD_URL_MAX + 2] = "";
	int image = 0, proto = -1;
	bool toolong = false;
	for (int k = n ? json_first(t, 0) : -1; k >= 0; k = json_next(t, k)) {
		const char *body = x->rq->body;
		int v = k + 1;
		char key[16];
		if (json_str(body, t, k, key, sizeof(key)) && !strncmp(key, "@odata.", 7))
			continue;
		if (json_str_eq(body, t, k, "Image")) {
			image = v;
			if (t[v].type != JSON_STRING)
				rf_add(&e, M_ACT_TYPE, rf_tok_text(&e, x, t, v), "Image", act);
			else if (json_str(body, t, v, url, sizeof(url)) ?
					 strlen(url) > x->r->cfg.media_url_max :
					 t[v].len > x->r->cfg.media_url_max)
				url[0] = 0, toolong = true;
			else if (!url[0])
				rf_add(&e, M_ACT_FORMAT, rf_tok_text(&e, x, t, v), "Image", act);
		} else if (json_str_eq(body, t, k, "Inserted") ||
			   json_str_eq(body, t, k, "WriteProtected")) {
			const char *name = rf_tok_text(&e, x, t, k);
			if (t[v].type == JSON_FALSE)
				rf_add(&e, M_ACT_NOT_SUPPORTED, name, act, NULL);
			else if (t[v].type != JSON_TRUE)
				rf_add(&e, M_ACT_TYPE, rf_tok_text(&e, x, t, v), name, act);
		} else if (json_str_eq(body, t, k, "TransferProtocolType")) {
			proto = rf_lookup(x, t, v, protocols, 2);
			if (proto < 0)
				rf_add(&e, proto == -2 ? M_ACT_TYPE : M_ACT_NOT_IN_LIST,
				       rf_tok_text(&e, x, t, v), "TransferProtocolType", act);
			else
				proto = k;
		} else if (json_str_eq(body, t, k, "TransferMethod")) {
			int i = rf_lookup(x, t, v, methods_ok, 1);
			if (i < 0)
				rf_add(&e, i == -2 ? M_ACT_TYPE : M_ACT_NOT_IN_LIST,
				       rf_tok_text(&e, x, t, v), "TransferMethod", act);
		} else if (json_str_eq(body, t, k, "UserName") ||
			   json_str_eq(body, t, k, "Password")) {
			rf_add(&e, M_ACT_NOT_SUPPORTED, rf_tok_text(&e, x, t, k), act, NULL);
		} else {
			rf_add(&e, M_ACT_UNKNOWN, act, rf_tok_text(&e, x, t, k), NULL);
		}
	}
	char lim[12];
	snprintf(lim, sizeof(lim), "%u", (unsigned)x->r->cfg.media_url_max);
	if (!image)
		rf_add(&e, M_ACT_MISSING, act, "Image", NULL);
	else if (toolong)
		rf_add(&e, M_TOO_LONG, rf_tok_text(&e, x, t, image), lim, NULL);
	else if (url[0] && !scheme(url))
		rf_add(&e, M_ACT_FORMAT, rf_tok_text(&e, x, t, image), "Image", act);
	else if (url[0] && proto >= 0 && !json_str_eq(x->rq->body, t, proto + 1,
						      protocols[scheme(url) - 1]))
		rf_add(&e, M_ACT_CONFLICT, "TransferProtocolType", rf_tok_text(&e, x, t, proto + 1),
		       NULL);
	if (e.n) {
		rf_fail_list(x, 400, &e);
		return;
	}
	struct msd *m = x->s->msd;
	struct msd_status st;
	int k = holder(x, &st);
	if (k >= 0) {
		static char why[200]; /* one request at a time: lives until the reply is built */
		snprintf(why, sizeof(why), "The drive this host shares holds %.96s for system %.31s; "
			 "eject it there first.", st.image[0] ? st.image : st.url, x->r->sys[k].id);
		x->p.resolution = why;
		rf_fail(x, 409, M_IN_USE, NULL, NULL, NULL);
		return;
	}
	m->ops->status(m, &st);
	if (unavailable(x, &st))
		return;
	if (st.state == MSD_BUSY) {
		rf_fail(x, 409, M_IN_USE, NULL, NULL, NULL);
		return;
	}
	char err[160];
	int rc = m->ops->insert(m, url, true, false, x->r->now, err, sizeof(err));
	x->media = true;
	if (rc < 0) {
		m->ops->status(m, &st);
		if (unavailable(x, &st))
			return;
		static char why[200]; /* one request at a time: lives until the reply is built */
		snprintf(why, sizeof(why), "%s", err);
		if (st.state == MSD_BUSY || rc == MSD_IN_USE) { /* another host's media: its reason */
			x->p.resolution = rc == MSD_IN_USE ? why : NULL;
			rf_fail(x, 409, M_IN_USE, NULL, NULL, NULL);
			return;
		}
		rf_add(&e, M_ACT_FORMAT, rf_tok_text(&e, x, t, image), "Image", act);
		x->p.resolution = why;
		rf_fail_list(x, 400, &e);
		return;
	}
	m->ops->status(m, &st);
	rf_log(x->r, 5, "redfish: virtual media %s %s by %s", rc ? "already holds" : "inserting",
	       st.url, x->uname);
	struct rf_media *md = &x->r->media[x->si];
	snprintf(md->insert_user, sizeof(md->insert_user), "%s", x->uname ? x->uname : "");
	struct rf_task *task = rc ? NULL : rf_task_new(x, st.image[0] ? st.image : st.url);
	if (!task) {
		x->p.status = 204;
		return;
	}
	md->task = task->id;
	rf_task_accepted(x, task);
}

bool rf_media_has_boot_image(const struct ctx *x)
{
	struct msd *m = x->s->msd;
	if (!m)
		return true; /* no virtual media: a Cd target means a real drive */
	struct msd_status st;
	m->ops->status(m, &st);
	return st.state == MSD_INSERTED || (st.state == MSD_BUSY && st.inserting);
}

void rf_post_vm_eject(struct ctx *x)
{
	if (!present(x))
		return;
	struct json_tok t[TOKENS];
	if (rf_action_body(x, t, ACT_EJECT, NULL) < 0)
		return;
	struct msd *m = x->s->msd;
	struct msd_status st;
	char err[160];
	m->ops->status(m, &st);
	x->media = true;
	if (unavailable(x, &st) || (m->ops->eject(m, x->r->now, err, sizeof(err)) < 0 &&
				    (rf_fail(x, 503, M_UNAVAILABLE, "10", NULL, NULL), true)))
		return;
	if (st.state != MSD_EMPTY) {
		struct rf_media *md = &x->r->media[x->si];
		snprintf(md->eject_user, sizeof(md->eject_user), "%s", x->uname ? x->uname : "");
		md->eject_asked = true;
		rf_log(x->r, 5, "redfish: virtual media ejected by %s", x->uname);
	}
	x->p.status = 204;
}
