/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving packets between the packet paths and the crypto workers.
 *
 * Encryption and decryption run on every CPU in parallel, yet each peer's
 * packets must leave (and be delivered) in the order they came.  So each
 * packet goes on two queues: the device's crypt queue, from which any CPU's
 * worker takes it, and the peer's ordered queue (tx_queue or rx_queue).  A
 * worker marks the packet done in its control block; the peer's serial
 * worker takes packets off the head of the ordered queue only once they are
 * done, so order is kept whichever CPU finished first.
 */
#ifndef _PTUN_QUEUEING_H
#define _PTUN_QUEUEING_H

#include <linux/ptr_ring.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

struct ptun_device;
struct ptun_peer;
struct ptun_noise_keypair;

enum ptun_packet_state {
	PTUN_PACKET_STATE_UNCRYPTED,
	PTUN_PACKET_STATE_CRYPTED,
	PTUN_PACKET_STATE_DEAD,
};

/*
 * @nonce is a data packet's counter; @queued_at, in a handshake message, is
 * when it entered the handshake queue (coarse boottime ns).
 */
struct ptun_packet_cb {
	union {
		u64 nonce;
		u64 queued_at;
	};
	struct ptun_noise_keypair *keypair;
	atomic_t state;
	u32 mtu;
	u8 ds;
};

#define PACKET_CB(skb) ((struct ptun_packet_cb *)((skb)->cb))
#define PACKET_PEER(skb) (PACKET_CB(skb)->keypair->entry.peer)

struct ptun_multicore_worker {
	void *ptr;
	struct work_struct work;
};

/* The device-wide queue the crypto workers of every CPU feed from. */
struct ptun_crypt_queue {
	struct ptr_ring ring;
	struct ptun_multicore_worker __percpu *worker;
	int last_cpu;
};

/* A peer's packets in submission order; the list's lock guards it. */
struct ptun_prev_queue {
	struct sk_buff_head queue;
};

int ptun_packet_queue_init(struct ptun_crypt_queue *queue, work_func_t function,
			   unsigned int len);
void ptun_packet_queue_free(struct ptun_crypt_queue *queue);
void ptun_prev_queue_init(struct ptun_prev_queue *queue);
/* Next online CPU after the last one used, round robin. */
int ptun_cpumask_next_online(int *last_cpu);

/* Hand @skb (already on the peer's ordered queue) to the crypto workers. */
int ptun_queue_enqueue_per_device_and_peer(struct ptun_crypt_queue *device_queue,
					   struct ptun_prev_queue *peer_queue,
					   struct sk_buff *skb,
					   struct workqueue_struct *wq);
/* A crypto worker is done with @skb: let the peer's serial path have it. */
void ptun_queue_enqueue_per_peer_tx(struct sk_buff *skb, enum ptun_packet_state state);
void ptun_queue_enqueue_per_peer_rx(struct sk_buff *skb, enum ptun_packet_state state);
/* The head of @queue if its crypto is finished, else NULL. */
struct sk_buff *ptun_prev_queue_peek_done(struct ptun_prev_queue *queue);

/* Reset what a packet carries from its previous life before reuse. */
void ptun_reset_packet(struct sk_buff *skb, bool encapsulating);
/* The L3 protocol of an inner packet, checked against its header; 0 if bad. */
__be16 ptun_examine_packet_protocol(struct sk_buff *skb);

/* send.c */
void ptun_packet_send_staged_packets(struct ptun_peer *peer);
void ptun_packet_send_handshake_initiation(struct ptun_peer *peer, bool is_retry);
void ptun_packet_send_keepalive(struct ptun_peer *peer);
void ptun_packet_send_queued_handshake_initiation(struct ptun_peer *peer, bool is_retry);
void ptun_packet_send_handshake_response(struct ptun_peer *peer);
void ptun_packet_send_handshake_cookie(struct ptun_device *device,
				       struct sk_buff *initiating_skb,
				       __le32 sender_index);
void ptun_packet_handshake_send_worker(struct work_struct *work);
void ptun_packet_tx_worker(struct work_struct *work);
void ptun_packet_encrypt_worker(struct work_struct *work);
void ptun_packet_purge_staged_packets(struct ptun_peer *peer);

/* receive.c */
void ptun_packet_receive(struct ptun_device *device, struct sk_buff *skb);
void ptun_packet_handshake_receive_worker(struct work_struct *work);
int ptun_packet_rx_poll(struct napi_struct *napi, int budget);
void ptun_packet_decrypt_worker(struct work_struct *work);

#endif /* _PTUN_QUEUEING_H */
