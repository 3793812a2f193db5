/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers over kernel API differences between the kernels ptun
 * supports (Debian 6.1, 6.12 and trixie-backports' 7.x).  Each helper hides
 * one change; callers never test kernel versions themselves.  Where the
 * kernel only renamed something, the code uses the newest name and this
 * file gives it to the older kernels.
 */
#ifndef _PTUN_COMPAT_H
#define _PTUN_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <linux/timer.h>
#include <crypto/blake2s.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>
#include <net/udp_tunnel.h>

/* skb_gso_segment() moved out of netdevice.h into its own header in 6.5. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 1, 0)
#include <net/ipv6_stubs.h>
#endif

/* 6.12 replaced the NETIF_F_LLTX feature bit with the dev->lltx flag. */
static inline void ptun_compat_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* The attributes the core parsed for a dump request (genl_info_dump() is 6.6+). */
static inline struct nlattr **ptun_compat_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * From 6.7 the core allocates and frees dev->tstats for a device that says
 * so in its setup, and 7.x's tunnel transmit warns when it has not said.
 * Older kernels leave them to the driver's ndo_init and ndo_uninit.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline void ptun_compat_setup_tstats(struct net_device *dev)
{
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
}

static inline int ptun_compat_alloc_tstats(struct net_device *dev)
{
	return 0;
}

static inline void ptun_compat_free_tstats(struct net_device *dev)
{
}
#else
static inline void ptun_compat_setup_tstats(struct net_device *dev)
{
}

static inline int ptun_compat_alloc_tstats(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static inline void ptun_compat_free_tstats(struct net_device *dev)
{
	free_percpu(dev->tstats);
}
#endif

/*
 * 6.17 added WQ_PERCPU, and 7.x warns about a workqueue that is neither
 * WQ_PERCPU nor WQ_UNBOUND; before, per-CPU was what no flag meant.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
#define WQ_PERCPU 0
#endif

/* 6.19 renamed the BLAKE2s state to blake2s_ctx ... */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 19, 0)
#define blake2s_ctx blake2s_state
#endif

/* ... and put blake2s()'s key first and its output last. */
static inline void ptun_compat_blake2s(u8 *out, const u8 *in, const u8 *key,
				       size_t outlen, size_t inlen, size_t keylen)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
	blake2s(key, keylen, in, inlen, out, outlen);
#else
	blake2s(out, in, key, outlen, inlen, keylen);
#endif
}

/*
 * 6.15 packed rtnl_link_ops.newlink()'s arguments into a struct.  ptun's
 * newlink takes only what it uses; PTUN_COMPAT_NEWLINK(fn) defines
 * fn_compat with the kernel's signature around it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
#define PTUN_COMPAT_NEWLINK(fn)						\
static int fn##_compat(struct net_device *dev,				\
		       struct rtnl_newlink_params *params,		\
		       struct netlink_ext_ack *extack)			\
{									\
	return fn(params->src_net, dev, extack);			\
}
#else
#define PTUN_COMPAT_NEWLINK(fn)						\
static int fn##_compat(struct net *src_net, struct net_device *dev,	\
		       struct nlattr *tb[], struct nlattr *data[],	\
		       struct netlink_ext_ack *extack)			\
{									\
	return fn(src_net, dev, extack);				\
}
#endif

/* 6.17 gave the UDP tunnel transmits IP control block flags; ptun sets none. */
static inline void ptun_compat_udp_tunnel_xmit_skb(struct rtable *rt, struct sock *sk,
						   struct sk_buff *skb, __be32 src,
						   __be32 dst, u8 tos, u8 ttl,
						   __be16 src_port, __be16 dst_port)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	udp_tunnel_xmit_skb(rt, sk, skb, src, dst, tos, ttl, 0, src_port, dst_port,
			    false, false, 0);
#else
	udp_tunnel_xmit_skb(rt, sk, skb, src, dst, tos, ttl, 0, src_port, dst_port,
			    false, false);
#endif
}

static inline void ptun_compat_udp_tunnel6_xmit_skb(struct dst_entry *dst, struct sock *sk,
						    struct sk_buff *skb,
						    struct in6_addr *saddr,
						    struct in6_addr *daddr,
						    u8 prio, u8 ttl,
						    __be16 src_port, __be16 dst_port)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	udp_tunnel6_xmit_skb(dst, sk, skb, skb->dev, saddr, daddr, prio, ttl, 0,
			     src_port, dst_port, false, 0);
#else
	udp_tunnel6_xmit_skb(dst, sk, skb, skb->dev, saddr, daddr, prio, ttl, 0,
			     src_port, dst_port, false);
#endif
}

/* 7.2 (and 7.1.5) set up and release UDP tunnel sockets by their struct sock. */
static inline void ptun_compat_setup_udp_tunnel_sock(struct net *net, struct socket *sock,
						     struct udp_tunnel_sock_cfg *cfg)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 1, 5)
	setup_udp_tunnel_sock(net, sock->sk, cfg);
#else
	setup_udp_tunnel_sock(net, sock, cfg);
#endif
}

static inline void ptun_compat_udp_tunnel_sock_release(struct socket *sock)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 1, 5)
	udp_tunnel_sock_release(sock->sk);
#else
	udp_tunnel_sock_release(sock);
#endif
}

/*
 * 7.1 removed the IPv6 stubs, IPv6 being built in wherever a tunnel module
 * could use it (Debian has always built it in).
 */
static inline struct dst_entry *ptun_compat_ipv6_dst_lookup_flow(struct net *net,
								 const struct sock *sk,
								 struct flowi6 *fl6)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 1, 0)
	return ip6_dst_lookup_flow(net, sk, fl6, NULL);
#else
	return ipv6_stub->ipv6_dst_lookup_flow(net, sk, fl6, NULL);
#endif
}

#endif /* _PTUN_COMPAT_H */
