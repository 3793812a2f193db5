// SPDX-License-Identifier: GPL-2.0
/*
 * Per-source token buckets for handshake messages.
 *
 * Tokens are counted in nanoseconds: a source earns one nanosecond of
 * credit per nanosecond that passes, a handshake costs a second divided by
 * the rate, and the bucket holds at most BURST handshakes' worth.  IPv6
 * sources are taken by their /64, the smallest block anyone is given.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "ratelimiter.h"

#define RATELIMITER_COST_NS (NSEC_PER_SEC / PTUN_RATELIMITER_PACKETS_PER_SECOND)
#define RATELIMITER_FULL_NS (RATELIMITER_COST_NS * PTUN_RATELIMITER_BURST)
/* Idle this long, a source's bucket is full: it can be forgotten. */
#define RATELIMITER_IDLE_NS NSEC_PER_SEC

static_assert(RATELIMITER_FULL_NS <= RATELIMITER_IDLE_NS);

struct ratelimiter_entry {
	struct hlist_node hash;
	u64 source;		/* the IPv4 address, or the IPv6 /64 */
	u64 last_time_ns;
	u64 tokens_ns;
	spinlock_t lock;	/* last_time_ns and tokens_ns */
	bool ipv6;
	struct rcu_head rcu;
};

static void ratelimiter_gc_work(struct work_struct *work);

static int ratelimiter_init_sized(struct ptun_ratelimiter *rl,
				  unsigned int table_size,
				  unsigned int max_entries)
{
	rl->table = kvcalloc(table_size, sizeof(*rl->table), GFP_KERNEL);
	if (!rl->table)
		return -ENOMEM;
	rl->table_size = table_size;
	rl->max_entries = max_entries;
	rl->entries = 0;
	spin_lock_init(&rl->table_lock);
	INIT_DELAYED_WORK(&rl->gc_work, ratelimiter_gc_work);
	get_random_bytes(&rl->key, sizeof(rl->key));
	return 0;
}

static struct hlist_head *ratelimiter_bucket(struct ptun_ratelimiter *rl,
					     u64 source, bool ipv6)
{
	return &rl->table[siphash_2u64(source, ipv6, &rl->key) &
			  (rl->table_size - 1)];
}

/* Under RCU or the table lock. */
static struct ratelimiter_entry *ratelimiter_find(struct ptun_ratelimiter *rl,
						  struct hlist_head *bucket,
						  u64 source, bool ipv6)
{
	struct ratelimiter_entry *entry;

	hlist_for_each_entry_rcu(entry, bucket, hash,
				 lockdep_is_held(&rl->table_lock)) {
		if (entry->source == source && entry->ipv6 == ipv6)
			return entry;
	}
	return NULL;
}

static bool ratelimiter_take_token(struct ratelimiter_entry *entry, u64 now)
{
	u64 tokens;
	bool ok;

	spin_lock(&entry->lock);
	tokens = entry->tokens_ns;
	/* Clocks read on two CPUs may step back a little: earn nothing then. */
	if ((s64)(now - entry->last_time_ns) > 0) {
		tokens += now - entry->last_time_ns;
		entry->last_time_ns = now;
	}
	tokens = min_t(u64, tokens, RATELIMITER_FULL_NS);
	ok = tokens >= RATELIMITER_COST_NS;
	entry->tokens_ns = ok ? tokens - RATELIMITER_COST_NS : tokens;
	spin_unlock(&entry->lock);
	return ok;
}

/* A source we did not know (or that another CPU is adding right now). */
static bool ratelimiter_add_source(struct ptun_ratelimiter *rl,
				   struct hlist_head *bucket, u64 source,
				   bool ipv6, u64 now)
{
	struct ratelimiter_entry *entry, *new;
	bool ok = false;

	new = kmalloc(sizeof(*new), GFP_KERNEL | __GFP_NOWARN);
	if (!new)
		return false;

	spin_lock(&rl->table_lock);
	entry = ratelimiter_find(rl, bucket, source, ipv6);
	if (!entry) {
		/* Full: refuse newcomers rather than grow or evict. */
		if (rl->entries >= rl->max_entries)
			goto out;
		new->source = source;
		new->ipv6 = ipv6;
		new->last_time_ns = now;
		new->tokens_ns = RATELIMITER_FULL_NS;
		spin_lock_init(&new->lock);
		hlist_add_head_rcu(&new->hash, bucket);
		if (!rl->entries++)
			queue_delayed_work(system_power_efficient_wq, &rl->gc_work, HZ);
		entry = new;
		new = NULL;
	}
	ok = ratelimiter_take_token(entry, now);
out:
	spin_unlock(&rl->table_lock);
	kfree(new);
	return ok;
}

static bool ratelimiter_allow_source(struct ptun_ratelimiter *rl, u64 source,
				     bool ipv6, u64 now)
{
	struct hlist_head *bucket = ratelimiter_bucket(rl, source, ipv6);
	struct ratelimiter_entry *entry;
	bool ok;

	rcu_read_lock();
	entry = ratelimiter_find(rl, bucket, source, ipv6);
	/*
	 * The collector may be unlinking it: it was idle, so its bucket is
	 * full and taking a token from it is right anyway.
	 */
	if (entry) {
		ok = ratelimiter_take_token(entry, now);
		rcu_read_unlock();
		return ok;
	}
	rcu_read_unlock();
	return ratelimiter_add_source(rl, bucket, source, ipv6, now);
}

bool ptun_ratelimiter_allow(struct ptun_ratelimiter *rl, struct sk_buff *skb)
{
	u64 now = ktime_get_coarse_boottime_ns();
	u64 source;

	if (skb->protocol == htons(ETH_P_IP)) {
		source = (__force u32)ip_hdr(skb)->saddr;
		return ratelimiter_allow_source(rl, source, false, now);
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		memcpy(&source, &ipv6_hdr(skb)->saddr, sizeof(source));
		return ratelimiter_allow_source(rl, source, true, now);
	}
	return false;
}

/* Forget sources idle since before @now - IDLE (all, if @all); returns how many are left. */
static unsigned int ratelimiter_gc(struct ptun_ratelimiter *rl, u64 now, bool all)
{
	struct ratelimiter_entry *entry;
	struct hlist_node *tmp;
	unsigned int i, left;

	spin_lock(&rl->table_lock);
	for (i = 0; i < rl->table_size; i++) {
		hlist_for_each_entry_safe(entry, tmp, &rl->table[i], hash) {
			u64 last;

			spin_lock(&entry->lock);
			last = entry->last_time_ns;
			spin_unlock(&entry->lock);
			if (!all && (s64)(now - last) < (s64)RATELIMITER_IDLE_NS)
				continue;
			hlist_del_rcu(&entry->hash);
			rl->entries--;
			kfree_rcu(entry, rcu);
		}
	}
	left = rl->entries;
	spin_unlock(&rl->table_lock);
	return left;
}

static void ratelimiter_gc_work(struct work_struct *work)
{
	struct ptun_ratelimiter *rl = container_of(to_delayed_work(work),
						   struct ptun_ratelimiter,
						   gc_work);

	if (ratelimiter_gc(rl, ktime_get_coarse_boottime_ns(), false))
		queue_delayed_work(system_power_efficient_wq, &rl->gc_work, HZ);
}

int ptun_ratelimiter_init(struct ptun_ratelimiter *rl)
{
	return ratelimiter_init_sized(rl, PTUN_RATELIMITER_TABLE_SIZE,
				      PTUN_RATELIMITER_MAX_ENTRIES);
}

void ptun_ratelimiter_uninit(struct ptun_ratelimiter *rl)
{
	cancel_delayed_work_sync(&rl->gc_work);
	ratelimiter_gc(rl, 0, true);
	kvfree(rl->table);
	rl->table = NULL;
}

#ifdef DEBUG
#include "selftest/ratelimiter.c"
#endif
