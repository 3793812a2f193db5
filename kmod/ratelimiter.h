/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-source token buckets for handshake messages, so that one address
 * (an IPv4 address, an IPv6 /64) cannot take all of a loaded device's
 * handshake work.
 */
#ifndef _PTUN_RATELIMITER_H
#define _PTUN_RATELIMITER_H

#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

enum ptun_ratelimiter_limits {
	/* A source refills this many handshakes a second... */
	PTUN_RATELIMITER_PACKETS_PER_SECOND = 20,
	/* ...and may spend this many at once. */
	PTUN_RATELIMITER_BURST = 5,
	/* Buckets of the source table; entries per bucket on average at most 8. */
	PTUN_RATELIMITER_TABLE_SIZE = 4096,
	PTUN_RATELIMITER_MAX_ENTRIES = 8 * PTUN_RATELIMITER_TABLE_SIZE,
};

/*
 * One device's sources.  Lookups walk @table under RCU; @table_lock (taken
 * in process context only: the handshake workers and @gc_work) serialises
 * adding and removing entries.  Memory is bounded by @max_entries: a new
 * source finding the table full is refused.  @gc_work removes sources idle
 * for a second (their buckets are full again by then, so forgetting them
 * changes nothing) and runs only while there are entries.
 */
struct ptun_ratelimiter {
	struct hlist_head *table;
	unsigned int table_size;	/* a power of two */
	unsigned int max_entries;
	unsigned int entries;		/* under table_lock */
	spinlock_t table_lock;		/* adding and removing entries */
	siphash_key_t key;
	struct delayed_work gc_work;
};

int ptun_ratelimiter_init(struct ptun_ratelimiter *rl);
/* Nothing may call ptun_ratelimiter_allow() any more. */
void ptun_ratelimiter_uninit(struct ptun_ratelimiter *rl);
/*
 * May the sender of @skb (ip_hdr()/ipv6_hdr() reachable) have one more
 * handshake processed?  Process context.
 */
bool ptun_ratelimiter_allow(struct ptun_ratelimiter *rl, struct sk_buff *skb);

#ifdef DEBUG
bool ptun_ratelimiter_selftest(void);
#endif

#endif /* _PTUN_RATELIMITER_H */
