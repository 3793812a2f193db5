/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory configuration of one ptun device, as read from or written to the
 * kernel.
 */
#ifndef PTUNCTL_DEVICE_H
#define PTUNCTL_DEVICE_H

#include <net/if.h>
#include <stdint.h>
#include <sodium.h>

#include <linux/ptun.h>

/* Which fields of struct ptun_device carry a value. */
enum {
	PTUN_DEVICE_HAS_PRIVATE_KEY	= 1U << 0,
	PTUN_DEVICE_HAS_PUBLIC_KEY	= 1U << 1,
	PTUN_DEVICE_HAS_LISTEN_PORT	= 1U << 2,
	PTUN_DEVICE_HAS_FWMARK		= 1U << 3,
};

/*
 * For a get, flags say which attributes the kernel reported; for a set, which
 * attributes to send.  A set with an all-zero private key clears the key.
 */
struct ptun_device {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t flags;
	uint8_t private_key[PTUN_KEY_LEN];
	uint8_t public_key[PTUN_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
};

/* The struct may hold a private key: every user ends with this. */
static inline void ptun_device_wipe(struct ptun_device *dev)
{
	sodium_memzero(dev, sizeof(*dev));
}

#endif /* PTUNCTL_DEVICE_H */
