/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PTUN_DEVICE_H
#define _PTUN_DEVICE_H

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/ptr_ring.h>
#include <linux/workqueue.h>
#include <net/gro_cells.h>

#include "allowedips.h"
#include "cookie.h"
#include "counters.h"
#include "noise.h"
#include "peerlookup.h"
#include "queueing.h"
#include "ratelimiter.h"

/*
 * One ptun interface, the private area of its net_device.
 *
 * @update_lock serialises configuration: every netlink SET holds it while it
 * changes the configuration (the peers it removes are released after, see
 * peer.c), GET while it copies state out, and the device's open/stop and
 * teardown.  It nests inside RTNL where both are taken.  @socket_update_lock
 * (a mutex, nested inside update_lock) serialises replacing @sock4/@sock6,
 * which readers use under rcu_read_lock_bh().
 *
 * @last_under_load is when the handshake queue was last found long (boottime
 * ns, 0 for never; READ_ONCE/WRITE_ONCE): until a second after that, handshakes
 * must carry a cookie and pass the ratelimiter.
 *
 * @creating_net is the netns the device was created in; its sockets live
 * there even after the device moves.  It holds no reference: when that netns
 * goes away, ptun's pernet pre_exit clears it and closes the sockets.
 */
struct ptun_device {
	struct net_device *dev;
	struct ptun_crypt_queue encrypt_queue, decrypt_queue, handshake_queue;
	struct sock __rcu *sock4, *sock6;
	struct net *creating_net;	/* RTNL and update_lock to write */
	struct ptun_noise_static_identity static_identity;
	struct workqueue_struct *packet_crypt_wq, *handshake_receive_wq, *handshake_send_wq;
	struct ptun_counters __percpu *counters;	/* every drop, by reason */
	struct ptun_cookie_gate cookie_gate;
	struct ptun_ratelimiter ratelimiter;
	struct ptun_peer_table *peer_table;
	struct ptun_index_table *index_table;
	struct ptun_allowedips peer_allowedips;
	struct mutex update_lock;	/* serialises configuration, see above */
	struct mutex socket_update_lock;	/* serialises socket replacement */
	struct list_head device_list;	/* in the module's list, under RTNL */
	struct list_head peer_list;	/* under update_lock */
	atomic_t handshake_queue_len;
	u64 last_under_load;		/* see above */
	unsigned int num_peers;		/* under update_lock */
	unsigned int update_gen;	/* bumped by every change, for dumps */
	u32 fwmark;			/* update_lock to write, READ_ONCE to read */
	u16 incoming_port;		/* update_lock */
};

int ptun_device_init(void);
void ptun_device_uninit(void);
struct ptun_device *ptun_device_from_netdev(struct net_device *dev);

#endif /* _PTUN_DEVICE_H */
