/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handshake MACs and cookies (whitepaper 5.4.4 and 5.4.7), in two objects:
 *
 * - a device's gate, which checks the MACs of handshakes sent to the device
 *   and, under load, answers them with cookie replies;
 * - a peer's stamp, which puts the MACs on the handshakes we send that peer
 *   and keeps the cookie that peer last gave us.
 *
 * Both rest on the pure functions below, which the self-tests feed known
 * answers.
 */
#ifndef _PTUN_COOKIE_H
#define _PTUN_COOKIE_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>

#include "messages.h"

/* The keys one public key implies, derived once when the key is set. */
struct ptun_mac_keys {
	u8 mac1[PTUN_NOISE_SYMMETRIC_KEY_LEN];	/* HASH("mac1----" || key) */
	u8 reply[PTUN_NOISE_SYMMETRIC_KEY_LEN];	/* HASH("cookie--" || key) */
};

void ptun_mac_keys_derive(struct ptun_mac_keys *keys,
			  const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN]);
/* MAC1 and MAC2 of the handshake @message of @len bytes, its MACs included. */
void ptun_mac1(u8 mac[PTUN_COOKIE_LEN], const void *message, size_t len,
	       const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN]);
void ptun_mac2(u8 mac[PTUN_COOKIE_LEN], const void *message, size_t len,
	       const u8 cookie[PTUN_COOKIE_LEN]);
/* MAC(@secret, @addr || @port): what a source must echo in MAC2. */
void ptun_cookie_of_source(u8 cookie[PTUN_COOKIE_LEN],
			   const u8 secret[PTUN_NOISE_HASH_LEN],
			   const void *addr, size_t addr_len, __be16 port);
/* The encrypted cookie of a reply to the message that carried @mac1. */
void ptun_cookie_seal(struct ptun_message_handshake_cookie *reply,
		      const u8 cookie[PTUN_COOKIE_LEN],
		      const u8 mac1[PTUN_COOKIE_LEN],
		      const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN]);
bool __must_check ptun_cookie_open(u8 cookie[PTUN_COOKIE_LEN],
				   const struct ptun_message_handshake_cookie *reply,
				   const u8 mac1[PTUN_COOKIE_LEN],
				   const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN]);

/*
 * A device's gate.  Every field is under @lock (a BH spinlock: the gate is
 * used from the handshake workers and from netlink, and each use copies out
 * what it needs, so the lock is held for a few dozen bytes' copy only).
 * @keys follow our public key (zero while there is none); @secret is
 * replaced by the first use after it is PTUN_COOKIE_SECRET_MAX_AGE old.
 */
struct ptun_cookie_gate {
	spinlock_t lock;	/* protects everything below */
	struct ptun_mac_keys keys;
	u8 secret[PTUN_NOISE_HASH_LEN];
	u64 secret_born;	/* ktime_get_coarse_boottime_ns() */
};

enum ptun_mac_verdict {
	PTUN_MACS_BAD,		/* MAC1 wrong: not meant for us, or junk */
	PTUN_MACS_MAC1_ONLY,	/* MAC2 not asked for, or not from a cookie of ours */
	PTUN_MACS_BOTH,		/* the sender can receive at its address */
};

void ptun_cookie_gate_init(struct ptun_cookie_gate *gate);
/* Our public key changed; NULL when we have none. */
void ptun_cookie_gate_set_key(struct ptun_cookie_gate *gate,
			      const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN]);
/*
 * The MACs of the handshake message at @skb->data, which still has its outer
 * IP and UDP headers in front; MAC2 is looked at only when @want_mac2.
 */
enum ptun_mac_verdict ptun_cookie_gate_check(struct ptun_cookie_gate *gate,
					     struct sk_buff *skb, bool want_mac2);
/* A cookie reply to the handshake message in @skb, sent from @sender_index. */
void ptun_cookie_gate_reply(struct ptun_cookie_gate *gate, struct sk_buff *skb,
			    __le32 sender_index,
			    struct ptun_message_handshake_cookie *reply);

/*
 * A peer's stamp.  @keys derive from the peer's public key before the peer
 * is published and never change: read without a lock.  The rest is under
 * @lock (a BH spinlock).  A reply is taken only while @awaiting_reply: it
 * must answer the last message we sent, whose MAC1 is @last_mac1.
 */
struct ptun_cookie_stamp {
	struct ptun_mac_keys keys;
	spinlock_t lock;	/* protects everything below */
	u8 cookie[PTUN_COOKIE_LEN];
	u64 cookie_born;	/* when the reply came, boottime ns */
	bool has_cookie;
	u8 last_mac1[PTUN_COOKIE_LEN];
	bool awaiting_reply;
};

enum ptun_cookie_reply_verdict {
	PTUN_COOKIE_TAKEN,
	PTUN_COOKIE_UNASKED,	/* no handshake of ours waits for one */
	PTUN_COOKIE_FORGED,	/* does not decrypt with the last MAC1 sent */
};

void ptun_cookie_stamp_init(struct ptun_cookie_stamp *stamp,
			    const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN]);
/* Fill in the MACs of the handshake @message of @len bytes we send the peer. */
void ptun_cookie_stamp_message(struct ptun_cookie_stamp *stamp, void *message,
			       size_t len);
enum ptun_cookie_reply_verdict
ptun_cookie_stamp_take_reply(struct ptun_cookie_stamp *stamp,
			     const struct ptun_message_handshake_cookie *reply);

#ifdef DEBUG
bool ptun_cookie_selftest(void);
#endif

#endif /* _PTUN_COOKIE_H */
