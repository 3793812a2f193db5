/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MAC1, MAC2 and cookie replies: the handshake's defence against floods.
 */
#ifndef _PTUN_COOKIE_H
#define _PTUN_COOKIE_H

#include <linux/rwsem.h>
#include <linux/skbuff.h>

#include "messages.h"

struct ptun_device;
struct ptun_peer;

/*
 * What we need to check MAC1/MAC2 of handshakes sent to us and to write
 * cookie replies.  The keys derive from our public key; @secret rotates
 * every PTUN_COOKIE_SECRET_MAX_AGE seconds.
 */
struct ptun_cookie_checker {
	u8 secret[PTUN_NOISE_HASH_LEN];
	u8 cookie_encryption_key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	u8 message_mac1_key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	u64 secret_birthdate;
	struct rw_semaphore secret_lock;
	struct ptun_device *device;
};

/*
 * Per peer: the latest cookie the peer sent us (to put MAC2 on our
 * handshakes) and the keys derived from the peer's public key.
 */
struct ptun_cookie {
	u64 birthdate;
	bool is_valid;
	u8 cookie[PTUN_COOKIE_LEN];
	bool have_sent_mac1;
	u8 last_mac1_sent[PTUN_COOKIE_LEN];
	u8 cookie_decryption_key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	u8 message_mac1_key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	struct rw_semaphore lock;
};

enum ptun_cookie_mac_state {
	PTUN_INVALID_MAC,
	PTUN_VALID_MAC_BUT_NO_COOKIE,
	PTUN_VALID_MAC_WITH_COOKIE_BUT_RATELIMITED,
	PTUN_VALID_MAC_WITH_COOKIE,
};

void ptun_cookie_checker_init(struct ptun_cookie_checker *checker,
			      struct ptun_device *device);
/* After the device's public key changed. */
void ptun_cookie_checker_precompute_device_keys(struct ptun_cookie_checker *checker);
/* After a peer was created with its public key. */
void ptun_cookie_checker_precompute_peer_keys(struct ptun_peer *peer);
void ptun_cookie_init(struct ptun_cookie *cookie);

/*
 * Check the MACs of a handshake message in @skb (skb->data at the message,
 * the outer IP and UDP headers still reachable with ip_hdr()/udp_hdr()).
 * MAC2 is only looked at when @check_cookie.
 */
enum ptun_cookie_mac_state
ptun_cookie_validate_packet(struct ptun_cookie_checker *checker,
			    struct sk_buff *skb, bool check_cookie);
/* Fill in MAC1, and MAC2 if we hold a fresh cookie from @peer. */
void ptun_cookie_add_mac_to_packet(void *message, size_t len,
				   struct ptun_peer *peer);
/* A cookie reply to the handshake in @skb, for its sender @index. */
void ptun_cookie_message_create(struct ptun_message_handshake_cookie *dst,
				struct sk_buff *skb, __le32 index,
				struct ptun_cookie_checker *checker);
/* Take the cookie a peer sent us in reply to one of our handshakes. */
void ptun_cookie_message_consume(struct ptun_message_handshake_cookie *src,
				 struct ptun_device *device);

#endif /* _PTUN_COOKIE_H */
