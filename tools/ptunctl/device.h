/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory configuration of one ptun device and its peers, as read from or
 * written to the kernel.
 */
#ifndef PTUNCTL_DEVICE_H
#define PTUNCTL_DEVICE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/ptun.h>

/* Which fields of struct ptun_device carry a value, and what a set does. */
enum {
	PTUN_DEVICE_HAS_PRIVATE_KEY	= 1U << 0,
	PTUN_DEVICE_HAS_PUBLIC_KEY	= 1U << 1,
	PTUN_DEVICE_HAS_LISTEN_PORT	= 1U << 2,
	PTUN_DEVICE_HAS_FWMARK		= 1U << 3,
	/* set: remove every peer the request does not name */
	PTUN_DEVICE_REPLACE_PEERS	= 1U << 4,
};

/* Which fields of struct ptun_peer carry a value, and what a set does. */
enum {
	PTUN_PEER_HAS_PRESHARED_KEY	= 1U << 0,
	PTUN_PEER_HAS_KEEPALIVE		= 1U << 1,
	/* set: remove the peer; nothing else of it is sent */
	PTUN_PEER_REMOVE		= 1U << 2,
	/* set: the allowed IPs replace the peer's, rather than change them */
	PTUN_PEER_REPLACE_ALLOWEDIPS	= 1U << 3,
};

struct ptun_allowedip {
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint8_t cidr;
	uint32_t flags;		/* enum ptun_allowedip_flags, for a set */
};

/* sa_family is AF_UNSPEC when there is no endpoint. */
union ptun_endpoint {
	struct sockaddr addr;
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

#define NSEC_PER_SEC	UINT64_C(1000000000)

struct ptun_peer {
	uint8_t public_key[PTUN_KEY_LEN];
	uint8_t preshared_key[PTUN_KEY_LEN];
	uint32_t flags;
	union ptun_endpoint endpoint;
	uint16_t keepalive;		/* seconds; 0 is off */
	uint64_t last_handshake_ns;	/* since the epoch; 0 is never */
	uint64_t rx_bytes, tx_bytes;
	/* by PTUN_A_DROPS_* and PTUN_A_HANDSHAKES_* type (get only) */
	uint64_t drops[PTUN_A_DROPS_MAX + 1];
	uint64_t handshakes[PTUN_A_HANDSHAKES_MAX + 1];
	struct ptun_allowedip *allowedips;
	size_t nr_allowedips, max_allowedips;
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
	uint64_t drops[PTUN_A_DROPS_MAX + 1];	/* by PTUN_A_DROPS_* type (get only) */
	struct ptun_peer *peers;
	size_t nr_peers, max_peers;
};

/* A new zeroed peer at the end, or NULL when out of memory. */
struct ptun_peer *ptun_device_add_peer(struct ptun_device *dev);
/* A new zeroed allowed IP at the end, or NULL when out of memory. */
struct ptun_allowedip *ptun_peer_add_allowedip(struct ptun_peer *peer);

/*
 * The struct may hold a private key and preshared keys: every user ends with
 * this, which frees the peers and leaves an empty device.
 */
void ptun_device_wipe(struct ptun_device *dev);

#endif /* PTUNCTL_DEVICE_H */
