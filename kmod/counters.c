// SPDX-License-Identifier: GPL-2.0
/*
 * Drop and handshake counters.  Only drops and handshakes are counted, never
 * a packet that goes through, so the data path pays nothing; where a drop is
 * counted, it costs a per-CPU increment without a lock or an atomic.
 */
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

static void ptun_counters_add(struct ptun_counters __percpu *counters,
			      unsigned int index, unsigned int count)
{
	struct ptun_counters *mine = get_cpu_ptr(counters);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&mine->syncp);
	u64_stats_add(&mine->value[index], count);
	u64_stats_update_end_irqrestore(&mine->syncp, flags);
	put_cpu_ptr(counters);
}

void ptun_count_drops(struct ptun_device *device, struct ptun_peer *peer,
		      int reason, unsigned int count)
{
	unsigned int index = reason - PTUN_DROPS_FIRST;

	if (WARN_ON_ONCE(index >= PTUN_DROPS_COUNT) || !count)
		return;
	ptun_counters_add(device->counters, index, count);
	if (peer)
		ptun_counters_add(peer->counters, index, count);
}

void ptun_count_handshake(struct ptun_peer *peer, int what)
{
	unsigned int index = what - PTUN_HANDSHAKES_FIRST;

	if (WARN_ON_ONCE(index >= PTUN_HANDSHAKES_COUNT))
		return;
	ptun_counters_add(peer->counters, PTUN_DROPS_COUNT + index, 1);
}

/* Attributes @first to @last from the counters at @index onwards. */
static int ptun_counters_put(struct sk_buff *skb, int attrtype,
			     struct ptun_counters __percpu *counters,
			     unsigned int index, int first, int last, int pad)
{
	struct nlattr *nest;
	int type, cpu;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	for (type = first; type <= last; ++type, ++index) {
		u64 sum = 0;

		for_each_possible_cpu(cpu) {
			struct ptun_counters *one = per_cpu_ptr(counters, cpu);
			unsigned int start;
			u64 value;

			do {
				start = u64_stats_fetch_begin(&one->syncp);
				value = u64_stats_read(&one->value[index]);
			} while (u64_stats_fetch_retry(&one->syncp, start));
			sum += value;
		}
		if (nla_put_u64_64bit(skb, type, sum, pad)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

int ptun_counters_put_drops(struct sk_buff *skb, int attrtype,
			    struct ptun_counters __percpu *counters)
{
	return ptun_counters_put(skb, attrtype, counters, 0, PTUN_DROPS_FIRST,
				 PTUN_A_DROPS_MAX, PTUN_A_DROPS_PAD);
}

int ptun_counters_put_handshakes(struct sk_buff *skb, int attrtype,
				 struct ptun_counters __percpu *counters)
{
	return ptun_counters_put(skb, attrtype, counters, PTUN_DROPS_COUNT,
				 PTUN_HANDSHAKES_FIRST, PTUN_A_HANDSHAKES_MAX,
				 PTUN_A_HANDSHAKES_PAD);
}
