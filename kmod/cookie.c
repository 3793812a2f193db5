// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake MACs and cookies.
 *
 * MAC1 is keyed by the receiver's public key: checking it costs a BLAKE2s
 * and spares us Curve25519 for messages not meant for us.  Under load a
 * device also wants MAC2, keyed by a cookie only a host that receives at the
 * message's source address and port can know, because we sent it there:
 * cookie = MAC(secret, address || port), the secret renewed every two
 * minutes, sent encrypted and bound to the MAC1 of the message it answers.
 */
#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <crypto/chacha20poly1305.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/udp.h>

#include "compat.h"
#include "cookie.h"
#include "timers.h"

/* Where the MACs sit: at the end of every handshake message. */
#define MAC1_COVERS(len) ((len) - sizeof(struct ptun_message_macs))
#define MAC2_COVERS(len) ((len) - sizeof_field(struct ptun_message_macs, mac2))

static struct ptun_message_macs *message_macs(void *message, size_t len)
{
	return message + len - sizeof(struct ptun_message_macs);
}

static void label_hash(u8 out[PTUN_NOISE_SYMMETRIC_KEY_LEN], const char *label,
		       const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	u8 input[8 + PTUN_NOISE_PUBLIC_KEY_LEN];

	/* The labels are 8 bytes, no terminator: "mac1----", "cookie--". */
	memcpy(input, label, 8);
	memcpy(input + 8, public_key, PTUN_NOISE_PUBLIC_KEY_LEN);
	ptun_compat_blake2s(out, input, NULL, PTUN_NOISE_SYMMETRIC_KEY_LEN,
			    sizeof(input), 0);
}

void ptun_mac_keys_derive(struct ptun_mac_keys *keys,
			  const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	label_hash(keys->mac1, "mac1----", public_key);
	label_hash(keys->reply, "cookie--", public_key);
}

void ptun_mac1(u8 mac[PTUN_COOKIE_LEN], const void *message, size_t len,
	       const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN])
{
	ptun_compat_blake2s(mac, message, key, PTUN_COOKIE_LEN,
			    MAC1_COVERS(len), PTUN_NOISE_SYMMETRIC_KEY_LEN);
}

void ptun_mac2(u8 mac[PTUN_COOKIE_LEN], const void *message, size_t len,
	       const u8 cookie[PTUN_COOKIE_LEN])
{
	ptun_compat_blake2s(mac, message, cookie, PTUN_COOKIE_LEN,
			    MAC2_COVERS(len), PTUN_COOKIE_LEN);
}

void ptun_cookie_of_source(u8 cookie[PTUN_COOKIE_LEN],
			   const u8 secret[PTUN_NOISE_HASH_LEN],
			   const void *addr, size_t addr_len, __be16 port)
{
	u8 source[sizeof(struct in6_addr) + sizeof(port)];

	memcpy(source, addr, addr_len);
	memcpy(source + addr_len, &port, sizeof(port));
	ptun_compat_blake2s(cookie, source, secret, PTUN_COOKIE_LEN,
			    addr_len + sizeof(port), PTUN_NOISE_HASH_LEN);
}

void ptun_cookie_seal(struct ptun_message_handshake_cookie *reply,
		      const u8 cookie[PTUN_COOKIE_LEN],
		      const u8 mac1[PTUN_COOKIE_LEN],
		      const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN])
{
	xchacha20poly1305_encrypt(reply->encrypted_cookie, cookie, PTUN_COOKIE_LEN,
				  mac1, PTUN_COOKIE_LEN, reply->nonce, key);
}

bool ptun_cookie_open(u8 cookie[PTUN_COOKIE_LEN],
		      const struct ptun_message_handshake_cookie *reply,
		      const u8 mac1[PTUN_COOKIE_LEN],
		      const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN])
{
	return xchacha20poly1305_decrypt(cookie, reply->encrypted_cookie,
					 sizeof(reply->encrypted_cookie),
					 mac1, PTUN_COOKIE_LEN, reply->nonce, key);
}

void ptun_cookie_gate_init(struct ptun_cookie_gate *gate)
{
	memset(gate, 0, sizeof(*gate));
	spin_lock_init(&gate->lock);
	get_random_bytes(gate->secret, sizeof(gate->secret));
	gate->secret_born = ktime_get_coarse_boottime_ns();
}

void ptun_cookie_gate_set_key(struct ptun_cookie_gate *gate,
			      const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	struct ptun_mac_keys keys = {};

	if (public_key)
		ptun_mac_keys_derive(&keys, public_key);
	spin_lock_bh(&gate->lock);
	gate->keys = keys;
	spin_unlock_bh(&gate->lock);
	memzero_explicit(&keys, sizeof(keys));
}

/* The cookie of @skb's source, under the current secret (renewed if old). */
static void gate_cookie(struct ptun_cookie_gate *gate, struct sk_buff *skb,
			u8 cookie[PTUN_COOKIE_LEN])
{
	u8 secret[PTUN_NOISE_HASH_LEN];

	spin_lock_bh(&gate->lock);
	if (ptun_birthdate_has_expired(gate->secret_born,
				       PTUN_COOKIE_SECRET_MAX_AGE)) {
		get_random_bytes(gate->secret, sizeof(gate->secret));
		gate->secret_born = ktime_get_coarse_boottime_ns();
	}
	memcpy(secret, gate->secret, sizeof(secret));
	spin_unlock_bh(&gate->lock);

	if (skb->protocol == htons(ETH_P_IP))
		ptun_cookie_of_source(cookie, secret, &ip_hdr(skb)->saddr,
				      sizeof(struct in_addr), udp_hdr(skb)->source);
	else
		ptun_cookie_of_source(cookie, secret, &ipv6_hdr(skb)->saddr,
				      sizeof(struct in6_addr), udp_hdr(skb)->source);
	memzero_explicit(secret, sizeof(secret));
}

enum ptun_mac_verdict ptun_cookie_gate_check(struct ptun_cookie_gate *gate,
					     struct sk_buff *skb, bool want_mac2)
{
	struct ptun_message_macs *macs = message_macs(skb->data, skb->len);
	u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN], cookie[PTUN_COOKIE_LEN];
	enum ptun_mac_verdict verdict = PTUN_MACS_BAD;
	u8 mac[PTUN_COOKIE_LEN];

	spin_lock_bh(&gate->lock);
	memcpy(key, gate->keys.mac1, sizeof(key));
	spin_unlock_bh(&gate->lock);
	ptun_mac1(mac, skb->data, skb->len, key);
	memzero_explicit(key, sizeof(key));
	if (crypto_memneq(mac, macs->mac1, PTUN_COOKIE_LEN))
		return verdict;

	verdict = PTUN_MACS_MAC1_ONLY;
	if (!want_mac2)
		return verdict;
	gate_cookie(gate, skb, cookie);
	ptun_mac2(mac, skb->data, skb->len, cookie);
	memzero_explicit(cookie, sizeof(cookie));
	if (!crypto_memneq(mac, macs->mac2, PTUN_COOKIE_LEN))
		verdict = PTUN_MACS_BOTH;
	return verdict;
}

void ptun_cookie_gate_reply(struct ptun_cookie_gate *gate, struct sk_buff *skb,
			    __le32 sender_index,
			    struct ptun_message_handshake_cookie *reply)
{
	struct ptun_message_macs *macs = message_macs(skb->data, skb->len);
	u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN], cookie[PTUN_COOKIE_LEN];

	reply->header.type = cpu_to_le32(PTUN_MESSAGE_HANDSHAKE_COOKIE);
	reply->receiver_index = sender_index;
	get_random_bytes(reply->nonce, sizeof(reply->nonce));
	spin_lock_bh(&gate->lock);
	memcpy(key, gate->keys.reply, sizeof(key));
	spin_unlock_bh(&gate->lock);
	gate_cookie(gate, skb, cookie);
	ptun_cookie_seal(reply, cookie, macs->mac1, key);
	memzero_explicit(cookie, sizeof(cookie));
	memzero_explicit(key, sizeof(key));
}

void ptun_cookie_stamp_init(struct ptun_cookie_stamp *stamp,
			    const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	memset(stamp, 0, sizeof(*stamp));
	spin_lock_init(&stamp->lock);
	ptun_mac_keys_derive(&stamp->keys, public_key);
}

/*
 * The responder made the cookie up to PTUN_COOKIE_SECRET_MAX_AGE before its
 * secret changes; the reply took time to come, so stop a little earlier.
 */
static bool stamp_cookie_fresh(const struct ptun_cookie_stamp *stamp)
{
	return stamp->has_cookie &&
	       !ptun_birthdate_has_expired(stamp->cookie_born,
					   PTUN_COOKIE_SECRET_MAX_AGE -
					   PTUN_COOKIE_SECRET_LATENCY);
}

void ptun_cookie_stamp_message(struct ptun_cookie_stamp *stamp, void *message,
			       size_t len)
{
	struct ptun_message_macs *macs = message_macs(message, len);
	u8 cookie[PTUN_COOKIE_LEN];
	bool fresh;

	ptun_mac1(macs->mac1, message, len, stamp->keys.mac1);
	spin_lock_bh(&stamp->lock);
	/* Only a reply to this very message may give us a cookie. */
	memcpy(stamp->last_mac1, macs->mac1, PTUN_COOKIE_LEN);
	stamp->awaiting_reply = true;
	fresh = stamp_cookie_fresh(stamp);
	if (fresh)
		memcpy(cookie, stamp->cookie, sizeof(cookie));
	spin_unlock_bh(&stamp->lock);

	if (fresh) {
		ptun_mac2(macs->mac2, message, len, cookie);
		memzero_explicit(cookie, sizeof(cookie));
	} else {
		memset(macs->mac2, 0, PTUN_COOKIE_LEN);
	}
}

enum ptun_cookie_reply_verdict
ptun_cookie_stamp_take_reply(struct ptun_cookie_stamp *stamp,
			     const struct ptun_message_handshake_cookie *reply)
{
	enum ptun_cookie_reply_verdict verdict = PTUN_COOKIE_UNASKED;
	u8 cookie[PTUN_COOKIE_LEN];

	/* One short decryption: done under the lock, so no reply races another. */
	spin_lock_bh(&stamp->lock);
	if (!stamp->awaiting_reply)
		goto out;
	verdict = PTUN_COOKIE_FORGED;
	if (!ptun_cookie_open(cookie, reply, stamp->last_mac1, stamp->keys.reply))
		goto out;
	memcpy(stamp->cookie, cookie, PTUN_COOKIE_LEN);
	stamp->cookie_born = ktime_get_coarse_boottime_ns();
	stamp->has_cookie = true;
	stamp->awaiting_reply = false;
	verdict = PTUN_COOKIE_TAKEN;
out:
	spin_unlock_bh(&stamp->lock);
	memzero_explicit(cookie, sizeof(cookie));
	return verdict;
}

#ifdef DEBUG
#include "selftest/cookie.c"
#endif
