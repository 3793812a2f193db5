// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path: from the socket's encapsulation hook to the stack.
 *
 * Handshake messages go to the handshake workers; data messages are matched
 * to a keypair by index, decrypted on any CPU, and then, in arrival order,
 * checked against the replay window and the peer's allowed IPs in the
 * peer's NAPI poll before they are handed up through GRO.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/udp.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>

#include "cookie.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"
#include "timers.h"

/* Counted as WireGuard counts them: the whole message, as received. */
static void ptun_update_rx_stats(struct ptun_peer *peer, size_t len)
{
	dev_sw_netstats_rx_add(peer->device->dev, len);
	peer->rx_bytes += len;
}

#define PTUN_SKB_TYPE_LE32(skb) (((struct ptun_message_header *)(skb)->data)->type)

/* The length the message's type demands, or 0 if it has no valid length. */
static size_t ptun_validate_header_len(struct sk_buff *skb)
{
	if (unlikely(skb->len < sizeof(struct ptun_message_header)))
		return 0;
	switch (le32_to_cpu(PTUN_SKB_TYPE_LE32(skb))) {
	case PTUN_MESSAGE_DATA:
		return skb->len >= PTUN_MESSAGE_MINIMUM_LENGTH ?
		       sizeof(struct ptun_message_data) : 0;
	case PTUN_MESSAGE_HANDSHAKE_INITIATION:
		return skb->len == sizeof(struct ptun_message_handshake_initiation) ?
		       skb->len : 0;
	case PTUN_MESSAGE_HANDSHAKE_RESPONSE:
		return skb->len == sizeof(struct ptun_message_handshake_response) ?
		       skb->len : 0;
	case PTUN_MESSAGE_HANDSHAKE_COOKIE:
		return skb->len == sizeof(struct ptun_message_handshake_cookie) ?
		       skb->len : 0;
	}
	/* Includes a type byte with the reserved bytes not zero. */
	return 0;
}

/*
 * Leave skb->data at the message, its header linear, the outer IP and UDP
 * headers in place behind it for the cookie and the endpoint.
 */
static int ptun_prepare_skb_header(struct sk_buff *skb)
{
	size_t data_offset, data_len, header_len;
	struct udphdr *udp;

	if (unlikely(!ptun_examine_packet_protocol(skb) ||
		     skb_transport_header(skb) < skb->head ||
		     skb_transport_header(skb) + sizeof(struct udphdr) >
		     skb_tail_pointer(skb)))
		return -EINVAL;

	udp = udp_hdr(skb);
	data_offset = (u8 *)udp - skb->data;
	if (unlikely(data_offset > U16_MAX ||
		     data_offset + sizeof(struct udphdr) > skb->len))
		return -EINVAL;
	data_len = ntohs(udp->len);
	if (unlikely(data_len < sizeof(struct udphdr) ||
		     data_len > skb->len - data_offset))
		return -EINVAL;
	data_len -= sizeof(struct udphdr);
	data_offset = (u8 *)udp + sizeof(struct udphdr) - skb->data;
	if (unlikely(!pskb_may_pull(skb, data_offset + sizeof(struct ptun_message_header)) ||
		     pskb_trim(skb, data_len + data_offset) < 0))
		return -EINVAL;
	skb_pull(skb, data_offset);
	if (unlikely(skb->len != data_len))
		return -EINVAL;
	header_len = ptun_validate_header_len(skb);
	if (unlikely(!header_len))
		return -EINVAL;
	__skb_push(skb, data_offset);
	if (unlikely(!pskb_may_pull(skb, data_offset + header_len)))
		return -EINVAL;
	__skb_pull(skb, data_offset);
	return 0;
}

/* Under load while the handshake queue is long, and for a second after. */
static bool ptun_handshake_under_load(struct ptun_device *ptun)
{
	u64 last;

	if (atomic_read(&ptun->handshake_queue_len) >=
	    PTUN_MAX_QUEUED_INCOMING_HANDSHAKES / 8) {
		WRITE_ONCE(ptun->last_under_load, ktime_get_coarse_boottime_ns());
		return true;
	}
	last = READ_ONCE(ptun->last_under_load);
	return last && !ptun_birthdate_has_expired(last, 1);
}

/*
 * A message that waited in the queue too long is dropped unread: its sender
 * has moved on, so answering it would only make the fresher messages behind
 * it wait longer.  Such a wait means load, whatever the queue's length now.
 */
static bool ptun_handshake_too_late(struct ptun_device *ptun,
				    struct sk_buff *skb)
{
	u64 now = ktime_get_coarse_boottime_ns();

	if (likely(now - PACKET_CB(skb)->queued_at <= PTUN_HANDSHAKE_MAX_WAIT_NS))
		return false;
	WRITE_ONCE(ptun->last_under_load, now);
	ptun_count_drop(ptun, NULL, PTUN_A_DROPS_HANDSHAKE_LATE);
	net_dbg_ratelimited("%s: dropped a handshake message that waited too long\n",
			    ptun->dev->name);
	return true;
}

/* A cookie reply answers a handshake we sent: its receiver index is ours. */
static void ptun_receive_cookie_reply(struct ptun_device *ptun, struct sk_buff *skb)
{
	struct ptun_message_handshake_cookie *reply = (void *)skb->data;
	struct ptun_peer *peer = NULL;

	net_dbg_ratelimited("%s: received a cookie reply\n", ptun->dev->name);
	if (!ptun_index_table_find(ptun->index_table, reply->receiver_index,
				   PTUN_INDEXED_HANDSHAKE | PTUN_INDEXED_KEYPAIR, &peer)) {
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_UNKNOWN_RECEIVER);
		return;
	}
	switch (ptun_cookie_stamp_take_reply(&peer->cookie_stamp, reply)) {
	case PTUN_COOKIE_TAKEN:
		ptun_count_handshake(peer, PTUN_A_HANDSHAKES_COOKIES_RECEIVED);
		break;
	case PTUN_COOKIE_UNASKED:
		ptun_count_drop(ptun, peer, PTUN_A_DROPS_REPLAYED);
		break;
	case PTUN_COOKIE_FORGED:
		net_dbg_ratelimited("%s: could not decrypt a cookie reply\n",
				    ptun->dev->name);
		ptun_count_drop(ptun, peer, PTUN_A_DROPS_HANDSHAKE_INVALID);
		break;
	}
	ptun_peer_put(peer);
}

/*
 * A session is confirmed both ways (our response's first data came, or a
 * response to our initiation): the timers, and what the dump and the
 * events report.
 */
static void ptun_handshake_done(struct ptun_peer *peer)
{
	ptun_timers_event(peer, PTUN_EV_HANDSHAKE_DONE);
	peer->sent_lastminute_handshake = false;
	ktime_get_real_ts64(&peer->walltime_last_handshake);
	ptun_nl_notify_peer(peer, PTUN_EVENT_HANDSHAKE);
}

static void ptun_receive_handshake_packet(struct ptun_device *ptun,
					  struct sk_buff *skb)
{
	__le32 type = PTUN_SKB_TYPE_LE32(skb);
	enum ptun_mac_verdict macs;
	struct ptun_peer *peer = NULL;
	bool needs_cookie, under_load;

	if (type == cpu_to_le32(PTUN_MESSAGE_HANDSHAKE_COOKIE)) {
		ptun_receive_cookie_reply(ptun, skb);
		return;
	}
	if (ptun_handshake_too_late(ptun, skb))
		return;

	under_load = ptun_handshake_under_load(ptun);
	macs = ptun_cookie_gate_check(&ptun->cookie_gate, skb, under_load);
	if ((under_load && macs == PTUN_MACS_BOTH) ||
	    (!under_load && macs == PTUN_MACS_MAC1_ONLY)) {
		needs_cookie = false;
	} else if (under_load && macs == PTUN_MACS_MAC1_ONLY) {
		needs_cookie = true;
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_MAC2_NEEDED);
	} else {
		net_dbg_ratelimited("%s: dropped a handshake message with an invalid MAC\n",
				    ptun->dev->name);
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_MAC1_INVALID);
		return;
	}
	/*
	 * Loaded, each source (IPv4 address, IPv6 /64) gets its share of
	 * our work, the cookie replies we would write included.
	 */
	if (under_load && !ptun_ratelimiter_allow(&ptun->ratelimiter, skb)) {
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_RATELIMITED);
		net_dbg_ratelimited("%s: dropped a handshake message: its source is over its rate\n",
				    ptun->dev->name);
		return;
	}

	if (type == cpu_to_le32(PTUN_MESSAGE_HANDSHAKE_INITIATION)) {
		struct ptun_message_handshake_initiation *message = (void *)skb->data;

		if (needs_cookie) {
			ptun_packet_send_handshake_cookie(ptun, skb, message->sender_index);
			return;
		}
		peer = ptun_noise_handshake_consume_initiation(message, ptun);
		if (unlikely(!peer)) {
			net_dbg_ratelimited("%s: dropped an invalid handshake initiation\n",
					    ptun->dev->name);
			return;
		}
		ptun_count_handshake(peer, PTUN_A_HANDSHAKES_INITIATIONS_RECEIVED);
		ptun_socket_set_peer_endpoint_from_skb(peer, skb);
		net_dbg_ratelimited("%s: handshake initiation from peer %llu (%pISpfsc)\n",
				    ptun->dev->name, peer->internal_id,
				    &peer->endpoint.addr);
		ptun_packet_send_handshake_response(peer);
	} else {
		struct ptun_message_handshake_response *message = (void *)skb->data;

		if (needs_cookie) {
			ptun_packet_send_handshake_cookie(ptun, skb, message->sender_index);
			return;
		}
		peer = ptun_noise_handshake_consume_response(message, ptun);
		if (unlikely(!peer)) {
			net_dbg_ratelimited("%s: dropped an invalid handshake response\n",
					    ptun->dev->name);
			return;
		}
		ptun_count_handshake(peer, PTUN_A_HANDSHAKES_RESPONSES_RECEIVED);
		ptun_socket_set_peer_endpoint_from_skb(peer, skb);
		net_dbg_ratelimited("%s: handshake response from peer %llu (%pISpfsc)\n",
				    ptun->dev->name, peer->internal_id,
				    &peer->endpoint.addr);
		if (ptun_noise_handshake_begin_session(&peer->handshake,
						       &peer->keypairs)) {
			ptun_timers_event(peer, PTUN_EV_SESSION_DERIVED);
			ptun_handshake_done(peer);
			/*
			 * Staged data confirms the session to the responder;
			 * with none staged, an empty packet does.
			 */
			ptun_packet_send_keepalive(peer);
		}
	}

	local_bh_disable();
	ptun_update_rx_stats(peer, skb->len);
	local_bh_enable();
	ptun_timers_event(peer, PTUN_EV_GOT_AUTH);
	ptun_peer_put(peer);
}

void ptun_packet_handshake_receive_worker(struct work_struct *work)
{
	struct ptun_crypt_queue *queue =
		container_of(work, struct ptun_multicore_worker, work)->ptr;
	struct ptun_device *ptun = container_of(queue, struct ptun_device,
						handshake_queue);
	struct sk_buff *skb;

	while ((skb = ptr_ring_consume_bh(&queue->ring)) != NULL) {
		ptun_receive_handshake_packet(ptun, skb);
		dev_kfree_skb(skb);
		atomic_dec(&ptun->handshake_queue_len);
		cond_resched();
	}
}

/* Start a new handshake before a session we initiated expires. */
static void ptun_keep_key_fresh(struct ptun_peer *peer)
{
	struct ptun_noise_keypair *keypair;
	bool send;

	if (peer->sent_lastminute_handshake)
		return;

	rcu_read_lock_bh();
	keypair = rcu_dereference_bh(peer->keypairs.current_keypair);
	send = keypair && READ_ONCE(keypair->sending.is_valid) &&
	       keypair->i_am_the_initiator &&
	       ptun_birthdate_has_expired(keypair->sending.birthdate,
					  PTUN_REJECT_AFTER_TIME - PTUN_KEEPALIVE_TIMEOUT -
					  PTUN_REKEY_TIMEOUT);
	rcu_read_unlock_bh();

	if (unlikely(send)) {
		peer->sent_lastminute_handshake = true;
		ptun_packet_send_queued_handshake_initiation(peer, false);
	}
}

/* 0 if decrypted, else why not: a PTUN_A_DROPS_* reason. */
static int ptun_decrypt_packet(struct sk_buff *skb,
			       struct ptun_noise_keypair *keypair)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	struct sk_buff *trailer;
	unsigned int offset;
	int num_frags;

	if (unlikely(!READ_ONCE(keypair->receiving.is_valid) ||
		     ptun_birthdate_has_expired(keypair->receiving.birthdate,
						PTUN_REJECT_AFTER_TIME) ||
		     READ_ONCE(keypair->receiving_counter.counter) >=
		     PTUN_REJECT_AFTER_MESSAGES)) {
		WRITE_ONCE(keypair->receiving.is_valid, false);
		return PTUN_A_DROPS_KEY_EXPIRED;
	}

	PACKET_CB(skb)->nonce =
		le64_to_cpu(((struct ptun_message_data *)skb->data)->counter);

	/*
	 * skb_cow_data() may reallocate: include the outer headers so they
	 * survive it, for the endpoint we learn from them later.
	 */
	offset = -skb_network_offset(skb);
	skb_push(skb, offset);
	num_frags = skb_cow_data(skb, 0, &trailer);
	offset += sizeof(struct ptun_message_data);
	skb_pull(skb, offset);
	if (unlikely(num_frags < 0 || num_frags > ARRAY_SIZE(sg)))
		return PTUN_A_DROPS_OTHER;

	sg_init_table(sg, num_frags);
	if (skb_to_sgvec(skb, sg, 0, skb->len) <= 0)
		return PTUN_A_DROPS_OTHER;
	if (!chacha20poly1305_decrypt_sg_inplace(sg, skb->len, NULL, 0,
						 PACKET_CB(skb)->nonce,
						 keypair->receiving.key))
		return PTUN_A_DROPS_DECRYPT_FAILED;

	/* Drop the tag, again keeping the outer headers. */
	skb_push(skb, offset);
	if (pskb_trim(skb, skb->len - ptun_noise_encrypted_len(0)))
		return PTUN_A_DROPS_OTHER;
	skb_pull(skb, offset);
	return 0;
}

void ptun_packet_decrypt_worker(struct work_struct *work)
{
	struct ptun_crypt_queue *queue =
		container_of(work, struct ptun_multicore_worker, work)->ptr;
	struct sk_buff *skb;

	while ((skb = ptr_ring_consume_bh(&queue->ring)) != NULL) {
		enum ptun_packet_state state = PTUN_PACKET_STATE_CRYPTED;
		int reason = ptun_decrypt_packet(skb, PACKET_CB(skb)->keypair);

		if (unlikely(reason)) {
			ptun_count_drop(PACKET_PEER(skb)->device, PACKET_PEER(skb),
					reason);
			state = PTUN_PACKET_STATE_DEAD;
		}
		ptun_queue_enqueue_per_peer_rx(skb, state);
		cond_resched();
	}
}

/* A decrypted, in-order, fresh packet from @peer: deliver it or drop it. */
static void ptun_packet_consume_data_done(struct ptun_peer *peer,
					  struct sk_buff *skb,
					  struct ptun_endpoint *endpoint)
{
	struct net_device *dev = peer->device->dev;
	unsigned int len, len_before_trim;
	struct ptun_peer *routed_peer;

	ptun_socket_set_peer_endpoint(peer, endpoint);

	if (unlikely(ptun_noise_received_with_keypair(&peer->keypairs,
						      PACKET_CB(skb)->keypair))) {
		ptun_handshake_done(peer);
		ptun_packet_send_staged_packets(peer);
	}
	ptun_keep_key_fresh(peer);
	ptun_timers_event(peer, skb->len ? PTUN_EV_GOT_AUTH | PTUN_EV_GOT_DATA :
					   PTUN_EV_GOT_AUTH);

	if (unlikely(!skb->len)) {
		ptun_update_rx_stats(peer, ptun_message_data_len(0));
		net_dbg_ratelimited("%s: keepalive from peer %llu (%pISpfsc)\n",
				    dev->name, peer->internal_id,
				    &peer->endpoint.addr);
		goto drop;
	}

	if (unlikely(skb_network_header(skb) < skb->head))
		goto dishonest_size;
	if (unlikely(!(pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		       (ip_hdr(skb)->version == 4 ||
			(ip_hdr(skb)->version == 6 &&
			 pskb_network_may_pull(skb, sizeof(struct ipv6hdr)))))))
		goto dishonest_type;

	skb->dev = dev;
	/* Poly1305 vouched for every byte: no checksum needs checking again. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	skb->protocol = ip_tunnel_parse_protocol(skb);
	if (skb->protocol == htons(ETH_P_IP)) {
		len = ntohs(ip_hdr(skb)->tot_len);
		if (unlikely(len < sizeof(struct iphdr)))
			goto dishonest_size;
		INET_ECN_decapsulate(skb, PACKET_CB(skb)->ds, ip_hdr(skb)->tos);
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		len = ntohs(ipv6_hdr(skb)->payload_len) + sizeof(struct ipv6hdr);
		INET_ECN_decapsulate(skb, PACKET_CB(skb)->ds,
				     ipv6_get_dsfield(ipv6_hdr(skb)));
	} else {
		goto dishonest_type;
	}
	if (unlikely(len > skb->len))
		goto dishonest_size;
	len_before_trim = skb->len;
	if (unlikely(pskb_trim(skb, len))) {
		ptun_count_drop(peer->device, peer, PTUN_A_DROPS_OTHER);
		goto drop;
	}

	/* Cryptokey routing, inbound: the source must be the peer's. */
	routed_peer = ptun_allowedips_lookup_src(&peer->device->peer_allowedips, skb);
	if (routed_peer)
		ptun_peer_put(routed_peer);
	if (unlikely(routed_peer != peer)) {
		net_dbg_ratelimited("%s: peer %llu (%pISpfsc) sent a packet from an address it is not allowed\n",
				    dev->name, peer->internal_id,
				    &peer->endpoint.addr);
		DEV_STATS_INC(dev, rx_errors);
		DEV_STATS_INC(dev, rx_frame_errors);
		ptun_count_drop(peer->device, peer, PTUN_A_DROPS_SOURCE_NOT_ALLOWED);
		goto drop;
	}

	napi_gro_receive(&peer->napi, skb);
	ptun_update_rx_stats(peer, ptun_message_data_len(len_before_trim));
	return;

dishonest_type:
	DEV_STATS_INC(dev, rx_errors);
	DEV_STATS_INC(dev, rx_frame_errors);
	ptun_count_drop(peer->device, peer, PTUN_A_DROPS_INNER_MALFORMED);
	goto drop;
dishonest_size:
	DEV_STATS_INC(dev, rx_errors);
	DEV_STATS_INC(dev, rx_length_errors);
	ptun_count_drop(peer->device, peer, PTUN_A_DROPS_INNER_MALFORMED);
drop:
	dev_kfree_skb(skb);
}

int ptun_packet_rx_poll(struct napi_struct *napi, int budget)
{
	struct ptun_peer *peer = container_of(napi, struct ptun_peer, napi);
	struct ptun_endpoint endpoint;
	struct sk_buff *skb;
	int work_done = 0;

	if (unlikely(budget <= 0))
		return 0;

	while ((skb = ptun_prev_queue_peek_done(&peer->rx_queue)) != NULL) {
		struct ptun_noise_keypair *keypair = PACKET_CB(skb)->keypair;
		int reason = 0;

		/* A dead packet was counted where it died. */
		if (unlikely(atomic_read_acquire(&PACKET_CB(skb)->state) !=
			     PTUN_PACKET_STATE_CRYPTED))
			reason = -1;
		else if (unlikely(!ptun_replay_counter_validate(&keypair->receiving_counter,
								PACKET_CB(skb)->nonce)))
			reason = PTUN_A_DROPS_REPLAYED;
		else if (unlikely(ptun_socket_endpoint_from_skb(&endpoint, skb)))
			reason = PTUN_A_DROPS_OTHER;

		if (likely(!reason)) {
			ptun_reset_packet(skb, false);
			ptun_packet_consume_data_done(peer, skb, &endpoint);
		} else if (reason > 0) {
			ptun_count_drop(peer->device, peer, reason);
		}

		ptun_noise_keypair_put(keypair, false);
		/* Each packet held a reference on its peer. */
		ptun_peer_put(peer);
		if (unlikely(reason))
			dev_kfree_skb(skb);
		if (++work_done >= budget)
			break;
	}

	if (work_done < budget)
		napi_complete_done(napi, work_done);
	return work_done;
}

static void ptun_packet_consume_data(struct ptun_device *ptun, struct sk_buff *skb)
{
	__le32 idx = ((struct ptun_message_data *)skb->data)->key_idx;
	struct ptun_indexed *entry;
	struct ptun_peer *peer = NULL;
	int ret;

	rcu_read_lock_bh();
	entry = ptun_index_table_find(ptun->index_table, idx, PTUN_INDEXED_KEYPAIR, &peer);
	PACKET_CB(skb)->keypair = entry ?
		ptun_noise_keypair_get(container_of(entry, struct ptun_noise_keypair,
						    entry)) : NULL;
	if (unlikely(!PACKET_CB(skb)->keypair)) {
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_UNKNOWN_RECEIVER);
		goto err_keypair;
	}
	if (unlikely(READ_ONCE(peer->is_dead))) {
		ptun_count_drop(ptun, peer, PTUN_A_DROPS_OTHER);
		goto err;
	}

	ret = ptun_queue_enqueue_per_device_and_peer(&ptun->decrypt_queue,
						     &peer->rx_queue, skb,
						     ptun->packet_crypt_wq);
	/* Full: the packet is on the peer's queue; it is dropped there. */
	if (unlikely(ret == -EPIPE)) {
		ptun_count_drop(ptun, peer, PTUN_A_DROPS_QUEUE_FULL);
		ptun_queue_enqueue_per_peer_rx(skb, PTUN_PACKET_STATE_DEAD);
	}
	rcu_read_unlock_bh();
	return;

err:
	ptun_noise_keypair_put(PACKET_CB(skb)->keypair, false);
err_keypair:
	rcu_read_unlock_bh();
	if (peer)
		ptun_peer_put(peer);
	dev_kfree_skb(skb);
}

static void ptun_queue_handshake(struct ptun_device *ptun, struct sk_buff *skb)
{
	int cpu, ret = -EBUSY;

	if (unlikely(!rng_is_initialized())) {
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_OTHER);
		goto drop;
	}
	PACKET_CB(skb)->queued_at = ktime_get_coarse_boottime_ns();
	/*
	 * Past half the queue, do not wait for the lock: under a flood,
	 * dropping is better than spinning.
	 */
	if (atomic_read(&ptun->handshake_queue_len) >
	    PTUN_MAX_QUEUED_INCOMING_HANDSHAKES / 2) {
		if (spin_trylock_bh(&ptun->handshake_queue.ring.producer_lock)) {
			ret = __ptr_ring_produce(&ptun->handshake_queue.ring, skb);
			spin_unlock_bh(&ptun->handshake_queue.ring.producer_lock);
		}
	} else {
		ret = ptr_ring_produce_bh(&ptun->handshake_queue.ring, skb);
	}
	if (ret) {
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_QUEUE_FULL);
		goto drop;
	}
	atomic_inc(&ptun->handshake_queue_len);
	cpu = ptun_cpumask_next_online(&ptun->handshake_queue.last_cpu);
	queue_work_on(cpu, ptun->handshake_receive_wq,
		      &per_cpu_ptr(ptun->handshake_queue.worker, cpu)->work);
	return;

drop:
	net_dbg_ratelimited("%s: dropped a handshake message: queue full\n",
			    ptun->dev->name);
	dev_kfree_skb(skb);
}

void ptun_packet_receive(struct ptun_device *ptun, struct sk_buff *skb)
{
	if (unlikely(ptun_prepare_skb_header(skb) < 0))
		goto drop;

	switch (le32_to_cpu(PTUN_SKB_TYPE_LE32(skb))) {
	case PTUN_MESSAGE_HANDSHAKE_INITIATION:
	case PTUN_MESSAGE_HANDSHAKE_RESPONSE:
	case PTUN_MESSAGE_HANDSHAKE_COOKIE:
		ptun_queue_handshake(ptun, skb);
		return;
	case PTUN_MESSAGE_DATA:
		PACKET_CB(skb)->ds = ip_tunnel_get_dsfield(ip_hdr(skb), skb);
		ptun_packet_consume_data(ptun, skb);
		return;
	}
drop:
	ptun_count_drop(ptun, NULL, PTUN_A_DROPS_MALFORMED);
	dev_kfree_skb(skb);
}
