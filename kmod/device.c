// SPDX-License-Identifier: GPL-2.0
/*
 * The ptun network device: an ARP-less, point-to-point L3 interface created
 * with "ip link add dev pt0 type ptun".  Its transmit function picks the
 * peer by the packet's destination and stages the packet there (send.c).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/dst_metadata.h>
#include <net/icmp.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "device.h"
#include "messages.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"
#include "timers.h"

/* Every ptun device, for the pernet exit hook; under RTNL. */
static LIST_HEAD(ptun_device_list);

static const struct device_type ptun_device_type = {
	.name = PTUN_LINK_KIND,
};

static int ptun_open(struct net_device *dev)
{
	struct ptun_device *ptun = netdev_priv(dev);
	struct ptun_peer *peer;
	int ret;

	mutex_lock(&ptun->update_lock);
	ret = ptun_socket_init(ptun, ptun->incoming_port);
	if (ret < 0)
		goto out;
	list_for_each_entry(peer, &ptun->peer_list, peer_list) {
		ptun_packet_send_staged_packets(peer);
		if (peer->persistent_keepalive_interval)
			ptun_packet_send_keepalive(peer);
	}
out:
	mutex_unlock(&ptun->update_lock);
	return ret;
}

/* Down means no sessions: keys, handshakes and waiting packets go. */
static int ptun_stop(struct net_device *dev)
{
	struct ptun_device *ptun = netdev_priv(dev);
	struct ptun_peer *peer;

	mutex_lock(&ptun->update_lock);
	list_for_each_entry(peer, &ptun->peer_list, peer_list) {
		ptun_packet_purge_staged_packets(peer);
		ptun_timers_stop(peer);
		ptun_noise_handshake_clear(&peer->handshake);
		ptun_noise_keypairs_clear(&peer->keypairs);
		ptun_noise_reset_last_sent_handshake(&peer->last_sent_handshake);
	}
	mutex_unlock(&ptun->update_lock);
	ptun_socket_reinit(ptun, NULL, NULL);
	return 0;
}

/* Tell the sender its destination cannot be reached through us. */
static void ptun_xmit_unreachable(struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
		break;
	case htons(ETH_P_IPV6):
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
		break;
	}
}

/* Segments of a GSO packet, each ready to be staged, on @packets. */
static int ptun_xmit_split(struct ptun_peer *peer, struct sk_buff *skb, u32 mtu,
			   struct sk_buff_head *packets)
{
	struct sk_buff *segs, *next;

	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR(segs))
			return PTR_ERR(segs);
		dev_kfree_skb(skb);
		skb = segs;
	}
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (unlikely(!skb)) {
			ptun_count_drop(peer->device, peer, PTUN_A_DROPS_OTHER);
			continue;
		}
		/* The route was kept only for ICMP; past here it is not needed. */
		skb_dst_drop(skb);
		PACKET_CB(skb)->mtu = mtu;
		__skb_queue_tail(packets, skb);
	}
	return 0;
}

static netdev_tx_t ptun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct ptun_device *ptun = netdev_priv(dev);
	struct sk_buff_head packets;
	struct ptun_peer *peer;
	sa_family_t family;
	u32 mtu;
	int ret;

	if (unlikely(!ptun_examine_packet_protocol(skb))) {
		ret = -EPROTONOSUPPORT;
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_OTHER);
		goto err;
	}

	peer = ptun_allowedips_lookup_dst(&ptun->peer_allowedips, skb);
	if (unlikely(!peer)) {
		ret = -ENOKEY;
		ptun_count_drop(ptun, NULL, PTUN_A_DROPS_NO_PEER);
		ptun_xmit_unreachable(skb);
		goto err;
	}

	family = READ_ONCE(peer->endpoint.addr.sa_family);
	if (unlikely(family != AF_INET && family != AF_INET6)) {
		ret = -EDESTADDRREQ;
		net_dbg_ratelimited("%s: no endpoint for peer %llu\n",
				    dev->name, peer->internal_id);
		ptun_count_drop(ptun, peer, PTUN_A_DROPS_NO_ENDPOINT);
		ptun_xmit_unreachable(skb);
		goto err_peer;
	}

	mtu = skb_valid_dst(skb) ? dst_mtu(skb_dst(skb)) : dev->mtu;
	__skb_queue_head_init(&packets);
	ret = ptun_xmit_split(peer, skb, mtu, &packets);
	if (unlikely(ret)) {
		ptun_count_drop(ptun, peer, PTUN_A_DROPS_OTHER);
		goto err_peer;
	}

	spin_lock_bh(&peer->staged_packet_queue.lock);
	skb_queue_splice_tail(&packets, &peer->staged_packet_queue);
	/* A bounded wait for the handshake: the oldest packets give way. */
	while (skb_queue_len(&peer->staged_packet_queue) > PTUN_MAX_STAGED_PACKETS) {
		dev_kfree_skb(__skb_dequeue(&peer->staged_packet_queue));
		DEV_STATS_INC(dev, tx_dropped);
		ptun_count_drop(ptun, peer, PTUN_A_DROPS_STAGED_FULL);
	}
	spin_unlock_bh(&peer->staged_packet_queue.lock);

	ptun_packet_send_staged_packets(peer);
	ptun_peer_put(peer);
	return NETDEV_TX_OK;

err_peer:
	ptun_peer_put(peer);
err:
	DEV_STATS_INC(dev, tx_errors);
	kfree_skb(skb);
	return ret;
}

static int ptun_init(struct net_device *dev)
{
	return ptun_compat_alloc_tstats(dev);
}

static void ptun_uninit(struct net_device *dev)
{
	ptun_compat_free_tstats(dev);
}

static const struct net_device_ops ptun_netdev_ops = {
	.ndo_init = ptun_init,
	.ndo_uninit = ptun_uninit,
	.ndo_open = ptun_open,
	.ndo_stop = ptun_stop,
	.ndo_start_xmit = ptun_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void ptun_free_queues(struct ptun_device *ptun)
{
	ptun_packet_queue_free(&ptun->handshake_queue);
	ptun_packet_queue_free(&ptun->decrypt_queue);
	ptun_packet_queue_free(&ptun->encrypt_queue);
}

static void ptun_free_workqueues(struct ptun_device *ptun)
{
	destroy_workqueue(ptun->handshake_receive_wq);
	destroy_workqueue(ptun->handshake_send_wq);
	destroy_workqueue(ptun->packet_crypt_wq);
}

/* Runs after unregistration, outside RTNL: the rest of the device goes. */
static void ptun_destruct(struct net_device *dev)
{
	struct ptun_device *ptun = netdev_priv(dev);
	LIST_HEAD(dead);
	bool had_peers;

	rtnl_lock();
	list_del(&ptun->device_list);
	rtnl_unlock();

	mutex_lock(&ptun->update_lock);
	ptun->creating_net = NULL;
	ptun_socket_reinit(ptun, NULL, NULL);
	ptun_peer_remove_all(ptun, &dead);
	mutex_unlock(&ptun->update_lock);
	had_peers = ptun_peers_release(ptun, &dead);

	mutex_lock(&ptun->update_lock);
	/* Whatever the peers left in flight is dropped with the workqueues. */
	ptun_free_workqueues(ptun);
	ptun_free_queues(ptun);
	/* No handshake worker is left to ask it. */
	ptun_ratelimiter_uninit(&ptun->ratelimiter);
	/*
	 * The peers just removed, and their keypairs, go after a grace
	 * period: wait for them, so that deleting a device frees its memory
	 * before it returns.  None of these callbacks touches the device
	 * (module unload waits for any still queued), so without peers
	 * there is nothing to wait for.
	 */
	if (had_peers)
		rcu_barrier();
	ptun_allowedips_free(&ptun->peer_allowedips, &ptun->update_lock);
	ptun_noise_clear_static_identity(&ptun->static_identity);
	ptun_index_table_destroy(ptun->index_table);
	ptun_peer_table_destroy(ptun->peer_table);
	mutex_unlock(&ptun->update_lock);
	free_percpu(ptun->counters);
	pr_debug("%s: device destroyed\n", dev->name);
}

static void ptun_setup(struct net_device *dev)
{
	struct ptun_device *ptun = netdev_priv(dev);

	dev->netdev_ops = &ptun_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	ptun_compat_set_lltx(dev);
	ptun_compat_setup_tstats(dev);
	/* The route is still needed to answer with ICMP. */
	netif_keep_dst(dev);
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = LL_MAX_HEADER + PTUN_MAX_OUTER_HEADER_LEN;
	dev->needed_tailroom = PTUN_MESSAGE_PADDING_MULTIPLE - 1 +
			       PTUN_DATA_AUTHTAG_LEN;
	dev->features |= NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_SG |
			 NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA;
	dev->hw_features |= dev->features;
	dev->hw_enc_features |= dev->features;
	dev->mtu = PTUN_DEFAULT_MTU;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = PTUN_MAX_MTU;
	dev->needs_free_netdev = true;
	SET_NETDEV_DEVTYPE(dev, &ptun_device_type);

	memset(ptun, 0, sizeof(*ptun));
	ptun->dev = dev;
	mutex_init(&ptun->update_lock);
	mutex_init(&ptun->socket_update_lock);
	INIT_LIST_HEAD(&ptun->peer_list);
}

static int ptun_alloc_workqueues(struct ptun_device *ptun)
{
	const char *name = ptun->dev->name;

	ptun->handshake_receive_wq = alloc_workqueue("ptun-kex-rx-%s",
						     WQ_PERCPU | WQ_CPU_INTENSIVE | WQ_FREEZABLE,
						     0, name);
	ptun->handshake_send_wq = alloc_workqueue("ptun-kex-tx-%s",
						  WQ_UNBOUND | WQ_FREEZABLE, 0, name);
	ptun->packet_crypt_wq = alloc_workqueue("ptun-crypt-%s",
						WQ_PERCPU | WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM,
						0, name);
	if (ptun->handshake_receive_wq && ptun->handshake_send_wq &&
	    ptun->packet_crypt_wq)
		return 0;
	if (ptun->handshake_receive_wq)
		destroy_workqueue(ptun->handshake_receive_wq);
	if (ptun->handshake_send_wq)
		destroy_workqueue(ptun->handshake_send_wq);
	if (ptun->packet_crypt_wq)
		destroy_workqueue(ptun->packet_crypt_wq);
	return -ENOMEM;
}

static int ptun_alloc_queues(struct ptun_device *ptun)
{
	int ret;

	ret = ptun_packet_queue_init(&ptun->encrypt_queue, ptun_packet_encrypt_worker,
				     PTUN_MAX_QUEUED_PACKETS);
	if (ret)
		return ret;
	ret = ptun_packet_queue_init(&ptun->decrypt_queue, ptun_packet_decrypt_worker,
				     PTUN_MAX_QUEUED_PACKETS);
	if (ret)
		goto err_encrypt;
	ret = ptun_packet_queue_init(&ptun->handshake_queue,
				     ptun_packet_handshake_receive_worker,
				     PTUN_MAX_QUEUED_INCOMING_HANDSHAKES);
	if (ret)
		goto err_decrypt;
	return 0;

err_decrypt:
	ptun_packet_queue_free(&ptun->decrypt_queue);
err_encrypt:
	ptun_packet_queue_free(&ptun->encrypt_queue);
	return ret;
}

static int ptun_newlink(struct net *src_net, struct net_device *dev,
			struct netlink_ext_ack *extack)
{
	struct ptun_device *ptun = netdev_priv(dev);
	struct inet6_dev *idev;
	int ret = -ENOMEM;

	ptun->creating_net = src_net;
	ptun_noise_static_identity_init(&ptun->static_identity);
	ptun_allowedips_init(&ptun->peer_allowedips);
	ptun_cookie_gate_init(&ptun->cookie_gate);

	ptun->counters = ptun_counters_alloc();
	if (!ptun->counters)
		return ret;
	ptun->peer_table = ptun_peer_table_create();
	if (!ptun->peer_table)
		goto err_counters;
	ptun->index_table = ptun_index_table_create();
	if (!ptun->index_table)
		goto err_pubkey;
	ret = ptun_alloc_workqueues(ptun);
	if (ret)
		goto err_index;
	ret = ptun_alloc_queues(ptun);
	if (ret)
		goto err_workqueues;
	ret = ptun_ratelimiter_init(&ptun->ratelimiter);
	if (ret)
		goto err_queues;

	ret = register_netdevice(dev);
	if (ret)
		goto err_ratelimiter;
	list_add(&ptun->device_list, &ptun_device_list);
	/* Set only now, so that a failed registration does not call it. */
	dev->priv_destructor = ptun_destruct;

	/*
	 * No IPv6 link-local address: the tunnel has no link layer to derive
	 * one from, and an address the user did not configure would be sent
	 * to peers.  "ip link set addrgenmode" can still ask for one.
	 */
	idev = __in6_dev_get(dev);
	if (idev)
		WRITE_ONCE(idev->cnf.addr_gen_mode, IN6_ADDR_GEN_MODE_NONE);
	return 0;

err_ratelimiter:
	ptun_ratelimiter_uninit(&ptun->ratelimiter);
err_queues:
	ptun_free_queues(ptun);
err_workqueues:
	ptun_free_workqueues(ptun);
err_index:
	ptun_index_table_destroy(ptun->index_table);
err_pubkey:
	ptun_peer_table_destroy(ptun->peer_table);
err_counters:
	free_percpu(ptun->counters);
	return ret;
}

PTUN_COMPAT_NEWLINK(ptun_newlink)

static struct rtnl_link_ops ptun_link_ops __read_mostly = {
	.kind = PTUN_LINK_KIND,
	.priv_size = sizeof(struct ptun_device),
	.setup = ptun_setup,
	.newlink = ptun_newlink_compat,
};

/* NULL unless dev is a ptun device; the caller holds a reference on dev. */
struct ptun_device *ptun_device_from_netdev(struct net_device *dev)
{
	if (dev->rtnl_link_ops != &ptun_link_ops)
		return NULL;
	return netdev_priv(dev);
}

/*
 * A netns is going away: devices born there lose their sockets (they keep
 * working as devices wherever they are, but cannot tunnel until recreated).
 */
static void ptun_netns_pre_exit(struct net *net)
{
	struct ptun_device *ptun;

	rtnl_lock();
	list_for_each_entry(ptun, &ptun_device_list, device_list) {
		if (ptun->creating_net != net)
			continue;
		pr_debug("%s: birth netns gone, closing sockets\n", ptun->dev->name);
		mutex_lock(&ptun->update_lock);
		ptun->creating_net = NULL;
		ptun_socket_reinit(ptun, NULL, NULL);
		mutex_unlock(&ptun->update_lock);
	}
	rtnl_unlock();
}

static struct pernet_operations ptun_netns_ops = {
	.pre_exit = ptun_netns_pre_exit,
};

int __init ptun_device_init(void)
{
	int ret;

	ret = register_pernet_device(&ptun_netns_ops);
	if (ret)
		return ret;
	ret = rtnl_link_register(&ptun_link_ops);
	if (ret)
		unregister_pernet_device(&ptun_netns_ops);
	return ret;
}

void ptun_device_uninit(void)
{
	rtnl_link_unregister(&ptun_link_ops);
	unregister_pernet_device(&ptun_netns_ops);
	rcu_barrier();
}

MODULE_ALIAS_RTNL_LINK(PTUN_LINK_KIND);
