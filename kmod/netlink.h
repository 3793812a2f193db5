/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PTUN_NETLINK_H
#define _PTUN_NETLINK_H

#include <linux/types.h>

struct ptun_peer;

int ptun_genl_init(void);
void ptun_genl_uninit(void);

/* Announce @event (enum ptun_event) about @peer to the events group. */
void ptun_nl_notify_peer(struct ptun_peer *peer, u32 event);

#endif /* _PTUN_NETLINK_H */
