// SPDX-License-Identifier: GPL-2.0
/*
 * The crypt queues and their per-CPU workers; see queueing.h for the
 * ordering scheme.
 */
#include <linux/cpumask.h>
#include <net/ip_tunnels.h>

#include "device.h"
#include "peer.h"
#include "queueing.h"

int ptun_packet_queue_init(struct ptun_crypt_queue *queue, work_func_t function,
			   unsigned int len)
{
	int cpu, ret;

	memset(queue, 0, sizeof(*queue));
	queue->last_cpu = -1;
	ret = ptr_ring_init(&queue->ring, len, GFP_KERNEL);
	if (ret)
		return ret;
	queue->worker = alloc_percpu(struct ptun_multicore_worker);
	if (!queue->worker) {
		ptr_ring_cleanup(&queue->ring, NULL);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(queue->worker, cpu)->ptr = queue;
		INIT_WORK(&per_cpu_ptr(queue->worker, cpu)->work, function);
	}
	return 0;
}

/* The workers are flushed and every packet is gone by the time this runs. */
void ptun_packet_queue_free(struct ptun_crypt_queue *queue)
{
	free_percpu(queue->worker);
	WARN_ON(!__ptr_ring_empty(&queue->ring));
	ptr_ring_cleanup(&queue->ring, NULL);
}

void ptun_prev_queue_init(struct ptun_prev_queue *queue)
{
	skb_queue_head_init(&queue->queue);
}

int ptun_cpumask_next_online(int *last_cpu)
{
	int cpu = cpumask_next(READ_ONCE(*last_cpu), cpu_online_mask);

	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	WRITE_ONCE(*last_cpu, cpu);
	return cpu;
}

int ptun_queue_enqueue_per_device_and_peer(struct ptun_crypt_queue *device_queue,
					   struct ptun_prev_queue *peer_queue,
					   struct sk_buff *skb,
					   struct workqueue_struct *wq)
{
	int cpu;

	atomic_set_release(&PACKET_CB(skb)->state, PTUN_PACKET_STATE_UNCRYPTED);
	/*
	 * The peer's queue first: whichever worker finishes the packet will
	 * find it there, in its place.
	 */
	skb_queue_tail(&peer_queue->queue, skb);

	if (unlikely(ptr_ring_produce_bh(&device_queue->ring, skb)))
		return -EPIPE;
	cpu = ptun_cpumask_next_online(&device_queue->last_cpu);
	queue_work_on(cpu, wq, &per_cpu_ptr(device_queue->worker, cpu)->work);
	return 0;
}

void ptun_queue_enqueue_per_peer_tx(struct sk_buff *skb, enum ptun_packet_state state)
{
	/* The peer reference comes with the packet, dropped by the tx worker. */
	struct ptun_peer *peer = PACKET_PEER(skb);

	atomic_set_release(&PACKET_CB(skb)->state, state);
	queue_work(peer->device->packet_crypt_wq, &peer->transmit_packet_work);
}

void ptun_queue_enqueue_per_peer_rx(struct sk_buff *skb, enum ptun_packet_state state)
{
	struct ptun_peer *peer = PACKET_PEER(skb);

	atomic_set_release(&PACKET_CB(skb)->state, state);
	napi_schedule(&peer->napi);
}

struct sk_buff *ptun_prev_queue_peek_done(struct ptun_prev_queue *queue)
{
	struct sk_buff *skb;
	unsigned long flags;

	spin_lock_irqsave(&queue->queue.lock, flags);
	skb = skb_peek(&queue->queue);
	if (skb && atomic_read_acquire(&PACKET_CB(skb)->state) !=
		   PTUN_PACKET_STATE_UNCRYPTED)
		__skb_unlink(skb, &queue->queue);
	else
		skb = NULL;
	spin_unlock_irqrestore(&queue->queue.lock, flags);
	return skb;
}

void ptun_reset_packet(struct sk_buff *skb, bool encapsulating)
{
	const int pfmemalloc = skb->pfmemalloc;
	u32 hash = skb->hash;
	u8 l4_hash = skb->l4_hash;
	u8 sw_hash = skb->sw_hash;

	skb_scrub_packet(skb, true);
	memset(&skb->headers, 0, sizeof(skb->headers));
	if (encapsulating) {
		/* Keep the inner flow's hash for the outer packet's steering. */
		skb->l4_hash = l4_hash;
		skb->sw_hash = sw_hash;
		skb->hash = hash;
	}
	skb->queue_mapping = 0;
	skb->nohdr = 0;
	skb->peeked = 0;
	skb->mac_len = 0;
	skb->dev = NULL;
#ifdef CONFIG_NET_SCHED
	skb->tc_index = 0;
#endif
	skb_reset_redirect(skb);
	skb->hdr_len = skb_headroom(skb);
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	skb_probe_transport_header(skb);
	skb_reset_inner_headers(skb);
	skb->pfmemalloc = pfmemalloc;
}

__be16 ptun_examine_packet_protocol(struct sk_buff *skb)
{
	__be16 real = ip_tunnel_parse_protocol(skb);

	return real && skb->protocol == real ? real : 0;
}
