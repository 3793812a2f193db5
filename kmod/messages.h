/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The WireGuard v1 wire format and protocol constants.
 */
#ifndef _PTUN_MESSAGES_H
#define _PTUN_MESSAGES_H

#include <linux/bits.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/ktime.h>
#include <crypto/blake2s.h>
#include <crypto/chacha20poly1305.h>
#include <crypto/curve25519.h>
#include <linux/ptun.h>

enum ptun_noise_lengths {
	PTUN_NOISE_PUBLIC_KEY_LEN = CURVE25519_KEY_SIZE,
	PTUN_NOISE_SYMMETRIC_KEY_LEN = CHACHA20POLY1305_KEY_SIZE,
	PTUN_NOISE_TIMESTAMP_LEN = sizeof(u64) + sizeof(u32),
	PTUN_NOISE_AUTHTAG_LEN = CHACHA20POLY1305_AUTHTAG_SIZE,
	PTUN_NOISE_HASH_LEN = BLAKE2S_HASH_SIZE,
};

static_assert(PTUN_KEY_LEN == PTUN_NOISE_PUBLIC_KEY_LEN);

#define ptun_noise_encrypted_len(plain_len) \
	((plain_len) + PTUN_NOISE_AUTHTAG_LEN)

enum ptun_cookie_lengths {
	PTUN_COOKIE_SECRET_MAX_AGE = 2 * 60,
	PTUN_COOKIE_SECRET_LATENCY = 5,
	PTUN_COOKIE_NONCE_LEN = XCHACHA20POLY1305_NONCE_SIZE,
	PTUN_COOKIE_LEN = 16,
};

enum ptun_limits {
	PTUN_REKEY_AFTER_TIME = 120,
	PTUN_REJECT_AFTER_TIME = 180,
	PTUN_REKEY_TIMEOUT = 5,
	PTUN_KEEPALIVE_TIMEOUT = 10,
	PTUN_REKEY_ATTEMPT_TIME = 90,
	PTUN_MAX_TIMER_HANDSHAKES = PTUN_REKEY_ATTEMPT_TIME / PTUN_REKEY_TIMEOUT,
	PTUN_INITIATIONS_PER_SECOND = 50,
	PTUN_MAX_PEERS_PER_DEVICE = 1U << 20,
	PTUN_MAX_QUEUED_INCOMING_HANDSHAKES = 4096,
	PTUN_MAX_STAGED_PACKETS = 128,
	PTUN_MAX_QUEUED_PACKETS = 1024,
};

#define PTUN_REKEY_TIMEOUT_JITTER_MAX_JIFFIES (HZ / 3)

/*
 * How long a received handshake message may wait in the handshake queue.
 * An initiator replaces its initiation after REKEY_TIMEOUT, and a response
 * or cookie reply to the one replaced is of no use to it; the rest of the
 * five seconds is for the round trip.  Not part of the protocol: ptun's own.
 */
#define PTUN_HANDSHAKE_MAX_WAIT_NS (2 * NSEC_PER_SEC)

/* The replay window, in packets: a multiple of BITS_PER_LONG. */
#define PTUN_COUNTER_BITS_TOTAL 8192
#define PTUN_COUNTER_WINDOW_SIZE (PTUN_COUNTER_BITS_TOTAL - BITS_PER_LONG)

#define PTUN_REKEY_AFTER_MESSAGES BIT_ULL(60)
#define PTUN_REJECT_AFTER_MESSAGES (U64_MAX - PTUN_COUNTER_WINDOW_SIZE - 1)

enum ptun_message_type {
	PTUN_MESSAGE_INVALID = 0,
	PTUN_MESSAGE_HANDSHAKE_INITIATION = 1,
	PTUN_MESSAGE_HANDSHAKE_RESPONSE = 2,
	PTUN_MESSAGE_HANDSHAKE_COOKIE = 3,
	PTUN_MESSAGE_DATA = 4,
};

/* The type is one byte followed by three reserved zero bytes. */
struct ptun_message_header {
	__le32 type;
} __packed;

struct ptun_message_macs {
	u8 mac1[PTUN_COOKIE_LEN];
	u8 mac2[PTUN_COOKIE_LEN];
} __packed;

struct ptun_message_handshake_initiation {
	struct ptun_message_header header;
	__le32 sender_index;
	u8 unencrypted_ephemeral[PTUN_NOISE_PUBLIC_KEY_LEN];
	u8 encrypted_static[ptun_noise_encrypted_len(PTUN_NOISE_PUBLIC_KEY_LEN)];
	u8 encrypted_timestamp[ptun_noise_encrypted_len(PTUN_NOISE_TIMESTAMP_LEN)];
	struct ptun_message_macs macs;
} __packed;

struct ptun_message_handshake_response {
	struct ptun_message_header header;
	__le32 sender_index;
	__le32 receiver_index;
	u8 unencrypted_ephemeral[PTUN_NOISE_PUBLIC_KEY_LEN];
	u8 encrypted_nothing[ptun_noise_encrypted_len(0)];
	struct ptun_message_macs macs;
} __packed;

struct ptun_message_handshake_cookie {
	struct ptun_message_header header;
	__le32 receiver_index;
	u8 nonce[PTUN_COOKIE_NONCE_LEN];
	u8 encrypted_cookie[ptun_noise_encrypted_len(PTUN_COOKIE_LEN)];
} __packed;

struct ptun_message_data {
	struct ptun_message_header header;
	__le32 key_idx;
	__le64 counter;
	u8 encrypted_data[];
} __packed;

static_assert(sizeof(struct ptun_message_handshake_initiation) == 148);
static_assert(sizeof(struct ptun_message_handshake_response) == 92);
static_assert(sizeof(struct ptun_message_handshake_cookie) == 64);
static_assert(sizeof(struct ptun_message_data) == 16);

#define ptun_message_data_len(plain_len) \
	(ptun_noise_encrypted_len(plain_len) + sizeof(struct ptun_message_data))

enum ptun_message_alignments {
	PTUN_MESSAGE_PADDING_MULTIPLE = 16,
	PTUN_MESSAGE_MINIMUM_LENGTH = ptun_message_data_len(0),
};

enum ptun_message_sizes {
	PTUN_DATA_HEADER_LEN = sizeof(struct ptun_message_data),
	PTUN_DATA_AUTHTAG_LEN = PTUN_NOISE_AUTHTAG_LEN,
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
