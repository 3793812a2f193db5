// SPDX-License-Identifier: GPL-2.0
/*
 * The replay window's edge cases, run at module load in DEBUG builds.
 * Included by replay.c.
 */

#include <linux/slab.h>

struct replay_test {
	struct ptun_replay_counter counter;
	const char *name;
	unsigned int step;
	bool ok;
};

static void replay_start(struct replay_test *t, const char *name)
{
	ptun_replay_counter_init(&t->counter);
	t->name = name;
	t->step = 0;
}

static void replay_expect(struct replay_test *t, u64 n, bool accepted)
{
	t->step++;
	if (ptun_replay_counter_validate(&t->counter, n) == accepted)
		return;
	pr_err("replay self-test '%s', step %u: counter %llu was %s\n",
	       t->name, t->step, n, accepted ? "rejected" : "accepted");
	t->ok = false;
}

#define W PTUN_COUNTER_WINDOW_SIZE
#define T PTUN_COUNTER_BITS_TOTAL
#define R PTUN_REJECT_AFTER_MESSAGES

static void replay_test_in_order(struct replay_test *t)
{
	replay_start(t, "in order, duplicates");
	replay_expect(t, 0, true);
	replay_expect(t, 0, false);
	replay_expect(t, 1, true);
	replay_expect(t, 2, true);
	replay_expect(t, 1, false);
	replay_expect(t, 2, false);
	replay_expect(t, 0, false);
}

static void replay_test_out_of_order(struct replay_test *t)
{
	replay_start(t, "out of order");
	replay_expect(t, 5, true);
	replay_expect(t, 3, true);
	replay_expect(t, 4, true);
	replay_expect(t, 0, true);
	replay_expect(t, 2, true);
	replay_expect(t, 1, true);
	replay_expect(t, 6, true);
	replay_expect(t, 5, false);
	replay_expect(t, 0, false);
	replay_expect(t, 3, false);
}

/* With n the newest, n + 1 - W is the oldest counter still in the window. */
static void replay_test_window_edge(struct replay_test *t)
{
	replay_start(t, "window edge");
	replay_expect(t, 1, true);
	replay_expect(t, W + 100, true);
	replay_expect(t, 101, true);
	replay_expect(t, 100, false);
	replay_expect(t, 101, false);
	replay_expect(t, 1, false);
	replay_expect(t, 102, true);
	replay_expect(t, W + 99, true);
	replay_expect(t, W + 100, false);

	replay_start(t, "jump of exactly the window");
	replay_expect(t, 0, true);
	replay_expect(t, W, true);
	replay_expect(t, 0, false);
	replay_expect(t, 1, true);
	replay_expect(t, 1, false);
}

/* The word a counter reuses after a lap of the ring must be cleared. */
static void replay_test_ring_wrap(struct replay_test *t)
{
	u64 n;

	replay_start(t, "ring wrap");
	for (n = 0; n < BITS_PER_LONG; n++)
		replay_expect(t, n, true);
	replay_expect(t, T, true);
	replay_expect(t, T + 1 - W - 1, false);
	replay_expect(t, T + 1 - W, true);
	for (n = T + 1; n < T + BITS_PER_LONG; n++)
		replay_expect(t, n, true);
	replay_expect(t, T + 1, false);
	replay_expect(t, T, false);
}

/* Several laps in order with gaps, then the gaps filled in late. */
static void replay_test_laps(struct replay_test *t)
{
	const u64 end = 3 * T + 5;
	u64 n, newest = 0;

	replay_start(t, "laps with gaps");
	for (n = 0; n < end; n++) {
		if (n % 7 == 3)
			continue;
		replay_expect(t, n, true);
		newest = n;
	}
	for (n = newest - W - 40; n <= newest; n++)
		replay_expect(t, n, n % 7 == 3 && n + W > newest);
}

static void replay_test_jumps(struct replay_test *t)
{
	const u64 far = 5 + 1000000, farther = 1ULL << 40;

	replay_start(t, "big jumps");
	replay_expect(t, 5, true);
	replay_expect(t, far, true);
	replay_expect(t, 5, false);
	replay_expect(t, far - 1, true);
	replay_expect(t, far + 1 - W, true);
	replay_expect(t, far - W, false);
	replay_expect(t, farther, true);
	replay_expect(t, far, false);
	replay_expect(t, farther - 1, true);
	replay_expect(t, farther + T, true);
	replay_expect(t, farther, false);
	replay_expect(t, farther + T - 1, true);

	replay_start(t, "first counter not zero");
	replay_expect(t, 10, true);
	replay_expect(t, 0, true);
	replay_expect(t, 9, true);
	replay_expect(t, 10, false);
}

static void replay_test_limit(struct replay_test *t)
{
	replay_start(t, "reject after messages");
	replay_expect(t, R, false);
	replay_expect(t, 0, true);
	replay_expect(t, R - 1, true);
	replay_expect(t, R, false);
	replay_expect(t, R + 1, false);
	replay_expect(t, U64_MAX, false);
	replay_expect(t, R - 2, true);
	replay_expect(t, R - 1, false);
	replay_expect(t, R - W, true);
	replay_expect(t, R - W - 1, false);
	replay_expect(t, 0, false);
}

#undef W
#undef T
#undef R

static bool replay_run(struct replay_test *t)
{
	t->ok = true;
	replay_test_in_order(t);
	replay_test_out_of_order(t);
	replay_test_window_edge(t);
	replay_test_ring_wrap(t);
	replay_test_laps(t);
	replay_test_jumps(t);
	replay_test_limit(t);
	return t->ok;
}

bool ptun_replay_selftest(void)
{
	/* The bitmap is a kilobyte: keep it off the stack. */
	struct replay_test *t = kzalloc(sizeof(*t), GFP_KERNEL);
	bool ok = t && replay_run(t);

	kfree(t);
	if (ok)
		pr_info("replay self-tests: pass\n");
	else
		pr_info("replay self-tests: FAIL\n");
	return ok;
}
