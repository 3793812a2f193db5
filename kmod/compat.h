/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers over kernel API differences between the kernels ptun
 * supports (Debian 6.1 and 6.12).  Each helper hides one change; callers
 * never test kernel versions themselves.
 */
#ifndef _PTUN_COMPAT_H
#define _PTUN_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>

/* skb_gso_segment() moved out of netdevice.h into its own header in 6.5. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
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

#endif /* _PTUN_COMPAT_H */
