// SPDX-License-Identifier: GPL-2.0
/*
 * Timers of a peer.  What each one does, in the protocol's terms:
 *
 * retransmit_handshake: no response to our initiation within REKEY_TIMEOUT
 *	(plus jitter): send another, up to MAX_TIMER_HANDSHAKES times, then
 *	give up and drop what waited for the session.
 * send_keepalive: we received data and sent nothing back for
 *	KEEPALIVE_TIMEOUT: send an empty packet so the peer knows we are alive.
 * new_handshake: we sent data and heard nothing for KEEPALIVE_TIMEOUT +
 *	REKEY_TIMEOUT: the session may be dead, start a new handshake.
 * zero_key_material: no new session for 3 * REJECT_AFTER_TIME: wipe keys.
 * persistent_keepalive: the user's keepalive interval, for NAT mappings.
 *
 * The timers are armed only while the device is up and the peer alive;
 * ptun_timers_stop() is called once the peer is dead, so nothing re-arms
 * them after it.
 */
#include <linux/jiffies.h>
#include <linux/random.h>

#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"
#include "timers.h"

static void ptun_mod_peer_timer(struct ptun_peer *peer, struct timer_list *timer,
				unsigned long expires)
{
	rcu_read_lock_bh();
	if (likely(netif_running(peer->device->dev) && !READ_ONCE(peer->is_dead)))
		mod_timer(timer, expires);
	rcu_read_unlock_bh();
}

static unsigned long ptun_rekey_jitter(void)
{
	return get_random_u32_below(PTUN_REKEY_TIMEOUT_JITTER_MAX_JIFFIES);
}

static void ptun_expired_retransmit_handshake(struct timer_list *timer)
{
	struct ptun_peer *peer = from_timer(peer, timer, timer_retransmit_handshake);

	if (peer->timer_handshake_attempts > PTUN_MAX_TIMER_HANDSHAKES) {
		net_dbg_ratelimited("%s: handshake with peer %llu (%pISpfsc) gave up after %d attempts\n",
				    peer->device->dev->name, peer->internal_id,
				    &peer->endpoint.addr, PTUN_MAX_TIMER_HANDSHAKES + 2);
		ptun_count_handshake(peer, PTUN_A_HANDSHAKES_GAVE_UP);
		ptun_nl_notify_peer(peer, PTUN_EVENT_HANDSHAKE_GAVE_UP);
		timer_delete(&peer->timer_send_keepalive);
		/* Nothing will carry these now; do not let them wait forever. */
		ptun_packet_purge_staged_packets(peer);
		if (!timer_pending(&peer->timer_zero_key_material))
			ptun_mod_peer_timer(peer, &peer->timer_zero_key_material,
					    jiffies + PTUN_REJECT_AFTER_TIME * 3 * HZ);
		return;
	}
	++peer->timer_handshake_attempts;
	ptun_count_handshake(peer, PTUN_A_HANDSHAKES_TIMEOUTS);
	net_dbg_ratelimited("%s: no handshake response from peer %llu (%pISpfsc) after %d seconds, retrying (try %d)\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr, PTUN_REKEY_TIMEOUT,
			    peer->timer_handshake_attempts + 1);
	/* The source address may be what is wrong: let routing pick again. */
	ptun_socket_clear_peer_endpoint_src(peer);
	ptun_packet_send_queued_handshake_initiation(peer, true);
}

static void ptun_expired_send_keepalive(struct timer_list *timer)
{
	struct ptun_peer *peer = from_timer(peer, timer, timer_send_keepalive);

	ptun_packet_send_keepalive(peer);
	if (peer->timer_need_another_keepalive) {
		peer->timer_need_another_keepalive = false;
		ptun_mod_peer_timer(peer, &peer->timer_send_keepalive,
				    jiffies + PTUN_KEEPALIVE_TIMEOUT * HZ);
	}
}

static void ptun_expired_new_handshake(struct timer_list *timer)
{
	struct ptun_peer *peer = from_timer(peer, timer, timer_new_handshake);

	net_dbg_ratelimited("%s: no reply from peer %llu (%pISpfsc) to our data for %d seconds, new handshake\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr,
			    PTUN_KEEPALIVE_TIMEOUT + PTUN_REKEY_TIMEOUT);
	ptun_socket_clear_peer_endpoint_src(peer);
	ptun_packet_send_queued_handshake_initiation(peer, false);
}

static void ptun_expired_zero_key_material(struct timer_list *timer)
{
	struct ptun_peer *peer = from_timer(peer, timer, timer_zero_key_material);

	/* Wiping takes locks that sleep: leave timer context. */
	rcu_read_lock_bh();
	if (!READ_ONCE(peer->is_dead)) {
		ptun_peer_get(peer);
		if (!queue_work(peer->device->handshake_send_wq,
				&peer->clear_peer_work))
			ptun_peer_put(peer);
	}
	rcu_read_unlock_bh();
}

static void ptun_queued_expired_zero_key_material(struct work_struct *work)
{
	struct ptun_peer *peer = container_of(work, struct ptun_peer, clear_peer_work);

	net_dbg_ratelimited("%s: zeroing keys of peer %llu (%pISpfsc): no new session for %d seconds\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr, PTUN_REJECT_AFTER_TIME * 3);
	ptun_noise_handshake_clear(&peer->handshake);
	ptun_noise_keypairs_clear(&peer->keypairs);
	ptun_nl_notify_peer(peer, PTUN_EVENT_SESSION_EXPIRED);
	ptun_peer_put(peer);
}

static void ptun_expired_send_persistent_keepalive(struct timer_list *timer)
{
	struct ptun_peer *peer = from_timer(peer, timer, timer_persistent_keepalive);

	if (likely(peer->persistent_keepalive_interval))
		ptun_packet_send_keepalive(peer);
}

void ptun_timers_data_sent(struct ptun_peer *peer)
{
	if (!timer_pending(&peer->timer_new_handshake))
		ptun_mod_peer_timer(peer, &peer->timer_new_handshake,
				    jiffies + (PTUN_KEEPALIVE_TIMEOUT + PTUN_REKEY_TIMEOUT) * HZ +
				    ptun_rekey_jitter());
}

void ptun_timers_data_received(struct ptun_peer *peer)
{
	if (likely(netif_running(peer->device->dev))) {
		if (!timer_pending(&peer->timer_send_keepalive))
			ptun_mod_peer_timer(peer, &peer->timer_send_keepalive,
					    jiffies + PTUN_KEEPALIVE_TIMEOUT * HZ);
		else
			peer->timer_need_another_keepalive = true;
	}
}

/* Any of our packets doubles as a keepalive. */
void ptun_timers_any_authenticated_packet_sent(struct ptun_peer *peer)
{
	timer_delete(&peer->timer_send_keepalive);
}

/* The peer is alive: no need to suspect the session. */
void ptun_timers_any_authenticated_packet_received(struct ptun_peer *peer)
{
	timer_delete(&peer->timer_new_handshake);
}

void ptun_timers_handshake_initiated(struct ptun_peer *peer)
{
	ptun_mod_peer_timer(peer, &peer->timer_retransmit_handshake,
			    jiffies + PTUN_REKEY_TIMEOUT * HZ + ptun_rekey_jitter());
}

void ptun_timers_handshake_complete(struct ptun_peer *peer)
{
	timer_delete(&peer->timer_retransmit_handshake);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	ktime_get_real_ts64(&peer->walltime_last_handshake);
	ptun_nl_notify_peer(peer, PTUN_EVENT_HANDSHAKE);
}

void ptun_timers_session_derived(struct ptun_peer *peer)
{
	ptun_mod_peer_timer(peer, &peer->timer_zero_key_material,
			    jiffies + PTUN_REJECT_AFTER_TIME * 3 * HZ);
}

/* Sent or received, authenticated: the NAT mapping was refreshed. */
void ptun_timers_any_authenticated_packet_traversal(struct ptun_peer *peer)
{
	u16 interval = READ_ONCE(peer->persistent_keepalive_interval);

	if (interval)
		ptun_mod_peer_timer(peer, &peer->timer_persistent_keepalive,
				    jiffies + interval * HZ);
}

void ptun_timers_init(struct ptun_peer *peer)
{
	timer_setup(&peer->timer_retransmit_handshake,
		    ptun_expired_retransmit_handshake, 0);
	timer_setup(&peer->timer_send_keepalive, ptun_expired_send_keepalive, 0);
	timer_setup(&peer->timer_new_handshake, ptun_expired_new_handshake, 0);
	timer_setup(&peer->timer_zero_key_material,
		    ptun_expired_zero_key_material, 0);
	timer_setup(&peer->timer_persistent_keepalive,
		    ptun_expired_send_persistent_keepalive, 0);
	INIT_WORK(&peer->clear_peer_work, ptun_queued_expired_zero_key_material);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	peer->timer_need_another_keepalive = false;
}

void ptun_timers_stop(struct ptun_peer *peer)
{
	timer_delete_sync(&peer->timer_retransmit_handshake);
	timer_delete_sync(&peer->timer_send_keepalive);
	timer_delete_sync(&peer->timer_new_handshake);
	timer_delete_sync(&peer->timer_zero_key_material);
	timer_delete_sync(&peer->timer_persistent_keepalive);
	flush_work(&peer->clear_peer_work);
}
