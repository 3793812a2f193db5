// SPDX-License-Identifier: GPL-2.0
/*
 * Replay protection for transport data, after RFC 6479.
 *
 * The bitmap is a ring with one bit per counter.  Of its
 * PTUN_COUNTER_BITS_TOTAL bits, the PTUN_COUNTER_WINDOW_SIZE counters up to
 * the newest one accepted are live; the spare word lets the window move a
 * whole word at a time, so a newer counter only zeroes the words it moves
 * into, never shifts bits, and a jump of any size costs at most one pass
 * over the ring.
 */

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/minmax.h>

#include "replay.h"

#define RING_WORDS (PTUN_COUNTER_BITS_TOTAL / BITS_PER_LONG)

/* A power of two, so that the u64 modulo below is a mask on 32-bit too. */
static_assert(PTUN_COUNTER_BITS_TOTAL % BITS_PER_LONG == 0);
static_assert((PTUN_COUNTER_BITS_TOTAL & (PTUN_COUNTER_BITS_TOTAL - 1)) == 0);

void ptun_replay_counter_init(struct ptun_replay_counter *counter)
{
	counter->counter = 0;
	bitmap_zero(counter->backtrack, PTUN_COUNTER_BITS_TOTAL);
	spin_lock_init(&counter->lock);
}

/*
 * Make @their_counter the newest: zero the words from the one after the
 * newest counter's word up to @their_counter's, all of which hold only
 * counters that just fell out of the window.
 */
static void window_advance(struct ptun_replay_counter *counter,
			   u64 their_counter)
{
	u64 first = DIV_ROUND_UP_ULL(counter->counter, BITS_PER_LONG);
	u64 last = their_counter / BITS_PER_LONG;
	u64 i, n;

	if (last >= first) {
		n = min_t(u64, last - first + 1, RING_WORDS);
		for (i = 0; i < n; i++)
			counter->backtrack[(first + i) % RING_WORDS] = 0;
	}
	counter->counter = their_counter + 1;
}

bool ptun_replay_counter_validate(struct ptun_replay_counter *counter,
				  u64 their_counter)
{
	bool fresh = false;

	if (unlikely(their_counter >= PTUN_REJECT_AFTER_MESSAGES))
		return false;

	spin_lock_bh(&counter->lock);
	if (their_counter >= counter->counter)
		window_advance(counter, their_counter);
	else if (counter->counter - their_counter > PTUN_COUNTER_WINDOW_SIZE)
		goto out;
	fresh = !__test_and_set_bit(their_counter % PTUN_COUNTER_BITS_TOTAL,
				    counter->backtrack);
out:
	spin_unlock_bh(&counter->lock);
	return fresh;
}

#ifdef DEBUG
#include "selftest/replay.c"
#endif
