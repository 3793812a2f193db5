/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sliding window that rejects replayed transport data (RFC 6479).
 */
#ifndef _PTUN_REPLAY_H
#define _PTUN_REPLAY_H

#include <linux/spinlock.h>
#include <linux/types.h>

#include "messages.h"

/*
 * @counter is one past the highest counter accepted so far; @backtrack has
 * a bit for each counter in the window below it.  @lock serialises
 * validations.
 */
struct ptun_replay_counter {
	u64 counter;
	spinlock_t lock;	/* protects counter and backtrack */
	unsigned long backtrack[PTUN_COUNTER_BITS_TOTAL / BITS_PER_LONG];
};

/* Takes no lock: only for a counter nothing can validate against yet. */
void ptun_replay_counter_init(struct ptun_replay_counter *counter);

/*
 * True when @their_counter was not seen before, is inside the window and
 * below PTUN_REJECT_AFTER_MESSAGES; it is then marked as seen.  Call only
 * after the packet authenticated.
 */
bool ptun_replay_counter_validate(struct ptun_replay_counter *counter,
				  u64 their_counter);

#ifdef DEBUG
bool ptun_replay_selftest(void);
#endif

#endif /* _PTUN_REPLAY_H */
