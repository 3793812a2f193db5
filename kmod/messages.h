/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sizes of the WireGuard v1 wire format that the device setup depends on.
 */
#ifndef _PTUN_MESSAGES_H
#define _PTUN_MESSAGES_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <crypto/curve25519.h>
#include <crypto/chacha20poly1305.h>
#include <linux/ptun.h>

static_assert(PTUN_KEY_LEN == CURVE25519_KEY_SIZE);

enum ptun_message_sizes {
	/* type, receiver index and counter of a transport data message */
	PTUN_DATA_HEADER_LEN = 16,
	PTUN_DATA_AUTHTAG_LEN = CHACHA20POLY1305_AUTHTAG_SIZE,
	/* plaintext is padded to a multiple of this before encryption */
	PTUN_DATA_PADDING_MULTIPLE = 16,
	PTUN_DATA_OVERHEAD = PTUN_DATA_HEADER_LEN + PTUN_DATA_AUTHTAG_LEN,
};

/*
 * 1420 leaves room for an outer IPv6 and UDP header on a 1500-byte path, so
 * one inner MTU suits both address families of the endpoint.
 */
#define PTUN_DEFAULT_MTU \
	(ETH_DATA_LEN - sizeof(struct ipv6hdr) - sizeof(struct udphdr) - \
	 PTUN_DATA_OVERHEAD)

/* The largest inner packet whose outer IPv4 datagram still fits 64 KiB. */
#define PTUN_MAX_MTU \
	(IP_MAX_MTU - sizeof(struct iphdr) - sizeof(struct udphdr) - \
	 PTUN_DATA_OVERHEAD)

#define PTUN_MAX_OUTER_HEADER_LEN \
	(sizeof(struct ipv6hdr) + sizeof(struct udphdr) + PTUN_DATA_HEADER_LEN)

#endif /* _PTUN_MESSAGES_H */
