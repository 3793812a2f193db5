// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit path: from the device's xmit to the socket.
 *
 * xmit stages packets on their peer; once the peer has a usable session the
 * staged packets get nonces, go to the encryption workers, and leave in order
 * from the peer's tx worker.  Without a session, staging triggers a
 * handshake and the packets wait (a bounded number of them) for it.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/scatterlist.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>

#include "cookie.h"
#include "device.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"
#include "timers.h"

/* AF41: handshakes are small and latency matters for them. */
#define PTUN_HANDSHAKE_DSCP 0x88

/*
 * An authenticated handshake message leaves: the timers and the rate limit
 * see it, and the counter @what if it did leave.
 */
static void ptun_send_handshake_message(struct ptun_peer *peer, void *message,
					size_t len, int what)
{
	ptun_timers_event(peer, PTUN_EV_SENT_AUTH);
	atomic64_set(&peer->last_sent_handshake, ktime_get_coarse_boottime_ns());
	if (ptun_socket_send_buffer_to_peer(peer, message, len, PTUN_HANDSHAKE_DSCP))
		ptun_count_drop(peer->device, peer, PTUN_A_DROPS_SEND_FAILED);
	else
		ptun_count_handshake(peer, what);
}

void ptun_packet_send_handshake_initiation(struct ptun_peer *peer, bool is_retry)
{
	struct ptun_message_handshake_initiation packet;

	/* At most one initiation per REKEY_TIMEOUT. */
	if (!ptun_birthdate_has_expired(atomic64_read(&peer->last_sent_handshake),
					PTUN_REKEY_TIMEOUT))
		return;

	atomic64_set(&peer->last_sent_handshake, ktime_get_coarse_boottime_ns());
	net_dbg_ratelimited("%s: sending handshake initiation to peer %llu (%pISpfsc)%s\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr, is_retry ? ", again" : "");

	if (ptun_noise_handshake_create_initiation(&packet, &peer->handshake)) {
		ptun_cookie_stamp_message(&peer->cookie_stamp, &packet, sizeof(packet));
		ptun_send_handshake_message(peer, &packet, sizeof(packet),
					    PTUN_A_HANDSHAKES_INITIATIONS_SENT);
		ptun_timers_event(peer, PTUN_EV_SENT_INITIATION);
	}
	memzero_explicit(&packet, sizeof(packet));
}

void ptun_packet_handshake_send_worker(struct work_struct *work)
{
	struct ptun_peer *peer = container_of(work, struct ptun_peer,
					      transmit_handshake_work);

	ptun_packet_send_handshake_initiation(peer, false);
	ptun_peer_put(peer);
}

void ptun_packet_send_queued_handshake_initiation(struct ptun_peer *peer,
						  bool is_retry)
{
	if (!is_retry)
		ptun_timers_fresh_handshake(&peer->timers);

	rcu_read_lock_bh();
	/* The worker checks this again; checking here saves queueing it. */
	if (!ptun_birthdate_has_expired(atomic64_read(&peer->last_sent_handshake),
					PTUN_REKEY_TIMEOUT) ||
	    unlikely(READ_ONCE(peer->is_dead)))
		goto out;

	ptun_peer_get(peer);
	/* The worker drops the reference; an already queued one keeps its own. */
	if (!queue_work(peer->device->handshake_send_wq,
			&peer->transmit_handshake_work))
		ptun_peer_put(peer);
out:
	rcu_read_unlock_bh();
}

void ptun_packet_send_handshake_response(struct ptun_peer *peer)
{
	struct ptun_message_handshake_response packet;

	atomic64_set(&peer->last_sent_handshake, ktime_get_coarse_boottime_ns());
	net_dbg_ratelimited("%s: sending handshake response to peer %llu (%pISpfsc)\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr);

	if (ptun_noise_handshake_create_response(&packet, &peer->handshake)) {
		ptun_cookie_stamp_message(&peer->cookie_stamp, &packet, sizeof(packet));
		if (ptun_noise_handshake_begin_session(&peer->handshake,
						       &peer->keypairs)) {
			ptun_timers_event(peer, PTUN_EV_SESSION_DERIVED);
			ptun_send_handshake_message(peer, &packet, sizeof(packet),
						    PTUN_A_HANDSHAKES_RESPONSES_SENT);
		}
	}
	memzero_explicit(&packet, sizeof(packet));
}

void ptun_packet_send_handshake_cookie(struct ptun_device *ptun,
				       struct sk_buff *initiating_skb,
				       __le32 sender_index)
{
	struct ptun_message_handshake_cookie packet;

	net_dbg_ratelimited("%s: under load, answering a handshake with a cookie\n",
			    ptun->dev->name);
	ptun_cookie_gate_reply(&ptun->cookie_gate, initiating_skb, sender_index,
			       &packet);
	ptun_socket_send_buffer_as_reply_to_skb(ptun, initiating_skb, &packet,
						sizeof(packet));
}

/* Start a new handshake before the session gets old, if we initiated it. */
static void ptun_keep_key_fresh(struct ptun_peer *peer)
{
	struct ptun_noise_keypair *keypair;
	bool send;

	rcu_read_lock_bh();
	keypair = rcu_dereference_bh(peer->keypairs.current_keypair);
	send = keypair && READ_ONCE(keypair->sending.is_valid) &&
	       (atomic64_read(&keypair->sending_counter) > PTUN_REKEY_AFTER_MESSAGES ||
		(keypair->i_am_the_initiator &&
		 ptun_birthdate_has_expired(keypair->sending.birthdate,
					    PTUN_REKEY_AFTER_TIME)));
	rcu_read_unlock_bh();

	if (unlikely(send))
		ptun_packet_send_queued_handshake_initiation(peer, false);
}

/* Zero padding up to a multiple of 16, without growing past the MTU. */
static unsigned int ptun_skb_padding(struct sk_buff *skb)
{
	unsigned int mtu = PACKET_CB(skb)->mtu, last = skb->len, padded;

	if (unlikely(!mtu))
		return ALIGN(last, PTUN_MESSAGE_PADDING_MULTIPLE) - last;
	/* A packet larger than the MTU pads only its last MTU-sized piece. */
	if (unlikely(last > mtu))
		last %= mtu;
	padded = min(mtu, ALIGN(last, PTUN_MESSAGE_PADDING_MULTIPLE));
	return padded - last;
}

static bool ptun_encrypt_packet(struct sk_buff *skb,
				struct ptun_noise_keypair *keypair)
{
	unsigned int padding_len, plaintext_len, trailer_len;
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	struct ptun_message_data *header;
	struct sk_buff *trailer;
	int num_frags;

	/* Hash the inner flow now: afterwards it is ciphertext. */
	skb_get_hash(skb);

	padding_len = ptun_skb_padding(skb);
	trailer_len = padding_len + ptun_noise_encrypted_len(0);
	plaintext_len = skb->len + padding_len;

	num_frags = skb_cow_data(skb, trailer_len, &trailer);
	if (unlikely(num_frags < 0 || num_frags > ARRAY_SIZE(sg)))
		return false;
	memset(skb_tail_pointer(trailer), 0, padding_len);

	if (unlikely(skb_cow_head(skb, LL_MAX_HEADER + PTUN_MAX_OUTER_HEADER_LEN) < 0))
		return false;
	/* The checksum covers the inner packet, so before padding and header. */
	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)))
		return false;

	skb_set_inner_network_header(skb, 0);
	header = skb_push(skb, sizeof(*header));
	header->header.type = cpu_to_le32(PTUN_MESSAGE_DATA);
	header->key_idx = keypair->remote_index;
	header->counter = cpu_to_le64(PACKET_CB(skb)->nonce);
	pskb_put(skb, trailer, trailer_len);

	sg_init_table(sg, num_frags);
	if (skb_to_sgvec(skb, sg, sizeof(*header),
			 ptun_noise_encrypted_len(plaintext_len)) <= 0)
		return false;
	return chacha20poly1305_encrypt_sg_inplace(sg, plaintext_len, NULL, 0,
						   PACKET_CB(skb)->nonce,
						   keypair->sending.key);
}

void ptun_packet_encrypt_worker(struct work_struct *work)
{
	struct ptun_crypt_queue *queue =
		container_of(work, struct ptun_multicore_worker, work)->ptr;
	struct sk_buff *skb;

	while ((skb = ptr_ring_consume_bh(&queue->ring)) != NULL) {
		enum ptun_packet_state state = PTUN_PACKET_STATE_CRYPTED;

		if (likely(ptun_encrypt_packet(skb, PACKET_CB(skb)->keypair))) {
			ptun_reset_packet(skb, true);
		} else {
			ptun_count_drop(PACKET_PEER(skb)->device, PACKET_PEER(skb),
					PTUN_A_DROPS_OTHER);
			state = PTUN_PACKET_STATE_DEAD;
		}
		ptun_queue_enqueue_per_peer_tx(skb, state);
		cond_resched();
	}
}

/* Sent in order by the peer's tx worker, once encrypted. */
static void ptun_packet_sent(struct ptun_peer *peer, struct sk_buff *skb)
{
	bool is_keepalive = skb->len == ptun_message_data_len(0);
	u8 ds = PACKET_CB(skb)->ds;

	if (unlikely(ptun_socket_send_skb_to_peer(peer, skb, ds))) {
		ptun_count_drop(peer->device, peer, PTUN_A_DROPS_SEND_FAILED);
		return;
	}
	ptun_timers_event(peer, is_keepalive ? PTUN_EV_SENT_AUTH :
					  PTUN_EV_SENT_AUTH | PTUN_EV_SENT_DATA);
}

void ptun_packet_tx_worker(struct work_struct *work)
{
	struct ptun_peer *peer = container_of(work, struct ptun_peer,
					      transmit_packet_work);
	struct sk_buff *skb;
	bool sent = false;

	while ((skb = ptun_prev_queue_peek_done(&peer->tx_queue)) != NULL) {
		struct ptun_noise_keypair *keypair = PACKET_CB(skb)->keypair;

		if (likely(atomic_read_acquire(&PACKET_CB(skb)->state) ==
			   PTUN_PACKET_STATE_CRYPTED)) {
			ptun_packet_sent(peer, skb);
			sent = true;
		} else {
			kfree_skb(skb);
		}
		ptun_noise_keypair_put(keypair, false);
		/* Each packet held a reference on its peer. */
		ptun_peer_put(peer);
		cond_resched();
	}
	if (sent)
		ptun_keep_key_fresh(peer);
}

/* Hand the packets, nonces assigned, to the encryption workers. */
static void ptun_packet_create_data(struct ptun_peer *peer,
				    struct sk_buff_head *packets,
				    struct ptun_noise_keypair *keypair)
{
	struct ptun_device *ptun = peer->device;
	struct sk_buff *skb;
	int ret;

	while ((skb = __skb_dequeue(packets)) != NULL) {
		rcu_read_lock_bh();
		if (unlikely(READ_ONCE(peer->is_dead))) {
			rcu_read_unlock_bh();
			ptun_count_drop(ptun, peer, PTUN_A_DROPS_OTHER);
			kfree_skb(skb);
			continue;
		}
		/* Each packet holds its keypair and its peer until it is sent. */
		PACKET_CB(skb)->keypair = ptun_noise_keypair_get(keypair);
		ptun_peer_get(peer);
		ret = ptun_queue_enqueue_per_device_and_peer(&ptun->encrypt_queue,
							     &peer->tx_queue, skb,
							     ptun->packet_crypt_wq);
		/* Full: the packet is on the peer's queue; let it be dropped there. */
		if (unlikely(ret == -EPIPE)) {
			ptun_count_drop(ptun, peer, PTUN_A_DROPS_QUEUE_FULL);
			ptun_queue_enqueue_per_peer_tx(skb, PTUN_PACKET_STATE_DEAD);
		}
		rcu_read_unlock_bh();
	}
}

void ptun_packet_purge_staged_packets(struct ptun_peer *peer)
{
	spin_lock_bh(&peer->staged_packet_queue.lock);
	DEV_STATS_ADD(peer->device->dev, tx_dropped,
		      peer->staged_packet_queue.qlen);
	ptun_count_drops(peer->device, peer, PTUN_A_DROPS_NO_SESSION,
			 peer->staged_packet_queue.qlen);
	__skb_queue_purge(&peer->staged_packet_queue);
	spin_unlock_bh(&peer->staged_packet_queue.lock);
}

void ptun_packet_send_staged_packets(struct ptun_peer *peer)
{
	struct ptun_noise_keypair *keypair;
	struct sk_buff_head packets;
	struct sk_buff *skb;

	/* Take what is staged; what comes meanwhile waits for the next call. */
	__skb_queue_head_init(&packets);
	spin_lock_bh(&peer->staged_packet_queue.lock);
	skb_queue_splice_init(&peer->staged_packet_queue, &packets);
	spin_unlock_bh(&peer->staged_packet_queue.lock);
	if (skb_queue_empty(&packets))
		return;

	rcu_read_lock_bh();
	keypair = ptun_noise_keypair_get(rcu_dereference_bh(peer->keypairs.current_keypair));
	rcu_read_unlock_bh();
	if (unlikely(!keypair))
		goto out_nokey;
	if (unlikely(!READ_ONCE(keypair->sending.is_valid)))
		goto out_nokey;
	if (unlikely(ptun_birthdate_has_expired(keypair->sending.birthdate,
						PTUN_REJECT_AFTER_TIME)))
		goto out_invalid;

	/* All of them get nonces, or none is sent with this keypair. */
	skb_queue_walk(&packets, skb) {
		/* The outer header carries the inner ECN bits, no DSCP: no leak. */
		PACKET_CB(skb)->ds = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
		PACKET_CB(skb)->nonce =
			atomic64_inc_return(&keypair->sending_counter) - 1;
		if (unlikely(PACKET_CB(skb)->nonce >= PTUN_REJECT_AFTER_MESSAGES))
			goto out_invalid;
	}

	ptun_packet_create_data(peer, &packets, keypair);
	ptun_noise_keypair_put(keypair, false);
	return;

out_invalid:
	WRITE_ONCE(keypair->sending.is_valid, false);
out_nokey:
	ptun_noise_keypair_put(keypair, false);

	/* Waiting packets must not hold their sockets' send buffers. */
	skb_queue_walk(&packets, skb)
		skb_orphan(skb);
	spin_lock_bh(&peer->staged_packet_queue.lock);
	skb_queue_splice(&packets, &peer->staged_packet_queue);
	spin_unlock_bh(&peer->staged_packet_queue.lock);

	/* No usable session: make one. */
	ptun_packet_send_queued_handshake_initiation(peer, false);
}

void ptun_packet_send_keepalive(struct ptun_peer *peer)
{
	struct sk_buff *skb;

	/* Anything staged already proves we are alive. */
	if (skb_queue_empty(&peer->staged_packet_queue)) {
		skb = alloc_skb(LL_MAX_HEADER + PTUN_MAX_OUTER_HEADER_LEN +
				PTUN_MESSAGE_MINIMUM_LENGTH, GFP_ATOMIC);
		if (unlikely(!skb))
			return;
		skb_reserve(skb, LL_MAX_HEADER + PTUN_MAX_OUTER_HEADER_LEN);
		skb->dev = peer->device->dev;
		PACKET_CB(skb)->mtu = skb->dev->mtu;
		skb_queue_tail(&peer->staged_packet_queue, skb);
		net_dbg_ratelimited("%s: sending keepalive to peer %llu (%pISpfsc)\n",
				    peer->device->dev->name, peer->internal_id,
				    &peer->endpoint.addr);
	}
	ptun_packet_send_staged_packets(peer);
}
