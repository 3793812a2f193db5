/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PTUN_DEVICE_H
#define _PTUN_DEVICE_H

#include <linux/mutex.h>
#include <linux/netdevice.h>

#include "noise.h"

/*
 * One ptun interface, the private area of its net_device.
 *
 * @update_lock serialises configuration: every netlink SET holds it for the
 * whole request, and GET holds it while it copies the configuration out, so a
 * reader never sees half of an update.  It nests inside RTNL when both are
 * taken.
 */
struct ptun_device {
	struct net_device *dev;
	struct mutex update_lock;	/* serialises configuration */
	struct ptun_static_identity static_identity;	/* update_lock */
	u16 incoming_port;				/* update_lock */
	u32 fwmark;					/* update_lock */
};

int ptun_device_init(void);
void ptun_device_uninit(void);
struct ptun_device *ptun_device_from_netdev(struct net_device *dev);

#endif /* _PTUN_DEVICE_H */
