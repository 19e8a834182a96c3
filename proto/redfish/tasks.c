/*
 * TaskService: long work the client can watch. Today that is one kind of work, a
 * virtual-media insertion that has to download its image (media.c): InsertMedia answers
 * 202 Accepted with a Location naming the task's monitor and the Task in the body.
 *
 * - /redfish/v1/TaskService, .../Tasks (the collection), .../Tasks/{n} (the Task: TaskState,
 *   TaskStatus, PercentComplete from the drive's written/size, StartTime, EndTime,
 *   Messages from the TaskEvent registry plus bmcd's own words on the outcome).
 * - .../TaskMonitors/{n}: while the task runs, 202 with the Task and Retry-After; then the
 *   outcome of the operation itself: 204 when the image is in the drive, or the error
 *   (400 GeneralError, the reason in Resolution) when it failed or was ejected first.
 * - The pool holds cfg.max_tasks tasks; a new task takes a free slot or the oldest
 *   finished one. Only one insertion runs at a time (the drive is one), so the pool never
 *   holds more than one running task and a new task always finds a slot.
 * - The drive's state reaches the task through redfish_media_update() (the wiring calls it
 *   whenever the drive's status changes), which also writes the event log record.
 */
#include "rf_private.h"

#include "../media.h"

enum { TASK_RUNNING = 1, TASK_COMPLETED, TASK_EXCEPTION, TASK_CANCELLED };

static const char *const task_states[] = { "New", "Running", "Completed", "Exception",
					   "Cancelled" };

#define TASKEVENT "TaskEvent.1.0."

static void cut(char *d, size_t cap, const char *s)
{
	size_t n = strnlen(s, cap - 1);
	memcpy(d, s, n);
	d[n] = 0;
}

static struct rf_task *find(struct redfish *r, uint32_t id)
{
	for (unsigned i = 0; id && i < r->cfg.max_tasks; i++)
		if (r->tasks[i].id == id)
			return &r->tasks[i];
	return NULL;
}

struct rf_task *rf_task_new(struct ctx *x, const char *image)
{
	struct redfish *r = x->r;
	struct rf_task *t = NULL;
	for (unsigned i = 0; i < r->cfg.max_tasks; i++) {
		struct rf_task *c = &r->tasks[i];
		if (!c->id) {
			t = c;
			break;
		}
		if (c->state != TASK_RUNNING && (!t || c->id < t->id))
			t = c;
	}
	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	if (++r->next_task_id == 0)
		r->next_task_id = 1;
	t->id = r->next_task_id;
	t->state = TASK_RUNNING;
	t->sys = (uint8_t)x->si;
	t->start = host_time(r->host);
	snprintf(t->user, sizeof(t->user), "%s", x->uname ? x->uname : "");
	cut(t->target, sizeof(t->target), x->path);
	cut(t->image, sizeof(t->image), image);
	return t;
}

/* The running task's progress, from the drive. */
static unsigned percent(struct redfish *r, struct rf_task *t)
{
	struct msd *d = r->sys[t->sys].msd;
	if (t->state != TASK_RUNNING || r->media[t->sys].task != t->id || !d)
		return t->percent;
	struct msd_status st;
	d->ops->status(d, &st);
	if (st.state == MSD_BUSY && st.inserting && st.size) {
		uint64_t w = st.written < st.size ? st.written : st.size;
		unsigned p = (unsigned)(w * 100 / st.size);
		t->percent = (uint8_t)(p > 99 ? 99 : p); /* 100 only once the drive holds it */
	}
	return t->percent;
}

static void message(struct jw *w, const char *id, const char *text, const char *severity,
		    const char *a1, const char *a2)
{
	jw_obj(w);
	jw_kstr(w, "MessageId", id);
	jw_kstr(w, "Message", text);
	jw_karr(w, "MessageArgs");
	if (a1)
		jw_str(w, a1);
	if (a2)
		jw_str(w, a2);
	jw_arr_end(w);
	jw_kstr(w, "MessageSeverity", severity);
	jw_obj_end(w);
}

static void task_json(struct ctx *x, struct rf_task *t)
{
	struct jw *w = &x->w;
	char id[12], s[320], ts[40];
	snprintf(id, sizeof(id), "%u", (unsigned)t->id);
	rf_hdr(x, R_TASK, TASKS "/%s", id);
	jw_kstr(w, "Id", id);
	jw_kstr(w, "Name", "Insert virtual media");
	snprintf(s, sizeof(s), "Download %s into the virtual CD drive (asked by %s)", t->image,
		 t->user[0] ? t->user : "-");
	jw_kstr(w, "Description", s);
	jw_kstr(w, "TaskState", task_states[t->state]);
	jw_kstr(w, "TaskStatus", t->state == TASK_EXCEPTION ? "Critical"
				 : t->state == TASK_CANCELLED ? "Warning" : "OK");
	unsigned pct = percent(x->r, t);
	jw_kint(w, "PercentComplete", t->state == TASK_COMPLETED ? 100 : pct);
	rf_iso_time(t->start, ts);
	jw_kstr(w, "StartTime", ts);
	if (t->end) {
		rf_iso_time(t->end, ts);
		jw_kstr(w, "EndTime", ts);
	}
	snprintf(s, sizeof(s), TASK_MONITORS "/%s", id);
	jw_kstr(w, "TaskMonitor", s);
	jw_kobj(w, "Payload");
	jw_kstr(w, "TargetUri", t->target);
	jw_kstr(w, "HttpOperation", "POST");
	jw_obj_end(w);
	jw_karr(w, "Messages");
	snprintf(s, sizeof(s), "The task with Id '%s' has started.", id);
	message(w, TASKEVENT "TaskStarted", s, "OK", id, NULL);
	if (t->state == TASK_RUNNING && pct) {
		char p[8];
		snprintf(p, sizeof(p), "%u", pct);
		snprintf(s, sizeof(s), "The task with Id '%s' has changed to progress %s percent "
			 "complete.", id, p);
		message(w, TASKEVENT "TaskProgressChanged", s, "OK", id, p);
	} else if (t->state == TASK_COMPLETED) {
		snprintf(s, sizeof(s), "The task with Id '%s' has completed.", id);
		message(w, TASKEVENT "TaskCompletedOK", s, "OK", id, NULL);
		snprintf(s, sizeof(s), "%s is in the virtual CD drive.", t->image);
		message(w, "Bmcd.1.0.MediaInserted", s, "OK", s, NULL);
	} else if (t->state == TASK_EXCEPTION) {
		snprintf(s, sizeof(s), "The task with Id '%s' has completed with errors.", id);
		message(w, TASKEVENT "TaskAborted", s, "Critical", id, NULL);
		snprintf(s, sizeof(s), "%s could not be inserted: %s", t->image, t->error);
		message(w, "Bmcd.1.0.MediaInsertFailed", s, "Warning", s, NULL);
	} else if (t->state == TASK_CANCELLED) {
		snprintf(s, sizeof(s), "Work on the task with Id '%s' was halted prior to completion "
			 "due to an explicit request.", id);
		message(w, TASKEVENT "TaskCancelled", s, "Warning", id, NULL);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* 202 Accepted for an operation now running as task t. */
void rf_task_accepted(struct ctx *x, const struct rf_task *t)
{
	x->b.len = 0;
	jw_init(&x->w, &x->b);
	task_json(x, (struct rf_task *)t);
	x->p.status = 202;
	snprintf(x->p.location, sizeof(x->p.location), TASK_MONITORS "/%u", (unsigned)t->id);
	x->p.retry_after = 1;
}

void rf_get_tasksvc(struct ctx *x)
{
	struct jw *w = &x->w;
	char ts[40];
	rf_hdr(x, R_TASKSVC, V1 "/TaskService");
	jw_kstr(w, "Id", "TaskService");
	jw_kstr(w, "Name", "Task Service");
	jw_kbool(w, "ServiceEnabled", true);
	jw_kstr(w, "CompletedTaskOverWritePolicy", "Oldest");
	jw_kbool(w, "LifeCycleEventOnTaskStateChange", false);
	rf_iso_time(host_time(x->r->host), ts);
	jw_kstr(w, "DateTime", ts);
	rf_status_obj(w, true);
	jw_link(w, "Tasks", TASKS);
	jw_obj_end(w);
}

static uint16_t order[RF_TASKS_HARD_MAX]; /* one request at a time */

static void m_task(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, TASKS "/%u", (unsigned)x->r->tasks[order[i]].id);
}

void rf_get_tasks(struct ctx *x)
{
	struct redfish *r = x->r;
	unsigned n = 0;
	for (unsigned i = 0; i < r->cfg.max_tasks; i++) {
		if (!r->tasks[i].id || !rf_system_visible(x, r->tasks[i].sys))
			continue; /* a host the user may not use: its tasks are not there either */
		unsigned k = n++;
		while (k && r->tasks[order[k - 1]].id > r->tasks[i].id) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = (uint16_t)i;
	}
	rf_collection(x, "Task Collection", n, m_task, 80);
}

static struct rf_task *lookup(struct ctx *x, const char *what)
{
	uint32_t id;
	struct rf_task *t = NULL;
	if (rf_id_u32(x->arg, strlen(x->arg), &id))
		t = find(x->r, id);
	if (t && !rf_system_visible(x, t->sys))
		t = NULL;
	if (!t)
		rf_fail(x, 404, M_NOT_FOUND, what, x->arg, NULL);
	return t;
}

void rf_get_task(struct ctx *x)
{
	struct rf_task *t = lookup(x, "Task");
	if (t)
		task_json(x, t);
}

void rf_get_task_monitor(struct ctx *x)
{
	struct rf_task *t = lookup(x, "TaskMonitor");
	if (!t)
		return;
	if (t->state == TASK_RUNNING) {
		rf_task_accepted(x, t);
		return;
	}
	if (t->state == TASK_COMPLETED) {
		x->p.status = 204;
		return;
	}
	static char why[320]; /* one request at a time: lives until the reply is built */
	if (t->state == TASK_CANCELLED)
		snprintf(why, sizeof(why), "The media was ejected before %s was inserted.", t->image);
	else
		snprintf(why, sizeof(why), "%s could not be inserted: %s", t->image, t->error);
	x->p.resolution = why;
	rf_fail(x, 400, M_GENERAL, NULL, NULL, NULL);
}

/* --- the drive's changes --------------------------------------------------------------- */

void rf_media_init(struct redfish *r)
{
	memset(r->media, 0, sizeof(r->media));
	for (unsigned i = 0; i < r->nsys; i++) {
		struct msd *d = r->sys[i].msd;
		struct msd_status st;
		if (!d)
			continue;
		d->ops->status(d, &st);
		r->media[i].seq = st.seq;
		r->media[i].state = (uint8_t)st.state;
	}
}

/* One event log record about the drive: who (user, or "" for a change bmcd did not make),
 * what (the image). */
static void record(struct host *h, uint8_t text, const char *user, const char *what,
		   int64_t now)
{
	/* OEM timestamped record (type 0xC0): manufacturer ID 0 (none registered), then the
	 * kind of change (an enum sel_text) */
	uint8_t rec[SEL_REC_LEN] = { 0 };
	rec[2] = 0xC0;
	rec[10] = text;
	uint16_t id = host_sel_add(h, rec, user && user[0] ? ORIGIN_REDFISH : ORIGIN_HOST,
				   text, user && user[0] ? user : NULL, now);
	sel_set_what(host_sel(h, now), id, what);
}

/* The words of the change for SSE: a then b, cut to fit. */
static void announce(struct rf_media *m, uint8_t kind, const char *a, const char *b)
{
	struct buf o;
	m->event = kind;
	buf_init(&o, m->text, sizeof(m->text) - 1);
	buf_str(&o, a);
	buf_str(&o, b);
	m->text[o.len] = 0;
}

static void announce_more(struct rf_media *m, const char *c)
{
	size_t n = strlen(m->text);
	cut(m->text + n, sizeof(m->text) - n, c);
}

bool redfish_media_update(struct redfish *r, unsigned sys, int64_t now)
{
	if (sys >= r->nsys || !r->sys[sys].msd)
		return false;
	struct msd *d = r->sys[sys].msd;
	struct host *h = r->sys[sys].host;
	struct rf_media *m = &r->media[sys];
	struct msd_status st;
	d->ops->status(d, &st);
	if (st.seq == m->seq)
		return false;
	uint8_t prev = m->state;
	m->seq = st.seq;
	m->state = (uint8_t)st.state;
	struct rf_task *t = find(r, m->task);
	const char *image = st.image[0] ? st.image : st.url;
	bool event = false;
	if (st.state == MSD_INSERTED && prev != MSD_INSERTED) {
		if (t) {
			t->state = TASK_COMPLETED;
			t->percent = 100;
			t->end = host_time(r->host);
			cut(t->image, sizeof(t->image), image);
		}
		record(h, SELT_MEDIA_INSERTED, m->insert_user, image, now);
		rf_log(r, 5, "redfish: virtual media %s inserted (asked by %s)", image,
		       m->insert_user[0] ? m->insert_user : "-");
		announce(m, SELT_MEDIA_INSERTED, image, " is in the virtual CD drive.");
		event = true;
		m->task = 0;
	} else if (st.state == MSD_FAILED && prev != MSD_FAILED) {
		if (t) {
			t->state = TASK_EXCEPTION;
			t->end = host_time(r->host);
			cut(t->error, sizeof(t->error), st.error);
		}
		record(h, SELT_MEDIA_FAILED, t ? m->insert_user : m->eject_user, image, now);
		rf_log(r, 4, "redfish: virtual media %s failed: %s", image, st.error);
		announce(m, SELT_MEDIA_FAILED, image, " could not be inserted: ");
		announce_more(m, st.error);
		event = true;
		m->task = 0;
		m->eject_asked = false;
	} else if (st.state == MSD_EMPTY && prev != MSD_EMPTY) {
		if (t) {
			t->state = TASK_CANCELLED;
			t->end = host_time(r->host);
			m->task = 0;
		}
		const char *who = m->eject_asked ? m->eject_user : "";
		record(h, SELT_MEDIA_EJECTED, who, "", now);
		rf_log(r, 5, "redfish: virtual media ejected (%s%s)", who[0] ? "asked by " : "",
		       who[0] ? who : "not through bmcd");
		announce(m, SELT_MEDIA_EJECTED, "The virtual CD drive is empty.", "");
		event = true;
		m->eject_asked = false;
	}
	return event;
}
