/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * ptun generic netlink interface.
 *
 * Kept in step with uapi/ptun.yaml: names follow the kernel's YAML netlink
 * code generator (PTUN_A_<SET>_<ATTR>, PTUN_CMD_<OP>), and
 * selftests/unit/check-uapi checks the two against each other.
 *
 * Device attributes address a ptun device by PTUN_A_DEVICE_IFINDEX or
 * PTUN_A_DEVICE_IFNAME.  Both commands need CAP_NET_ADMIN in the user
 * namespace that owns the device's network namespace.
 *
 * PTUN_CMD_SET_DEVICE changes only what it carries.  Each PTUN_A_DEVICE_PEER
 * nest adds or updates the peer named by its public key; a configuration
 * too large for one message is sent as several SET_DEVICE messages, only
 * the first carrying PTUN_DEVICE_F_REPLACE_PEERS.
 *
 * PTUN_CMD_GET_DEVICE is a dump.  Every message repeats the device's
 * attributes and carries some peers; a peer with many allowed IPs may
 * continue in the next message, repeating its public key, so a reader
 * merges peers by public key.  A dump that raced a change is flagged with
 * NLM_F_DUMP_INTR and should be retried.
 */
#ifndef _UAPI_LINUX_PTUN_H
#define _UAPI_LINUX_PTUN_H

#define PTUN_FAMILY_NAME	"ptun"
#define PTUN_FAMILY_VERSION	1

/* The rtnetlink link kind: ip link add dev pt0 type ptun */
#define PTUN_LINK_KIND		"ptun"

#define PTUN_KEY_LEN		32

enum ptun_device_flags {
	/* remove every peer not named in this request */
	PTUN_DEVICE_F_REPLACE_PEERS = 1U << 0,
};

enum ptun_peer_flags {
	/* remove the peer named by PTUN_A_PEER_PUBLIC_KEY */
	PTUN_PEER_F_REMOVE_ME = 1U << 0,
	/* drop the peer's allowed IPs before adding the ones given */
	PTUN_PEER_F_REPLACE_ALLOWEDIPS = 1U << 1,
	/* change the peer only if it exists; never create it */
	PTUN_PEER_F_UPDATE_ONLY = 1U << 2,
};

enum ptun_allowedip_flags {
	/* remove this allowed IP from the peer instead of adding it */
	PTUN_ALLOWEDIP_F_REMOVE_ME = 1U << 0,
};

enum {
	PTUN_A_DEVICE_UNSPEC,
	/* u32, ifindex of the device (request and reply) */
	PTUN_A_DEVICE_IFINDEX,
	/* string, name of the device (request and reply) */
	PTUN_A_DEVICE_IFNAME,
	/* binary, PTUN_KEY_LEN bytes: the Curve25519 private key; all zero clears it */
	PTUN_A_DEVICE_PRIVATE_KEY,
	/* binary, PTUN_KEY_LEN bytes: derived from the private key; read-only */
	PTUN_A_DEVICE_PUBLIC_KEY,
	/* u16, UDP port to listen on; 0 picks one */
	PTUN_A_DEVICE_LISTEN_PORT,
	/* u32, mark for outgoing encapsulated packets; 0 is none */
	PTUN_A_DEVICE_FWMARK,
	/* u32, enum ptun_device_flags (set only) */
	PTUN_A_DEVICE_FLAGS,
	/* nest of PTUN_A_PEER_*, repeated once per peer */
	PTUN_A_DEVICE_PEER,

	__PTUN_A_DEVICE_MAX,
	PTUN_A_DEVICE_MAX = (__PTUN_A_DEVICE_MAX - 1)
};

enum {
	PTUN_A_PEER_UNSPEC,
	/* binary, PTUN_KEY_LEN bytes: identifies the peer */
	PTUN_A_PEER_PUBLIC_KEY,
	/* binary, PTUN_KEY_LEN bytes; all zero clears it */
	PTUN_A_PEER_PRESHARED_KEY,
	/* u32, enum ptun_peer_flags (set only) */
	PTUN_A_PEER_FLAGS,
	/* binary: struct sockaddr_in or struct sockaddr_in6 */
	PTUN_A_PEER_ENDPOINT,
	/* u16, seconds between keepalives; 0 is off */
	PTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL,
	/* u64, nanoseconds since the epoch of the latest handshake; 0 is never (get only) */
	PTUN_A_PEER_LAST_HANDSHAKE_TIME,
	/* u64, bytes received from the peer (get only) */
	PTUN_A_PEER_RX_BYTES,
	/* u64, bytes sent to the peer (get only) */
	PTUN_A_PEER_TX_BYTES,
	/* nest of PTUN_A_ALLOWEDIP_*, repeated once per allowed IP */
	PTUN_A_PEER_ALLOWEDIP,
	/* pad for 64-bit attributes */
	PTUN_A_PEER_PAD,

	__PTUN_A_PEER_MAX,
	PTUN_A_PEER_MAX = (__PTUN_A_PEER_MAX - 1)
};

enum {
	PTUN_A_ALLOWEDIP_UNSPEC,
	/* u16, AF_INET or AF_INET6 */
	PTUN_A_ALLOWEDIP_FAMILY,
	/* binary, 4 or 16 bytes by family; host bits must be zero */
	PTUN_A_ALLOWEDIP_IPADDR,
	/* u8, prefix length: up to 32 or 128 by family */
	PTUN_A_ALLOWEDIP_CIDR_MASK,
	/* u32, enum ptun_allowedip_flags (set only) */
	PTUN_A_ALLOWEDIP_FLAGS,

	__PTUN_A_ALLOWEDIP_MAX,
	PTUN_A_ALLOWEDIP_MAX = (__PTUN_A_ALLOWEDIP_MAX - 1)
};

enum {
	PTUN_CMD_UNSPEC,
	PTUN_CMD_GET_DEVICE,
	PTUN_CMD_SET_DEVICE,

	__PTUN_CMD_MAX,
	PTUN_CMD_MAX = (__PTUN_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_PTUN_H */
