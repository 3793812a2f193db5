/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why packets were dropped, and how a peer's handshakes went: per-CPU
 * counters in the device and in each peer, summed when read.  The reasons
 * are the uapi's PTUN_A_DROPS_* and PTUN_A_HANDSHAKES_* attribute types,
 * so the kernel, the spec and ptunctl share one list.
 */
#ifndef _PTUN_COUNTERS_H
#define _PTUN_COUNTERS_H

#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/ptun.h>

struct ptun_device;
struct ptun_peer;

/* The counters start after each set's pad attribute. */
#define PTUN_DROPS_FIRST	(PTUN_A_DROPS_PAD + 1)
#define PTUN_DROPS_COUNT	(PTUN_A_DROPS_MAX - PTUN_A_DROPS_PAD)
#define PTUN_HANDSHAKES_FIRST	(PTUN_A_HANDSHAKES_PAD + 1)
#define PTUN_HANDSHAKES_COUNT	(PTUN_A_HANDSHAKES_MAX - PTUN_A_HANDSHAKES_PAD)

/* The drops, then the handshakes. */
#define PTUN_COUNTERS_COUNT	(PTUN_DROPS_COUNT + PTUN_HANDSHAKES_COUNT)

/* A device's drops: per CPU, for a flood's drops come from every CPU. */
struct ptun_counters {
	u64_stats_t value[PTUN_DROPS_COUNT];
	struct u64_stats_sync syncp;
};

/*
 * A peer's counters: one set of atomics, not one per CPU, allocated at the
 * peer's first drop or handshake.  Both are rare next to its packets, and
 * a server's many idle peers then cost a pointer each, not a set per CPU.
 */
struct ptun_peer_counters {
	atomic64_t value[PTUN_COUNTERS_COUNT];
};

struct ptun_counters __percpu *ptun_counters_alloc(void);

/*
 * @count packets dropped for @reason (a PTUN_A_DROPS_* type): counted for
 * the device, and for @peer too unless it is NULL.
 */
void ptun_count_drops(struct ptun_device *device, struct ptun_peer *peer,
		      int reason, unsigned int count);

static inline void ptun_count_drop(struct ptun_device *device,
				   struct ptun_peer *peer, int reason)
{
	ptun_count_drops(device, peer, reason, 1);
}

/* One more of @what (a PTUN_A_HANDSHAKES_* type) for @peer. */
void ptun_count_handshake(struct ptun_peer *peer, int what);
/* Frees what the first drop or handshake allocated; the peer is going. */
void ptun_peer_counters_free(struct ptun_peer *peer);

/* The device's drops, as a nest of type @attrtype. */
int ptun_counters_put_device(struct sk_buff *skb, int attrtype,
			     struct ptun_device *device);
/* The peer's drops and handshakes, as nests of these types. */
int ptun_counters_put_peer(struct sk_buff *skb, int drops_attrtype,
			   int handshakes_attrtype, struct ptun_peer *peer);

#endif /* _PTUN_COUNTERS_H */
