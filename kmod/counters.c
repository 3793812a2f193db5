// SPDX-License-Identifier: GPL-2.0
/*
 * Drop and handshake counters.  Only drops and handshakes are counted, never
 * a packet that goes through, so the data path pays nothing.  A device's
 * counters are per CPU: a drop costs an increment without a lock or an
 * atomic.  A peer's are atomics, allocated at its first drop or handshake,
 * so that tens of thousands of idle peers cost a pointer each.
 */
#include <linux/slab.h>
#include <net/netlink.h>

#include "counters.h"
#include "device.h"
#include "peer.h"

struct ptun_counters __percpu *ptun_counters_alloc(void)
{
	struct ptun_counters __percpu *counters;
	int cpu;

	counters = alloc_percpu(struct ptun_counters);
	if (!counters)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(counters, cpu)->syncp);
	return counters;
}

static void ptun_device_counters_add(struct ptun_device *device,
				     unsigned int index, unsigned int count)
{
	struct ptun_counters *mine = get_cpu_ptr(device->counters);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&mine->syncp);
	u64_stats_add(&mine->value[index], count);
	u64_stats_update_end_irqrestore(&mine->syncp, flags);
	put_cpu_ptr(device->counters);
}

/*
 * The peer's counters, allocated by the first caller.  Callers run in any
 * context, so the allocation is atomic; when it fails (memory is short),
 * the count is lost rather than the packet's path slowed.
 */
static struct ptun_peer_counters *ptun_peer_counters(struct ptun_peer *peer)
{
	struct ptun_peer_counters *counters, *fresh;

	/* Pairs with the cmpxchg below: a set pointer shows zeroed counters. */
	counters = smp_load_acquire(&peer->counters);
	if (likely(counters))
		return counters;
	fresh = kzalloc(sizeof(*fresh), GFP_ATOMIC | __GFP_NOWARN);
	if (!fresh)
		return NULL;
	counters = cmpxchg(&peer->counters, NULL, fresh);
	if (!counters)
		return fresh;
	/* Another CPU was first. */
	kfree(fresh);
	return counters;
}

void ptun_peer_counters_free(struct ptun_peer *peer)
{
	kfree(peer->counters);
	peer->counters = NULL;
}

static void ptun_peer_counters_add(struct ptun_peer *peer, unsigned int index,
				   unsigned int count)
{
	struct ptun_peer_counters *counters = ptun_peer_counters(peer);

	if (counters)
		atomic64_add(count, &counters->value[index]);
}

void ptun_count_drops(struct ptun_device *device, struct ptun_peer *peer,
		      int reason, unsigned int count)
{
	unsigned int index = reason - PTUN_DROPS_FIRST;

	if (WARN_ON_ONCE(index >= PTUN_DROPS_COUNT) || !count)
		return;
	ptun_device_counters_add(device, index, count);
	if (peer)
		ptun_peer_counters_add(peer, index, count);
}

void ptun_count_handshake(struct ptun_peer *peer, int what)
{
	unsigned int index = what - PTUN_HANDSHAKES_FIRST;

	if (WARN_ON_ONCE(index >= PTUN_HANDSHAKES_COUNT))
		return;
	ptun_peer_counters_add(peer, PTUN_DROPS_COUNT + index, 1);
}

/* A nest of type @attrtype: attributes @first onwards from @values. */
static int ptun_counters_put(struct sk_buff *skb, int attrtype,
			     const u64 *values, int first, int last, int pad)
{
	struct nlattr *nest;
	int type;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	for (type = first; type <= last; ++type, ++values) {
		if (nla_put_u64_64bit(skb, type, *values, pad)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

int ptun_counters_put_device(struct sk_buff *skb, int attrtype,
			     struct ptun_device *device)
{
	u64 sums[PTUN_DROPS_COUNT] = {};
	unsigned int index, start;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ptun_counters *one = per_cpu_ptr(device->counters, cpu);

		for (index = 0; index < PTUN_DROPS_COUNT; ++index) {
			u64 value;

			do {
				start = u64_stats_fetch_begin(&one->syncp);
				value = u64_stats_read(&one->value[index]);
			} while (u64_stats_fetch_retry(&one->syncp, start));
			sums[index] += value;
		}
	}
	return ptun_counters_put(skb, attrtype, sums, PTUN_DROPS_FIRST,
				 PTUN_A_DROPS_MAX, PTUN_A_DROPS_PAD);
}

int ptun_counters_put_peer(struct sk_buff *skb, int drops_attrtype,
			   int handshakes_attrtype, struct ptun_peer *peer)
{
	struct ptun_peer_counters *counters;
	u64 values[PTUN_COUNTERS_COUNT] = {};
	unsigned int index;

	/* As in ptun_peer_counters(): a set pointer shows zeroed counters. */
	counters = smp_load_acquire(&peer->counters);
	for (index = 0; counters && index < PTUN_COUNTERS_COUNT; ++index)
		values[index] = atomic64_read(&counters->value[index]);
	if (ptun_counters_put(skb, drops_attrtype, values, PTUN_DROPS_FIRST,
			      PTUN_A_DROPS_MAX, PTUN_A_DROPS_PAD))
		return -EMSGSIZE;
	return ptun_counters_put(skb, handshakes_attrtype,
				 values + PTUN_DROPS_COUNT,
				 PTUN_HANDSHAKES_FIRST, PTUN_A_HANDSHAKES_MAX,
				 PTUN_A_HANDSHAKES_PAD);
}
