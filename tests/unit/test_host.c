/* The host model against the simulated ATX board, in simulated time. */
#include "../../firmware/host_model.h"
#include "../../firmware/log.h"
#include "testlib.h"

#include <fcntl.h>
#include <unistd.h>

static struct sel_entry selbuf[64];
static int64_t t;

static struct atx *sim(bool on)
{
	struct atx_sim_cfg sc = { .force_off_ms = 200, .shutdown_ms = 300, .boot_ms = 50,
				  .power_on = on };
	return atx_sim_new(&sc, 0);
}

static void setup(struct host *h, bool on, uint8_t policy, uint32_t queue)
{
	struct host_cfg hc = { .short_press_ms = 50, .long_press_ms = 300, .busy_ms = 100,
			       .power_cycle_off_ms = 200, .graceful_timeout_ms = 2000,
			       .policy = policy, .sel_entries = 64 };
	(void)queue;
	t = 0;
	host_init(h, &hc, sim(on), selbuf, t);
}

/* Runs the model in 10 ms steps for ms milliseconds. */
static void run(struct host *h, int64_t ms)
{
	int64_t end = t + ms;
	while (t < end) {
		t += 10;
		host_service(h, t);
	}
}

static struct atx_sim_stats stats(struct host *h)
{
	struct atx_sim_stats s;
	atx_sim_stats(h->atx, &s);
	return s;
}

static const struct host_who ipmi_admin = { ORIGIN_IPMI, 1, "admin" };

static void on_then_status(void)
{
	struct host h;
	struct host_status st;
	setup(&h, false, 0, 4);
	CHECK_EQ(host_request(&h, HOST_ON, &ipmi_admin, t), 0);
	host_get_status(&h, &st, t);
	CHECK(!st.on && st.transition == HOST_POWERING_ON && st.busy);
	run(&h, 500);
	host_get_status(&h, &st, t);
	CHECK(st.on && st.transition == HOST_STEADY && !st.busy);
	CHECK_EQ(st.restart_cause, 0x01);
	CHECK_EQ(st.last_event, 0x10);
	CHECK_EQ(stats(&h).power_ons, 1);
	/* SEL: the request (System Boot, OEM data = user 1, IPMI/on) then the LED (ACPI S0) */
	CHECK_EQ(h.sel.count, 2);
	const struct sel_entry *e = sel_at(&h.sel, 0);
	CHECK(e->rec[10] == 0x1D && e->rec[13] == 0xA0 && e->rec[14] == 1 && e->rec[15] == 0x10);
	CHECK(strcmp(e->user, "admin") == 0 && e->origin == ORIGIN_IPMI);
	e = sel_at(&h.sel, 1);
	CHECK(e->rec[10] == 0x22 && (e->rec[13] & 0x0F) == 0x00 && e->text == SELT_POWER_ON);
	/* on while on: nothing pressed, nothing logged */
	CHECK_EQ(host_request(&h, HOST_ON, &ipmi_admin, t), 0);
	run(&h, 300);
	CHECK_EQ(stats(&h).power_ons, 1);
	CHECK_EQ(h.sel.count, 2);
	h.atx->ops->destroy(h.atx);
}

static void off_then_on(void)
{
	/* PiKVM's daemon drops the second of two quick requests; bmcd queues it and decides
	 * it when it runs: ForceOff followed at once by On ends with the machine on */
	struct host h;
	struct host_status st;
	setup(&h, true, 0, 4);
	CHECK_EQ(host_request(&h, HOST_OFF, &ipmi_admin, t), 0);
	CHECK_EQ(host_request(&h, HOST_ON, &ipmi_admin, t), 0);
	host_get_status(&h, &st, t);
	CHECK(st.queued == 1 && st.transition == HOST_POWERING_OFF);
	run(&h, 1500);
	host_get_status(&h, &st, t);
	CHECK(st.on && !st.busy && st.queued == 0);
	CHECK_EQ(stats(&h).forced_offs, 1);
	CHECK_EQ(stats(&h).power_ons, 1);
	h.atx->ops->destroy(h.atx);
}

static void soft_reset_cycle(void)
{
	struct host h;
	struct host_status st;
	setup(&h, true, 0, 4);
	CHECK_EQ(host_request(&h, HOST_SOFT, &ipmi_admin, t), 0);
	run(&h, 200);
	host_get_status(&h, &st, t);
	CHECK(st.on && st.transition == HOST_POWERING_OFF); /* the OS is still shutting down */
	run(&h, 400);
	host_get_status(&h, &st, t);
	CHECK(!st.on && st.transition == HOST_STEADY);
	CHECK_EQ(stats(&h).graceful_offs, 1);
	/* reset while off: nothing */
	CHECK_EQ(host_request(&h, HOST_RESET, &ipmi_admin, t), 0);
	run(&h, 300);
	CHECK_EQ(stats(&h).resets, 0);
	/* cycle while off: just on */
	CHECK_EQ(host_request(&h, HOST_CYCLE, &ipmi_admin, t), 0);
	run(&h, 400);
	host_get_status(&h, &st, t);
	CHECK(st.on);
	/* reset while on: the board reboots, the LED stays on */
	CHECK_EQ(host_request(&h, HOST_RESET, &ipmi_admin, t), 0);
	run(&h, 300);
	CHECK_EQ(stats(&h).resets, 1);
	host_get_status(&h, &st, t);
	CHECK(st.on);
	/* cycle while on: forced off, pause, on */
	uint32_t ons = stats(&h).power_ons;
	CHECK_EQ(host_request(&h, HOST_CYCLE, &ipmi_admin, t), 0);
	run(&h, 450); /* forced off at 200 ms, hold-off until 400, then the pause before on */
	host_get_status(&h, &st, t);
	CHECK(!st.on && st.transition == HOST_POWERING_ON);
	run(&h, 700);
	host_get_status(&h, &st, t);
	CHECK(st.on && !st.busy);
	CHECK_EQ(stats(&h).power_ons, ons + 1);
	/* graceful restart: soft off, wait for the OS, on */
	CHECK_EQ(host_request(&h, HOST_SOFT_RESTART, &ipmi_admin, t), 0);
	run(&h, 1500);
	host_get_status(&h, &st, t);
	CHECK(st.on && !st.busy);
	CHECK_EQ(stats(&h).graceful_offs, 2);
	CHECK_EQ(stats(&h).power_ons, ons + 2);
	h.atx->ops->destroy(h.atx);
}

static void queue_and_boot(void)
{
	struct host h;
	/* requests are intents (issue 13): a burst is never refused, at most one waits, and
	 * the latest wins: on (running), then off/on many times, then off: ends off */
	static const struct host_who rf_oper = { ORIGIN_REDFISH, 2, "oper" };
	struct host_status st;
	setup(&h, false, 0, 2);
	CHECK_EQ(host_request(&h, HOST_ON, &ipmi_admin, t), 0); /* runs */
	for (int i = 0; i < 40; i++)
		CHECK_EQ(host_request(&h, i & 1 ? HOST_ON : HOST_CYCLE, &ipmi_admin, t), 0);
	host_get_status(&h, &st, t);
	CHECK(st.queued == 1 && st.busy);
	CHECK_EQ(host_request(&h, HOST_OFF, &rf_oper, t), 0);
	run(&h, 3000);
	host_get_status(&h, &st, t);
	CHECK(!st.on && !st.busy && st.queued == 0);
	CHECK_EQ(stats(&h).power_ons, 1);
	CHECK_EQ(stats(&h).forced_offs, 1);
	/* the forced off is recorded as oper's via Redfish, never "not requested" */
	const struct sel_entry *last = sel_at(&h.sel, (uint16_t)(h.sel.count - 1));
	CHECK(last->text == SELT_POWER_OFF && last->origin == ORIGIN_REDFISH &&
	      !strcmp(last->user, "oper"));
	/* satisfied with nothing running or waiting: succeeds at once, presses nothing */
	uint16_t n = h.sel.count;
	CHECK_EQ(host_request(&h, HOST_OFF, &ipmi_admin, t), 0);
	CHECK_EQ(host_request(&h, HOST_SOFT, &ipmi_admin, t), 0);
	host_get_status(&h, &st, t);
	CHECK(!st.busy && st.queued == 0 && h.sel.count == n);
	/* off, then on at once: ends on */
	CHECK_EQ(host_request(&h, HOST_ON, &ipmi_admin, t), 0);
	run(&h, 1000);
	CHECK_EQ(host_request(&h, HOST_OFF, &ipmi_admin, t), 0);
	CHECK_EQ(host_request(&h, HOST_ON, &ipmi_admin, t), 0);
	run(&h, 3000);
	host_get_status(&h, &st, t);
	CHECK(st.on && !st.busy);
	h.atx->ops->destroy(h.atx);

	/* a one-time boot override is consumed by the next power-on; a persistent one stays */
	setup(&h, false, 0, 4);
	struct boot_override b = { BOOT_ONCE, BOOT_PXE, true, { 0, 0, 0 } }, got;
	host_set_boot(&h, &b, &ipmi_admin, t);
	host_get_boot(&h, &got, t);
	CHECK(got.enabled == BOOT_ONCE && got.target == BOOT_PXE && got.uefi);
	host_request(&h, HOST_ON, &ipmi_admin, t);
	run(&h, 300);
	host_get_boot(&h, &got, t);
	CHECK(got.enabled == BOOT_DISABLED && got.target == BOOT_NONE);
	b.enabled = BOOT_CONTINUOUS;
	host_set_boot(&h, &b, &ipmi_admin, t);
	host_request(&h, HOST_RESET, &ipmi_admin, t);
	run(&h, 300);
	host_get_boot(&h, &got, t);
	CHECK(got.enabled == BOOT_CONTINUOUS && got.target == BOOT_PXE);
	/* disabling clears the target */
	b.enabled = BOOT_DISABLED;
	host_set_boot(&h, &b, &ipmi_admin, t);
	host_get_boot(&h, &got, t);
	CHECK(got.target == BOOT_NONE);
	h.atx->ops->destroy(h.atx);
}

static void policy_and_identify(void)
{
	struct host h;
	struct host_status st;
	setup(&h, false, POLICY_ALWAYS_ON, 4);
	host_apply_policy(&h);
	run(&h, 300);
	host_get_status(&h, &st, t);
	CHECK(st.on);
	CHECK_EQ(st.restart_cause, 0x06);
	CHECK_EQ(st.last_event, 0x00);
	host_identify(&h, 1, false, t);
	host_get_status(&h, &st, t);
	CHECK_EQ(st.identify, 1);
	run(&h, 1100);
	host_get_status(&h, &st, t);
	CHECK_EQ(st.identify, 0);
	host_identify(&h, 0, true, t);
	host_get_status(&h, &st, t);
	CHECK_EQ(st.identify, 2);
	host_identify(&h, 0, false, t);
	host_get_status(&h, &st, t);
	CHECK_EQ(st.identify, 0);
	h.atx->ops->destroy(h.atx);
	/* a physical button press (not through bmcd): restart cause "power button" */
	setup(&h, false, 0, 4);
	h.atx->ops->press(h.atx, ATX_POWER, true, 60, t);
	run(&h, 60);
	h.atx->ops->press(h.atx, ATX_POWER, false, 0, t);
	run(&h, 100);
	host_get_status(&h, &st, t);
	CHECK(st.on);
	CHECK_EQ(st.restart_cause, 0x03);
	CHECK_EQ(sel_at(&h.sel, 0)->origin, ORIGIN_HOST);
	h.atx->ops->destroy(h.atx);
}

static void interrupt_wait(void)
{
	/* a graceful restart waiting for a slow OS gives way to a ForceOff */
	struct host h;
	struct host_status st;
	struct host_cfg hc = { .short_press_ms = 50, .long_press_ms = 300, .busy_ms = 100,
			       .power_cycle_off_ms = 200, .graceful_timeout_ms = 60000,
			       .sel_entries = 64 };
	struct atx_sim_cfg sc = { .force_off_ms = 200, .shutdown_ms = 30000, .boot_ms = 50,
				  .power_on = true };
	t = 0;
	host_init(&h, &hc, atx_sim_new(&sc, 0), selbuf, 0);
	host_request(&h, HOST_SOFT_RESTART, &ipmi_admin, t);
	run(&h, 500);
	host_get_status(&h, &st, t);
	CHECK(st.on && st.busy);
	host_request(&h, HOST_OFF, &ipmi_admin, t);
	run(&h, 800);
	host_get_status(&h, &st, t);
	CHECK(!st.on && !st.busy && st.queued == 0);
	h.atx->ops->destroy(h.atx);
}

static const char *boot_cd(void *ctx) { return ctx; }

/* With a CD inserted (atx_sim_cfg.boot_cd), the simulated host says it boots from it. */
static void boots_from_cd(void)
{
	struct atx_sim_cfg sc = { .force_off_ms = 200, .shutdown_ms = 300, .boot_ms = 50,
				  .console = true, .boot_cd = boot_cd, .boot_ctx = "debian.iso" };
	struct atx *a = atx_sim_new(&sc, 0);
	CHECK(a && atx_sim_console(a));
	if (!a || !atx_sim_console(a))
		return;
	int fd = open(atx_sim_console(a), O_RDWR | O_NOCTTY | O_NONBLOCK);
	CHECK(fd >= 0);
	a->ops->press(a, ATX_POWER, true, 100, 0);
	a->ops->press(a, ATX_POWER, false, 100, 100);
	for (int64_t now = 100; now <= 300; now += 10)
		a->ops->service(a, now, 0);
	char buf[1024];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = 0;
	CHECK(strstr(buf, "Booting from CD: debian.iso") != NULL);
	if (fd >= 0)
		close(fd);
	a->ops->destroy(a);
}

static bool inserting;
static bool hold(void *ctx)
{
	(void)ctx;
	return inserting;
}

/* A power-on or reset asked while a virtual-media insertion downloads waits for it (at
 * most hold_ms); power-offs do not wait; the override the host booted with is kept. */
static void waits_for_media(void)
{
	struct host h;
	struct host_status st;
	struct host_cfg hc = { .short_press_ms = 50, .long_press_ms = 300, .busy_ms = 100,
			       .power_cycle_off_ms = 200, .graceful_timeout_ms = 2000,
			       .sel_entries = 64, .hold = hold, .hold_ms = 5000 };
	t = 0;
	host_init(&h, &hc, sim(false), selbuf, t);
	struct boot_override cd = { BOOT_ONCE, BOOT_CD, false, { 0 } };
	host_set_boot(&h, &cd, &ipmi_admin, t);
	inserting = true;
	CHECK_EQ(host_request(&h, HOST_ON, &ipmi_admin, t), 0);
	run(&h, 1000);
	host_get_status(&h, &st, t);
	CHECK(!st.on && st.queued && !st.busy);
	CHECK_EQ(stats(&h).power_ons, 0);
	CHECK_EQ(host_deadline(&h), 5000); /* held from the request at 0 */
	inserting = false; /* the drive holds the image: the wiring services the host */
	host_service(&h, t);
	run(&h, 500);
	host_get_status(&h, &st, t);
	CHECK(st.on && !st.queued);
	CHECK_EQ(stats(&h).power_ons, 1);
	CHECK(h.boot_used.target == BOOT_CD && h.boot_used.enabled == BOOT_ONCE);
	CHECK_EQ(h.boot.enabled, BOOT_DISABLED); /* consumed */
	/* an off does not wait; a reset does, and goes ahead after hold_ms */
	inserting = true;
	CHECK_EQ(host_request(&h, HOST_RESET, &ipmi_admin, t), 0);
	run(&h, 4000);
	host_get_status(&h, &st, t);
	CHECK(st.queued && !st.busy);
	run(&h, 1500);
	host_get_status(&h, &st, t);
	CHECK(!st.queued);
	CHECK(h.boot_used.enabled == BOOT_DISABLED);
	run(&h, 500);
	CHECK_EQ(host_request(&h, HOST_OFF, &ipmi_admin, t), 0);
	run(&h, 1000);
	host_get_status(&h, &st, t);
	CHECK(!st.on && !st.queued);
	inserting = false;
	h.atx->ops->destroy(h.atx);
}

int main(void)
{
	log_level = 3; /* quiet */
	on_then_status();
	off_then_on();
	soft_reset_cycle();
	queue_and_boot();
	policy_and_identify();
	interrupt_wait();
	boots_from_cd();
	waits_for_media();
	return t_done("test_host");
}
