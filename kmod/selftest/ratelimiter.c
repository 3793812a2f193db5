// SPDX-License-Identifier: GPL-2.0
/*
 * The ratelimiter's buckets, sources and memory bound, run at module load
 * in DEBUG builds on a small table with made-up clock readings.  Included
 * by ratelimiter.c.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>

struct ratelimiter_test {
	struct ptun_ratelimiter rl;
	const char *name;
	unsigned int step;
	u64 t0;
	bool ok;
};

static void ratelimiter_check(struct ratelimiter_test *t, bool got, bool want)
{
	t->step++;
	if (got == want)
		return;
	pr_err("ratelimiter self-test '%s', step %u: %s, expected %s\n",
	       t->name, t->step, got ? "true" : "false", want ? "true" : "false");
	t->ok = false;
}

/* @n handshakes from @source at @ms after t0: @allowed of them pass. */
static void ratelimiter_expect(struct ratelimiter_test *t, u64 source,
			       bool ipv6, u64 ms, unsigned int n,
			       unsigned int allowed)
{
	unsigned int i, passed = 0;

	for (i = 0; i < n; i++)
		passed += ratelimiter_allow_source(&t->rl, source, ipv6,
						   t->t0 + ms * NSEC_PER_MSEC);
	ratelimiter_check(t, passed == allowed, true);
	if (passed != allowed)
		pr_err("ratelimiter self-test '%s': %u of %u passed, expected %u\n",
		       t->name, passed, n, allowed);
}

static void ratelimiter_entries(struct ratelimiter_test *t, unsigned int n)
{
	ratelimiter_check(t, t->rl.entries == n, true);
	if (t->rl.entries != n)
		pr_err("ratelimiter self-test '%s': %u entries, expected %u\n",
		       t->name, t->rl.entries, n);
}

#define B PTUN_RATELIMITER_BURST
#define STEP_MS (MSEC_PER_SEC / PTUN_RATELIMITER_PACKETS_PER_SECOND)

static void ratelimiter_test_bucket(struct ratelimiter_test *t)
{
	t->name = "one source: burst, refill, cap";
	ratelimiter_expect(t, 1, false, 0, B + 3, B);
	/* One cost later, exactly one more; then none. */
	ratelimiter_expect(t, 1, false, STEP_MS, 2, 1);
	ratelimiter_expect(t, 1, false, STEP_MS + STEP_MS / 2, 1, 0);
	ratelimiter_expect(t, 1, false, 2 * STEP_MS, 1, 1);
	/* A long pause earns no more than a burst. */
	ratelimiter_expect(t, 1, false, 60 * MSEC_PER_SEC, 3 * B, B);
	/* A clock that steps back earns nothing and breaks nothing. */
	ratelimiter_expect(t, 1, false, 59 * MSEC_PER_SEC, 2, 0);
	ratelimiter_expect(t, 1, false, 60 * MSEC_PER_SEC + STEP_MS, 2, 1);
	ratelimiter_entries(t, 1);
}

static void ratelimiter_test_sources(struct ratelimiter_test *t)
{
	struct in6_addr a = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 } };
	struct in6_addr b = a, c = a;
	u64 pa, pb, pc;

	t->name = "sources: v4 apart, v6 by /64, families apart";
	ratelimiter_expect(t, 2, false, 0, B, B);
	ratelimiter_expect(t, 3, false, 0, B + 1, B);
	ratelimiter_expect(t, 2, false, 0, 1, 0);

	b.s6_addr[15] = 0x42;		/* same /64 */
	c.s6_addr[7] = 2;		/* the next /64 */
	memcpy(&pa, &a, sizeof(pa));
	memcpy(&pb, &b, sizeof(pb));
	memcpy(&pc, &c, sizeof(pc));
	ratelimiter_check(t, pa == pb && pa != pc, true);
	ratelimiter_expect(t, pa, true, 0, B - 2, B - 2);
	ratelimiter_expect(t, pb, true, 0, 3, 2);
	ratelimiter_expect(t, pc, true, 0, B, B);
	/* The same 64 bits as an IPv4 source are another source. */
	ratelimiter_expect(t, pa, false, 0, B, B);
	ratelimiter_entries(t, 6);
}

static void ratelimiter_test_bound_and_gc(struct ratelimiter_test *t)
{
	unsigned int i, max = t->rl.max_entries;

	t->name = "memory: bounded, collected when idle";
	ratelimiter_gc(&t->rl, 0, true);
	ratelimiter_entries(t, 0);
	for (i = 0; i < max; i++)
		ratelimiter_expect(t, 1000 + i, false, 0, 1, 1);
	ratelimiter_entries(t, max);
	/* A newcomer finds no room; known sources still pass. */
	ratelimiter_expect(t, 999, false, 0, 1, 0);
	ratelimiter_expect(t, 1000, false, 0, 1, 1);
	ratelimiter_entries(t, max);

	/* Half of them stay busy; the collector takes the idle half only. */
	for (i = 0; i < max; i += 2)
		ratelimiter_expect(t, 1000 + i, false, 900, 1, 1);
	ratelimiter_gc(&t->rl, t->t0 + 1500 * NSEC_PER_MSEC, false);
	ratelimiter_entries(t, max / 2);
	ratelimiter_expect(t, 999, false, 1500, 1, 1);
	ratelimiter_check(t, ratelimiter_gc(&t->rl, t->t0 + 10ULL * NSEC_PER_SEC,
					    false) == 0, true);
	ratelimiter_entries(t, 0);
}

#undef B
#undef STEP_MS

bool ptun_ratelimiter_selftest(void)
{
	struct ratelimiter_test *t = kzalloc(sizeof(*t), GFP_KERNEL);
	bool ok = false;

	if (!t)
		goto out;
	/* Far ahead of the real clock: the real collector keeps its hands off. */
	t->t0 = ktime_get_coarse_boottime_ns() + 1000ULL * NSEC_PER_SEC;
	t->ok = true;
	if (ratelimiter_init_sized(&t->rl, 16, 64))
		goto out;
	ratelimiter_test_bucket(t);
	ratelimiter_test_sources(t);
	ratelimiter_test_bound_and_gc(t);
	ptun_ratelimiter_uninit(&t->rl);
	ok = t->ok;
out:
	kfree(t);
	pr_info("ratelimiter self-tests: %s\n", ok ? "pass" : "FAIL");
	return ok;
}
