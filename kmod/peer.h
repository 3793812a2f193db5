/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PTUN_PEER_H
#define _PTUN_PEER_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rhashtable-types.h>
#include <linux/rwlock.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>

#include "cookie.h"
#include "counters.h"
#include "noise.h"
#include "queueing.h"
#include "timers.h"

struct ptun_device;

/*
 * Where a peer is, and the source address we last used to reach it (kept
 * so replies leave from the address the peer talks to).
 */
struct ptun_endpoint {
	union {
		struct sockaddr addr;
		struct sockaddr_in addr4;
		struct sockaddr_in6 addr6;
	};
	union {
		struct {
			struct in_addr src4;
			/* the interface src4 is on, for IP_PKTINFO-like routing */
			int src_if4;
		};
		struct in6_addr src6;
	};
};

/*
 * A remote WireGuard host.
 *
 * Lifetime: a kref; the device's peer_list and every packet or work item in
 * flight hold references (the peer table holds none: a lookup takes its
 * own).  ptun_peer_remove() unhooks the peer from lookups and marks it
 * dead; ptun_peers_release(), called once the configuration locks are
 * dropped, flushes its work and drops the list's reference; the memory goes
 * after an RCU grace period.
 *
 * Locking: configuration fields are written under the device's update_lock;
 * @endpoint under @endpoint_lock (read on every send, written when a peer
 * roams); @rx_bytes/@tx_bytes are updated by the serial receive/transmit
 * paths only and read with READ_ONCE; @timers as timers.h says.
 */
struct ptun_peer {
	struct ptun_device *device;
	struct ptun_prev_queue tx_queue, rx_queue;
	struct sk_buff_head staged_packet_queue;
	bool is_dead;
	struct ptun_noise_keypairs keypairs;
	struct ptun_endpoint endpoint;
	struct dst_cache endpoint_cache;
	rwlock_t endpoint_lock;	/* protects endpoint */
	struct ptun_noise_handshake handshake;
	atomic64_t last_sent_handshake;
	struct work_struct transmit_handshake_work, transmit_packet_work;
	struct ptun_cookie_stamp cookie_stamp;
	struct rhash_head pubkey_node;	/* in the device's peer_table */
	u64 rx_bytes, tx_bytes;
	/* Drops, handshakes: NULL until the first, then set once (cmpxchg). */
	struct ptun_peer_counters *counters;
	struct ptun_timers timers;
	u16 persistent_keepalive_interval;
	bool sent_lastminute_handshake;
	struct timespec64 walltime_last_handshake;
	struct kref refcount;
	struct rcu_head rcu;
	/* in device->peer_list under update_lock; once dead, the remover's list */
	struct list_head peer_list;
	struct list_head allowedips_list;	/* nodes, under update_lock */
	struct napi_struct napi;
	u64 internal_id;
};

struct ptun_peer *ptun_peer_create(struct ptun_device *device,
				   const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN],
				   const u8 preshared_key[PTUN_NOISE_SYMMETRIC_KEY_LEN]);

/* A reference, or NULL if the peer is NULL or already on its way out. */
struct ptun_peer * __must_check ptun_peer_get_maybe_zero(struct ptun_peer *peer);

static inline struct ptun_peer *ptun_peer_get(struct ptun_peer *peer)
{
	kref_get(&peer->refcount);
	return peer;
}

void ptun_peer_put(struct ptun_peer *peer);
void ptun_peer_remove(struct ptun_peer *peer, struct list_head *dead);
void ptun_peer_remove_all(struct ptun_device *device, struct list_head *dead);
bool ptun_peers_release(struct ptun_device *device, struct list_head *dead);

int ptun_peer_init(void);
void ptun_peer_uninit(void);

#endif /* _PTUN_PEER_H */
