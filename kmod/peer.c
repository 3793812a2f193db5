// SPDX-License-Identifier: GPL-2.0
/*
 * Peers: creation, references and removal.
 */
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "counters.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"
#include "timers.h"

static struct kmem_cache *ptun_peer_cache;
static atomic64_t ptun_peer_counter = ATOMIC64_INIT(0);

struct ptun_peer *ptun_peer_create(struct ptun_device *ptun,
				   const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN],
				   const u8 preshared_key[PTUN_NOISE_SYMMETRIC_KEY_LEN])
{
	struct ptun_peer *peer;
	int ret = -ENOMEM;

	lockdep_assert_held(&ptun->update_lock);

	if (ptun->num_peers >= PTUN_MAX_PEERS_PER_DEVICE)
		return ERR_PTR(-ENOSPC);

	peer = kmem_cache_zalloc(ptun_peer_cache, GFP_KERNEL);
	if (unlikely(!peer))
		return ERR_PTR(-ENOMEM);
	if (dst_cache_init(&peer->endpoint_cache, GFP_KERNEL))
		goto err_free;

	peer->device = ptun;
	ptun_noise_handshake_init(&peer->handshake, &ptun->static_identity,
				  public_key, preshared_key, peer);
	peer->internal_id = atomic64_inc_return(&ptun_peer_counter);
	ptun_timers_init(peer);
	ptun_cookie_stamp_init(&peer->cookie_stamp, public_key);
	ptun_noise_keypairs_init(&peer->keypairs);
	INIT_WORK(&peer->transmit_handshake_work, ptun_packet_handshake_send_worker);
	INIT_WORK(&peer->transmit_packet_work, ptun_packet_tx_worker);
	ptun_prev_queue_init(&peer->tx_queue);
	ptun_prev_queue_init(&peer->rx_queue);
	rwlock_init(&peer->endpoint_lock);
	kref_init(&peer->refcount);
	skb_queue_head_init(&peer->staged_packet_queue);
	ptun_noise_reset_last_sent_handshake(&peer->last_sent_handshake);
	set_bit(NAPI_STATE_NO_BUSY_POLL, &peer->napi.state);
	netif_napi_add(ptun->dev, &peer->napi, ptun_packet_rx_poll);
	napi_enable(&peer->napi);
	INIT_LIST_HEAD(&peer->allowedips_list);
	/* Last: from here on, handshakes can find the peer. */
	ret = ptun_peer_table_add(ptun->peer_table, peer);
	if (ret)
		goto err_napi;
	list_add_tail(&peer->peer_list, &ptun->peer_list);
	++ptun->num_peers;
	pr_debug("%s: peer %llu created\n", ptun->dev->name, peer->internal_id);
	ptun_nl_notify_peer(peer, PTUN_EVENT_PEER_ADDED);
	return peer;

err_napi:
	napi_disable(&peer->napi);
	netif_napi_del(&peer->napi);
	dst_cache_destroy(&peer->endpoint_cache);
	memzero_explicit(&peer->handshake, sizeof(peer->handshake));
err_free:
	kmem_cache_free(ptun_peer_cache, peer);
	return ERR_PTR(ret);
}

struct ptun_peer *ptun_peer_get_maybe_zero(struct ptun_peer *peer)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_bh_held(),
			 "taking a peer reference without the RCU BH read lock");
	if (unlikely(!peer || !kref_get_unless_zero(&peer->refcount)))
		return NULL;
	return peer;
}

/*
 * Removal comes in two steps, so that removing tens of thousands of peers
 * keeps no other RTNL user waiting for long.  Under update_lock (and, for
 * a netlink SET, RTNL), ptun_peer_remove() and ptun_peer_remove_all() take
 * peers out of everything that finds them by configuration and move them
 * to a list of the caller's.  With neither lock held, ptun_peers_release()
 * waits until no packet path can hold a stale pointer, drains their work
 * and drops the device's references; it takes RTNL only for the NAPI
 * teardown, since RTNL guards the device's NAPI list.
 */

/* Unhook @peer from list, public key and allowed IPs, mark it dead, move it to @dead. */
void ptun_peer_remove(struct ptun_peer *peer, struct list_head *dead)
{
	struct ptun_device *ptun;

	if (unlikely(!peer))
		return;
	ptun = peer->device;
	lockdep_assert_held(&ptun->update_lock);
	ptun_nl_notify_peer(peer, PTUN_EVENT_PEER_REMOVED);
	list_move_tail(&peer->peer_list, dead);
	--ptun->num_peers;
	ptun_allowedips_remove_by_peer(&ptun->peer_allowedips, peer,
				       &ptun->update_lock);
	ptun_peer_table_remove(ptun->peer_table, peer);
	WRITE_ONCE(peer->is_dead, true);
}

void ptun_peer_remove_all(struct ptun_device *ptun, struct list_head *dead)
{
	struct ptun_peer *peer, *temp;

	lockdep_assert_held(&ptun->update_lock);
	list_for_each_entry_safe(peer, temp, &ptun->peer_list, peer_list)
		ptun_peer_remove(peer, dead);
}

/*
 * Release the peers on @dead; true if there were any.  The caller holds
 * neither RTNL nor update_lock, and keeps the device (its workqueues)
 * alive.  Each workqueue is flushed once for all the peers, so that
 * releasing many takes no longer than their own teardown.
 */
bool ptun_peers_release(struct ptun_device *ptun, struct list_head *dead)
{
	struct ptun_peer *peer, *temp;

	if (list_empty(dead))
		return false;
	/*
	 * One grace period for all: then no new work can find them.  Expedited,
	 * as synchronize_net() is under RTNL, so that a script removing peers
	 * one SET at a time does not wait a full grace period for each.
	 */
	synchronize_rcu_expedited();
	list_for_each_entry(peer, dead, peer_list) {
		WARN_ON(!peer->is_dead);
		/* is_dead keeps new keypairs from being added. */
		ptun_noise_keypairs_clear(&peer->keypairs);
		ptun_timers_stop(peer);
	}
	/*
	 * A packet passes through two stages, parallel crypto then the
	 * serial worker; each flush empties one of them.
	 */
	flush_workqueue(ptun->packet_crypt_wq);
	flush_workqueue(ptun->packet_crypt_wq);
	rtnl_lock();
	list_for_each_entry(peer, dead, peer_list) {
		napi_disable(&peer->napi);
		/* The peer's memory outlives an RCU grace period: no synchronize here. */
		__netif_napi_del(&peer->napi);
	}
	rtnl_unlock();
	flush_workqueue(ptun->handshake_send_wq);
	/*
	 * Handshake messages still queued for these peers find them dead (or
	 * gone from the lookups) and drop them.
	 */
	list_for_each_entry_safe(peer, temp, dead, peer_list) {
		list_del_init(&peer->peer_list);
		ptun_peer_put(peer);
	}
	return true;
}

static void ptun_peer_rcu_release(struct rcu_head *rcu)
{
	struct ptun_peer *peer = container_of(rcu, struct ptun_peer, rcu);

	dst_cache_destroy(&peer->endpoint_cache);
	ptun_peer_counters_free(peer);
	WARN_ON(!skb_queue_empty(&peer->tx_queue.queue) ||
		!skb_queue_empty(&peer->rx_queue.queue));
	/* The handshake state holds keys. */
	memzero_explicit(peer, sizeof(*peer));
	kmem_cache_free(ptun_peer_cache, peer);
}

static void ptun_peer_kref_release(struct kref *refcount)
{
	struct ptun_peer *peer = container_of(refcount, struct ptun_peer, refcount);

	pr_debug("%s: peer %llu (%pISpfsc) freed\n", peer->device->dev->name,
		 peer->internal_id, &peer->endpoint.addr);
	/* Nobody can reach the peer through its handshake index any more. */
	ptun_index_table_drop(peer->device->index_table, &peer->handshake.entry);
	ptun_packet_purge_staged_packets(peer);
	call_rcu(&peer->rcu, ptun_peer_rcu_release);
}

void ptun_peer_put(struct ptun_peer *peer)
{
	if (unlikely(!peer))
		return;
	kref_put(&peer->refcount, ptun_peer_kref_release);
}

int __init ptun_peer_init(void)
{
	ptun_peer_cache = KMEM_CACHE(ptun_peer, 0);
	return ptun_peer_cache ? 0 : -ENOMEM;
}

void ptun_peer_uninit(void)
{
	kmem_cache_destroy(ptun_peer_cache);
}
