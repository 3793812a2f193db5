// SPDX-License-Identifier: GPL-2.0
/*
 * UDP sockets of a ptun device.
 *
 * There is one IPv4 and, when IPv6 is available, one IPv6 socket on the same
 * port, opened in the device's birth netns.  The encapsulation receive hook
 * hands datagrams to receive.c; sends go through a per-peer dst_cache, with
 * the source address we last used remembered in the endpoint so that replies
 * leave from the address the peer talks to.
 */
#include <linux/inetdevice.h>
#include <linux/net.h>
#include <linux/udp.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"

/* The source we remembered no longer routes, or not out of its interface. */
static bool ptun_src4_moved(const struct ptun_endpoint *endpoint,
			    const struct rtable *rt)
{
	if (!endpoint->src_if4)
		return false;
	if (IS_ERR(rt))
		return PTR_ERR(rt) == -EINVAL;
	return rt->dst.dev->ifindex != endpoint->src_if4;
}

static int ptun_send4(struct ptun_device *ptun, struct sk_buff *skb,
		      struct ptun_endpoint *endpoint, u8 ds,
		      struct dst_cache *cache)
{
	struct flowi4 fl = {
		.saddr = endpoint->src4.s_addr,
		.daddr = endpoint->addr4.sin_addr.s_addr,
		.fl4_dport = endpoint->addr4.sin_port,
		.flowi4_mark = READ_ONCE(ptun->fwmark),
		.flowi4_proto = IPPROTO_UDP,
	};
	struct rtable *rt = NULL;
	struct sock *sock;
	int ret = 0;

	skb_mark_not_on_list(skb);
	skb->dev = ptun->dev;
	skb->mark = fl.flowi4_mark;

	rcu_read_lock_bh();
	sock = rcu_dereference_bh(ptun->sock4);
	if (unlikely(!sock)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl4_sport = inet_sk(sock)->inet_sport;

	if (cache)
		rt = dst_cache_get_ip4(cache, &fl.saddr);
	if (!rt) {
		security_sk_classify_flow(sock, flowi4_to_flowi_common(&fl));
		/* An address we no longer have is no source to send from. */
		if (unlikely(!inet_confirm_addr(sock_net(sock), NULL, 0, fl.saddr,
						RT_SCOPE_HOST))) {
			endpoint->src4.s_addr = 0;
			endpoint->src_if4 = 0;
			fl.saddr = 0;
			if (cache)
				dst_cache_reset(cache);
		}
		rt = ip_route_output_flow(sock_net(sock), &fl, sock);
		if (unlikely(ptun_src4_moved(endpoint, rt))) {
			/* The remembered source is on another interface now. */
			endpoint->src4.s_addr = 0;
			endpoint->src_if4 = 0;
			fl.saddr = 0;
			if (cache)
				dst_cache_reset(cache);
			if (!IS_ERR(rt))
				ip_rt_put(rt);
			rt = ip_route_output_flow(sock_net(sock), &fl, sock);
		}
		if (IS_ERR(rt)) {
			ret = PTR_ERR(rt);
			net_dbg_ratelimited("%s: no route to %pISpfsc, error %d\n",
					    ptun->dev->name, &endpoint->addr, ret);
			goto err;
		}
		if (cache)
			dst_cache_set_ip4(cache, &rt->dst, fl.saddr);
	}

	skb->ignore_df = 1;
	ptun_compat_udp_tunnel_xmit_skb(rt, sock, skb, fl.saddr, fl.daddr, ds,
					ip4_dst_hoplimit(&rt->dst), fl.fl4_sport,
					fl.fl4_dport);
	goto out;

err:
	kfree_skb(skb);
out:
	rcu_read_unlock_bh();
	return ret;
}

static int ptun_send6(struct ptun_device *ptun, struct sk_buff *skb,
		      struct ptun_endpoint *endpoint, u8 ds,
		      struct dst_cache *cache)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct flowi6 fl = {
		.saddr = endpoint->src6,
		.daddr = endpoint->addr6.sin6_addr,
		.fl6_dport = endpoint->addr6.sin6_port,
		.flowi6_mark = READ_ONCE(ptun->fwmark),
		.flowi6_oif = endpoint->addr6.sin6_scope_id,
		.flowi6_proto = IPPROTO_UDP,
	};
	struct dst_entry *dst = NULL;
	struct sock *sock;
	int ret = 0;

	skb_mark_not_on_list(skb);
	skb->dev = ptun->dev;
	skb->mark = fl.flowi6_mark;

	rcu_read_lock_bh();
	sock = rcu_dereference_bh(ptun->sock6);
	if (unlikely(!sock)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl6_sport = inet_sk(sock)->inet_sport;

	if (cache)
		dst = dst_cache_get_ip6(cache, &fl.saddr);
	if (!dst) {
		security_sk_classify_flow(sock, flowi6_to_flowi_common(&fl));
		if (unlikely(!ipv6_addr_any(&fl.saddr) &&
			     !ipv6_chk_addr(sock_net(sock), &fl.saddr, NULL, 0))) {
			fl.saddr = in6addr_any;
			endpoint->src6 = in6addr_any;
			if (cache)
				dst_cache_reset(cache);
		}
		dst = ptun_compat_ipv6_dst_lookup_flow(sock_net(sock), sock, &fl);
		if (IS_ERR(dst)) {
			ret = PTR_ERR(dst);
			net_dbg_ratelimited("%s: no route to %pISpfsc, error %d\n",
					    ptun->dev->name, &endpoint->addr, ret);
			goto err;
		}
		if (cache)
			dst_cache_set_ip6(cache, dst, &fl.saddr);
	}

	skb->ignore_df = 1;
	ptun_compat_udp_tunnel6_xmit_skb(dst, sock, skb, &fl.saddr, &fl.daddr, ds,
					 ip6_dst_hoplimit(dst), fl.fl6_sport,
					 fl.fl6_dport);
	goto out;

err:
	kfree_skb(skb);
out:
	rcu_read_unlock_bh();
	return ret;
#else
	kfree_skb(skb);
	return -EAFNOSUPPORT;
#endif
}

int ptun_socket_send_skb_to_peer(struct ptun_peer *peer, struct sk_buff *skb,
				 u8 ds)
{
	size_t skb_len = skb->len;
	int ret = -EAFNOSUPPORT;

	read_lock_bh(&peer->endpoint_lock);
	if (peer->endpoint.addr.sa_family == AF_INET)
		ret = ptun_send4(peer->device, skb, &peer->endpoint, ds,
				 &peer->endpoint_cache);
	else if (peer->endpoint.addr.sa_family == AF_INET6)
		ret = ptun_send6(peer->device, skb, &peer->endpoint, ds,
				 &peer->endpoint_cache);
	else
		dev_kfree_skb(skb);
	if (likely(!ret))
		peer->tx_bytes += skb_len;
	read_unlock_bh(&peer->endpoint_lock);

	return ret;
}

static struct sk_buff *ptun_socket_skb_from_buffer(void *buffer, size_t len)
{
	struct sk_buff *skb = alloc_skb(len + LL_MAX_HEADER + PTUN_MAX_OUTER_HEADER_LEN,
					GFP_ATOMIC);

	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER + PTUN_MAX_OUTER_HEADER_LEN);
	skb_set_inner_network_header(skb, 0);
	skb_put_data(skb, buffer, len);
	return skb;
}

int ptun_socket_send_buffer_to_peer(struct ptun_peer *peer, void *buffer,
				    size_t len, u8 ds)
{
	struct sk_buff *skb = ptun_socket_skb_from_buffer(buffer, len);

	if (unlikely(!skb))
		return -ENOMEM;
	return ptun_socket_send_skb_to_peer(peer, skb, ds);
}

int ptun_socket_send_buffer_as_reply_to_skb(struct ptun_device *ptun,
					    struct sk_buff *in_skb,
					    void *buffer, size_t len)
{
	struct ptun_endpoint endpoint;
	struct sk_buff *skb;
	int ret;

	ret = ptun_socket_endpoint_from_skb(&endpoint, in_skb);
	if (unlikely(ret < 0))
		return ret;

	skb = ptun_socket_skb_from_buffer(buffer, len);
	if (unlikely(!skb))
		return -ENOMEM;

	if (endpoint.addr.sa_family == AF_INET)
		return ptun_send4(ptun, skb, &endpoint, 0, NULL);
	return ptun_send6(ptun, skb, &endpoint, 0, NULL);
}

int ptun_socket_endpoint_from_skb(struct ptun_endpoint *endpoint,
				  const struct sk_buff *skb)
{
	memset(endpoint, 0, sizeof(*endpoint));
	if (skb->protocol == htons(ETH_P_IP)) {
		endpoint->addr4.sin_family = AF_INET;
		endpoint->addr4.sin_port = udp_hdr(skb)->source;
		endpoint->addr4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		endpoint->src4.s_addr = ip_hdr(skb)->daddr;
		endpoint->src_if4 = skb->skb_iif;
	} else if (IS_ENABLED(CONFIG_IPV6) && skb->protocol == htons(ETH_P_IPV6)) {
		endpoint->addr6.sin6_family = AF_INET6;
		endpoint->addr6.sin6_port = udp_hdr(skb)->source;
		endpoint->addr6.sin6_addr = ipv6_hdr(skb)->saddr;
		endpoint->addr6.sin6_scope_id =
			ipv6_iface_scope_id(&ipv6_hdr(skb)->saddr, skb->skb_iif);
		endpoint->src6 = ipv6_hdr(skb)->daddr;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* The peer's side only: address and port. */
static bool ptun_endpoint_remote_eq(const struct ptun_endpoint *a,
				    const struct ptun_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	if (a->addr.sa_family == AF_INET6)
		return a->addr6.sin6_port == b->addr6.sin6_port &&
		       ipv6_addr_equal(&a->addr6.sin6_addr, &b->addr6.sin6_addr) &&
		       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id;
	return false;
}

static bool ptun_endpoint_eq(const struct ptun_endpoint *a,
			     const struct ptun_endpoint *b)
{
	if (!ptun_endpoint_remote_eq(a, b))
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->src4.s_addr == b->src4.s_addr &&
		       a->src_if4 == b->src_if4;
	return ipv6_addr_equal(&a->src6, &b->src6);
}

void ptun_socket_set_peer_endpoint(struct ptun_peer *peer,
				   const struct ptun_endpoint *endpoint)
{
	bool moved;

	/* Most packets come from where the last one did: check cheaply first. */
	read_lock_bh(&peer->endpoint_lock);
	if (likely(ptun_endpoint_eq(endpoint, &peer->endpoint))) {
		read_unlock_bh(&peer->endpoint_lock);
		return;
	}
	read_unlock_bh(&peer->endpoint_lock);

	write_lock_bh(&peer->endpoint_lock);
	/* A new source address of ours is no news; a new address of theirs is. */
	moved = !ptun_endpoint_remote_eq(endpoint, &peer->endpoint);
	if (endpoint->addr.sa_family == AF_INET) {
		peer->endpoint.addr4 = endpoint->addr4;
		peer->endpoint.src4 = endpoint->src4;
		peer->endpoint.src_if4 = endpoint->src_if4;
	} else if (IS_ENABLED(CONFIG_IPV6) && endpoint->addr.sa_family == AF_INET6) {
		peer->endpoint.addr6 = endpoint->addr6;
		peer->endpoint.src6 = endpoint->src6;
	} else {
		moved = false;
		goto out;
	}
	dst_cache_reset(&peer->endpoint_cache);
out:
	write_unlock_bh(&peer->endpoint_lock);
	if (moved)
		ptun_nl_notify_peer(peer, PTUN_EVENT_ENDPOINT);
}

void ptun_socket_set_peer_endpoint_from_skb(struct ptun_peer *peer,
					    const struct sk_buff *skb)
{
	struct ptun_endpoint endpoint;

	if (!ptun_socket_endpoint_from_skb(&endpoint, skb))
		ptun_socket_set_peer_endpoint(peer, &endpoint);
}

void ptun_socket_clear_peer_endpoint_src(struct ptun_peer *peer)
{
	write_lock_bh(&peer->endpoint_lock);
	memset(&peer->endpoint.src6, 0, sizeof(peer->endpoint.src6));
	dst_cache_reset_now(&peer->endpoint_cache);
	write_unlock_bh(&peer->endpoint_lock);
}

/* The UDP encapsulation hook: every datagram to our port lands here. */
static int ptun_socket_receive(struct sock *sk, struct sk_buff *skb)
{
	struct ptun_device *ptun;

	if (unlikely(!sk))
		goto drop;
	ptun = rcu_dereference_sk_user_data(sk);
	if (unlikely(!ptun))
		goto drop;
	skb_mark_not_on_list(skb);
	ptun_packet_receive(ptun, skb);
	return 0;

drop:
	kfree_skb(skb);
	return 0;
}

static void ptun_socket_setup(struct ptun_device *ptun, struct socket *sock)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data = ptun,
		.encap_type = 1,
		.encap_rcv = ptun_socket_receive,
	};

	/* Fill in sk_user_data before the socket can see a packet. */
	ptun_compat_setup_udp_tunnel_sock(sock_net(sock->sk), sock, &cfg);
	sock->sk->sk_allocation = GFP_ATOMIC;
	sock->sk->sk_sndbuf = INT_MAX;
}

static int ptun_socket_open(struct net *net, int family, u16 port,
			    struct socket **sock)
{
	struct udp_port_cfg cfg = {
		.family = family,
		.local_udp_port = htons(port),
		.use_udp_checksums = true,
	};

	if (family == AF_INET6) {
		cfg.ipv6_v6only = true;
		cfg.use_udp6_tx_checksums = true;
		cfg.use_udp6_rx_checksums = true;
	}
	return udp_sock_create(net, &cfg, sock);
}

int ptun_socket_init(struct ptun_device *ptun, u16 port)
{
	/* A random port is taken for v4 and may be busy for v6: try again. */
	unsigned int retries = port ? 0 : 100;
	struct socket *new4 = NULL, *new6 = NULL;
	struct net *net;
	int ret;

	net = ptun->creating_net;
	if (unlikely(!net))
		return -ENONET;

retry:
	ret = ptun_socket_open(net, AF_INET, port, &new4);
	if (ret < 0) {
		pr_err("%s: could not create IPv4 socket on port %u: %d\n",
		       ptun->dev->name, port, ret);
		return ret;
	}
	ptun_socket_setup(ptun, new4);

	if (IS_ENABLED(CONFIG_IPV6) && ipv6_mod_enabled()) {
		u16 bound = ntohs(inet_sk(new4->sk)->inet_sport);

		ret = ptun_socket_open(net, AF_INET6, bound, &new6);
		if (ret < 0) {
			ptun_compat_udp_tunnel_sock_release(new4);
			new4 = NULL;
			if (ret == -EADDRINUSE && retries-- > 0)
				goto retry;
			pr_err("%s: could not create IPv6 socket on port %u: %d\n",
			       ptun->dev->name, bound, ret);
			return ret;
		}
		ptun_socket_setup(ptun, new6);
	}

	ptun_socket_reinit(ptun, new4->sk, new6 ? new6->sk : NULL);
	return 0;
}

void ptun_socket_reinit(struct ptun_device *ptun, struct sock *new4,
			struct sock *new6)
{
	struct sock *old4, *old6;

	mutex_lock(&ptun->socket_update_lock);
	old4 = rcu_dereference_protected(ptun->sock4,
					 lockdep_is_held(&ptun->socket_update_lock));
	old6 = rcu_dereference_protected(ptun->sock6,
					 lockdep_is_held(&ptun->socket_update_lock));
	rcu_assign_pointer(ptun->sock4, new4);
	rcu_assign_pointer(ptun->sock6, new6);
	if (new4)
		ptun->incoming_port = ntohs(inet_sk(new4)->inet_sport);
	mutex_unlock(&ptun->socket_update_lock);

	if (!old4 && !old6)
		return;
	/* Senders may still hold the old sockets under RCU. */
	synchronize_net();
	if (old4)
		ptun_compat_udp_tunnel_sock_release(old4->sk_socket);
	if (old6)
		ptun_compat_udp_tunnel_sock_release(old6->sk_socket);
}
