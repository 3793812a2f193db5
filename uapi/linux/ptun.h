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
 * the first carrying PTUN_DEVICE_F_REPLACE_PEERS.  A request is validated
 * whole before anything changes, then applied in order: listen port and
 * fwmark, the replacement of the peers, the private key, each peer.  If
 * memory runs out part way (ENOMEM), the device holds the old configuration
 * or a whole-peer prefix of the request, never a peer with some of its
 * allowed IPs.
 *
 * PTUN_CMD_GET_DEVICE is a dump.  Every message repeats the device's
 * attributes and carries some peers; a peer with many allowed IPs may
 * continue in the next message, repeating its public key, so a reader
 * merges peers by public key.  A dump that raced a change is flagged with
 * NLM_F_DUMP_INTR and should be retried.
 *
 * Counters (read-only, in GET_DEVICE): PTUN_A_DEVICE_DROPS counts every
 * packet the device dropped, by reason (PTUN_A_DROPS_*); PTUN_A_PEER_DROPS
 * counts the part of those that could be put down to a peer, and
 * PTUN_A_PEER_HANDSHAKES the peer's handshakes.  Each counter is a u64
 * attribute whose type is its reason; readers ignore types they do not
 * know, and new reasons are only ever appended.
 */
#ifndef _UAPI_LINUX_PTUN_H
#define _UAPI_LINUX_PTUN_H

#define PTUN_FAMILY_NAME	"ptun"
#define PTUN_FAMILY_VERSION	1

/* The rtnetlink link kind: ip link add dev pt0 type ptun */
#define PTUN_LINK_KIND		"ptun"

#define PTUN_KEY_LEN		32

/*
 * The multicast group of PTUN_CMD_EVENT notifications, sent in the network
 * namespace the device is in.  Each carries PTUN_A_DEVICE_IFINDEX,
 * PTUN_A_DEVICE_IFNAME, PTUN_A_DEVICE_EVENT and one PTUN_A_DEVICE_PEER with
 * the peer's PTUN_A_PEER_PUBLIC_KEY and, when it has one, its
 * PTUN_A_PEER_ENDPOINT.  Only authenticated changes are announced: a
 * handshake completed, packets that passed decryption, a configuration.
 */
#define PTUN_MCGRP_EVENTS	"events"

enum ptun_event {
	/* a handshake with the peer completed: a new session */
	PTUN_EVENT_HANDSHAKE = 1,
	/* the peer's endpoint changed: it roamed, or was configured */
	PTUN_EVENT_ENDPOINT,
	/* no new session for long: the peer's keys were wiped */
	PTUN_EVENT_SESSION_EXPIRED,
	/* every retry of a handshake went unanswered */
	PTUN_EVENT_HANDSHAKE_GAVE_UP,
	/* the peer was added by configuration */
	PTUN_EVENT_PEER_ADDED,
	/* the peer was removed by configuration */
	PTUN_EVENT_PEER_REMOVED,
};

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
	/* nest of PTUN_A_DROPS_*: packets the device dropped (get only) */
	PTUN_A_DEVICE_DROPS,
	/* u32, enum ptun_event (events only) */
	PTUN_A_DEVICE_EVENT,

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
	/* nest of PTUN_A_DROPS_*: packets dropped that were the peer's (get only) */
	PTUN_A_PEER_DROPS,
	/* nest of PTUN_A_HANDSHAKES_*: the peer's handshakes (get only) */
	PTUN_A_PEER_HANDSHAKES,

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

/*
 * Why packets were dropped, one u64 counter each.  "tx" reasons drop a
 * packet on its way into the tunnel, "rx" reasons a message received from
 * the network or the packet it carried.
 */
enum {
	PTUN_A_DROPS_UNSPEC,
	/* pad for 64-bit attributes */
	PTUN_A_DROPS_PAD,
	/* tx: no peer's allowed IPs hold the destination (device only) */
	PTUN_A_DROPS_NO_PEER,
	/* tx: the peer has no endpoint to send to */
	PTUN_A_DROPS_NO_ENDPOINT,
	/* tx: waited for a session that did not come (gave up, device down, peer removed) */
	PTUN_A_DROPS_NO_SESSION,
	/* tx: too many packets already waiting for a session; the oldest went */
	PTUN_A_DROPS_STAGED_FULL,
	/* tx: the encrypted packet could not be sent (no route to the endpoint) */
	PTUN_A_DROPS_SEND_FAILED,
	/* tx and rx: a crypto or handshake queue was full */
	PTUN_A_DROPS_QUEUE_FULL,
	/* rx: not a WireGuard message: bad length or type (device only) */
	PTUN_A_DROPS_MALFORMED,
	/* rx: handshake with a MAC1 not made for our public key (device only) */
	PTUN_A_DROPS_MAC1_INVALID,
	/* rx: handshake under load without a valid cookie; answered with one (device only) */
	PTUN_A_DROPS_MAC2_NEEDED,
	/* rx: initiation from a public key no peer has (device only) */
	PTUN_A_DROPS_UNKNOWN_PEER,
	/* rx: handshake message that failed authentication */
	PTUN_A_DROPS_HANDSHAKE_INVALID,
	/* rx: initiation not newer than the last one accepted from the peer */
	PTUN_A_DROPS_TIMESTAMP_STALE,
	/*
	 * rx: initiations from the peer faster than the protocol allows, or,
	 * under load, handshake messages from a source over its rate
	 */
	PTUN_A_DROPS_RATELIMITED,
	/* rx: data, response or cookie reply for an index we do not know (device only) */
	PTUN_A_DROPS_UNKNOWN_RECEIVER,
	/* rx: data for a session whose keys expired */
	PTUN_A_DROPS_KEY_EXPIRED,
	/* rx: data that failed authentication */
	PTUN_A_DROPS_DECRYPT_FAILED,
	/* rx: data counter already seen or behind the window; response already taken */
	PTUN_A_DROPS_REPLAYED,
	/* rx: inner source address not among the peer's allowed IPs */
	PTUN_A_DROPS_SOURCE_NOT_ALLOWED,
	/* rx: decrypted packet not IPv4 or IPv6, or its length is wrong */
	PTUN_A_DROPS_INNER_MALFORMED,
	/* tx and rx: anything else (memory, no randomness yet, peer being removed) */
	PTUN_A_DROPS_OTHER,
	/*
	 * rx: handshake message that waited in the queue longer than its
	 * sender waits for an answer; dropped unread (device only)
	 */
	PTUN_A_DROPS_HANDSHAKE_LATE,

	__PTUN_A_DROPS_MAX,
	PTUN_A_DROPS_MAX = (__PTUN_A_DROPS_MAX - 1)
};

/* A peer's handshakes, one u64 counter each. */
enum {
	PTUN_A_HANDSHAKES_UNSPEC,
	/* pad for 64-bit attributes */
	PTUN_A_HANDSHAKES_PAD,
	/* initiations we sent */
	PTUN_A_HANDSHAKES_INITIATIONS_SENT,
	/* valid responses to them: handshakes we completed */
	PTUN_A_HANDSHAKES_RESPONSES_RECEIVED,
	/* initiations unanswered within REKEY_TIMEOUT (5 s), retried */
	PTUN_A_HANDSHAKES_TIMEOUTS,
	/* times we gave up after every retry went unanswered */
	PTUN_A_HANDSHAKES_GAVE_UP,
	/* valid initiations from the peer */
	PTUN_A_HANDSHAKES_INITIATIONS_RECEIVED,
	/* responses we sent */
	PTUN_A_HANDSHAKES_RESPONSES_SENT,
	/* valid cookie replies from the peer: it is under load */
	PTUN_A_HANDSHAKES_COOKIES_RECEIVED,

	__PTUN_A_HANDSHAKES_MAX,
	PTUN_A_HANDSHAKES_MAX = (__PTUN_A_HANDSHAKES_MAX - 1)
};

enum {
	PTUN_CMD_UNSPEC,
	PTUN_CMD_GET_DEVICE,
	PTUN_CMD_SET_DEVICE,
	PTUN_CMD_EVENT,

	__PTUN_CMD_MAX,
	PTUN_CMD_MAX = (__PTUN_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_PTUN_H */
