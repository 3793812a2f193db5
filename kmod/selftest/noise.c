// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake, run at module load in DEBUG builds: known answers, then
 * two devices in memory that handshake, exchange a message and cookies.
 * Included by noise.c.
 *
 * The known answers come from an independent Python implementation of the
 * whitepaper (hashlib's BLAKE2s and HMAC, the cryptography package's X25519
 * and ChaCha20Poly1305), itself checked against wireguard.ko in both roles.
 * Inputs: the keys are BLAKE2s of "ptun selftest <role>", clamped; the
 * timestamp is 2023-11-14 22:13:20 TAI64N; the indices 0x04030201 (initiator)
 * and 0x08070605 (responder); the cookie is for 192.0.2.1:51820.
 */

#include <linux/etherdevice.h>
#include <linux/netdevice.h>

static const u8 kat_hmac_key[] __initconst = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
};

static const u8 kat_hmac[] __initconst = {
	0xa3, 0x5a, 0x9f, 0xf6, 0x58, 0x28, 0x6e, 0x73, 0x67, 0x97, 0xd9, 0xf6,
	0xfe, 0x9b, 0xdb, 0xb0, 0x18, 0x41, 0x6f, 0x3f, 0xad, 0x4d, 0x17, 0x78,
	0x2b, 0x1a, 0x7a, 0x8d, 0x1a, 0xa9, 0x8a, 0xc3
};

static const u8 kat_kdf[] __initconst = {
	0x9f, 0x61, 0xdb, 0x87, 0xdb, 0x04, 0xd8, 0x51, 0x1b, 0x82, 0x84, 0x9f,
	0xfb, 0x61, 0xb9, 0x94, 0xee, 0x8a, 0x4f, 0xd3, 0x59, 0x5b, 0x53, 0x16,
	0x6e, 0x18, 0x05, 0x5c, 0xca, 0xd0, 0xfa, 0xed, 0x9c, 0x00, 0x3c, 0x95,
	0x1c, 0x30, 0xa2, 0x66, 0xed, 0xf1, 0x49, 0x41, 0xcf, 0xfa, 0x96, 0x66,
	0x2d, 0x0b, 0x5b, 0x9e, 0xce, 0x2c, 0xdd, 0xc9, 0x2b, 0x47, 0x2f, 0x2f,
	0xcb, 0x0d, 0x0b, 0x7c, 0x45, 0x71, 0xd7, 0x2a, 0x9a, 0xbe, 0x15, 0x3b,
	0xc4, 0x0c, 0x55, 0x89, 0x39, 0x86, 0xd4, 0x82, 0x0f, 0xd4, 0x0f, 0x5d,
	0xf4, 0xef, 0x66, 0xba, 0x35, 0x42, 0xe7, 0x1e, 0xc5, 0x4b, 0x6f, 0x9e
};

static const u8 kat_chaining_key[] __initconst = {
	0x60, 0xe2, 0x6d, 0xae, 0xf3, 0x27, 0xef, 0xc0, 0x2e, 0xc3, 0x35, 0xe2,
	0xa0, 0x25, 0xd2, 0xd0, 0x16, 0xeb, 0x42, 0x06, 0xf8, 0x72, 0x77, 0xf5,
	0x2d, 0x38, 0xd1, 0x98, 0x8b, 0x78, 0xcd, 0x36
};

static const u8 kat_hash[] __initconst = {
	0x22, 0x11, 0xb3, 0x61, 0x08, 0x1a, 0xc5, 0x66, 0x69, 0x12, 0x43, 0xdb,
	0x45, 0x8a, 0xd5, 0x32, 0x2d, 0x9c, 0x6c, 0x66, 0x22, 0x93, 0xe8, 0xb7,
	0x0e, 0xe1, 0x9c, 0x65, 0xba, 0x07, 0x9e, 0xf3
};

static const u8 kat_initiator_private[] __initconst = {
	0x78, 0x1f, 0x32, 0x3a, 0x2c, 0xba, 0x73, 0xcf, 0x7c, 0xf5, 0x1a, 0x1d,
	0x52, 0x75, 0x58, 0xc7, 0xc2, 0xc8, 0x3a, 0x6a, 0x02, 0xef, 0x4e, 0x88,
	0x6b, 0x45, 0x20, 0x7f, 0x98, 0xab, 0x78, 0x54
};

static const u8 kat_responder_private[] __initconst = {
	0x30, 0x7a, 0xb1, 0x67, 0x58, 0x80, 0xa7, 0xf8, 0xf9, 0xca, 0x43, 0x0b,
	0x4e, 0x1c, 0xd9, 0x1e, 0x7d, 0xd4, 0x60, 0xb4, 0x26, 0x4f, 0x26, 0x5e,
	0x41, 0xa4, 0xfd, 0xa4, 0xbe, 0x3c, 0xfa, 0x76
};

static const u8 kat_initiator_ephemeral[] __initconst = {
	0x90, 0x00, 0xaa, 0xcd, 0x3c, 0xbf, 0x52, 0xe4, 0xfb, 0x80, 0x3c, 0x62,
	0x57, 0x98, 0xd4, 0x16, 0x1b, 0x00, 0x0c, 0x3e, 0x8b, 0xb8, 0x04, 0x30,
	0xc7, 0x81, 0xb7, 0x3b, 0xdd, 0x4d, 0x1d, 0x70
};

static const u8 kat_responder_ephemeral[] __initconst = {
	0xa8, 0x46, 0x89, 0xc8, 0x5d, 0x85, 0x1e, 0xe9, 0x9a, 0xc4, 0x88, 0x28,
	0xff, 0x4a, 0x11, 0xa1, 0x43, 0x8b, 0x3d, 0xec, 0xd1, 0x6a, 0xad, 0xe8,
	0xe3, 0x2c, 0x31, 0x00, 0x39, 0xb5, 0x25, 0x6a
};

static const u8 kat_preshared_key[] __initconst = {
	0x07, 0xa2, 0x05, 0x29, 0x6b, 0xf5, 0xa4, 0xed, 0x14, 0xc6, 0xae, 0xe7,
	0x81, 0x12, 0xac, 0x8a, 0x41, 0x4b, 0x7d, 0xcd, 0x70, 0x0d, 0x3b, 0x86,
	0x19, 0x52, 0x2d, 0x96, 0xdb, 0xd5, 0x12, 0x34
};

static const u8 kat_timestamp[] __initconst = {
	0x40, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x0a, 0x03, 0x00, 0x00, 0x00
};

static const u8 kat_initiation[] __initconst = {
	0x01, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0xac, 0x52, 0x6b, 0x9b,
	0xdb, 0xe0, 0x97, 0xea, 0x66, 0xd7, 0x48, 0x4d, 0x66, 0x94, 0x9f, 0x8f,
	0x13, 0xb0, 0xed, 0xa1, 0x6b, 0xac, 0x67, 0xb0, 0xb5, 0xcc, 0x47, 0x0e,
	0xb8, 0xca, 0x98, 0x16, 0xdf, 0x17, 0xef, 0x95, 0x88, 0x1d, 0x18, 0x9a,
	0xb5, 0x0f, 0x3f, 0xeb, 0x45, 0xe1, 0x16, 0x34, 0x51, 0x1f, 0xbd, 0x23,
	0x9c, 0x68, 0xa3, 0x62, 0x68, 0xea, 0xd0, 0x15, 0x9d, 0xce, 0xb0, 0xd7,
	0xa8, 0x5a, 0xcf, 0x95, 0x50, 0x07, 0xa7, 0xa6, 0xe4, 0x31, 0x33, 0x3a,
	0x30, 0xec, 0x42, 0x06, 0x04, 0x20, 0x57, 0x3a, 0xd8, 0x73, 0x06, 0x94,
	0xda, 0x68, 0x76, 0x1e, 0x51, 0xd9, 0x93, 0xb4, 0xd5, 0x65, 0x04, 0x09,
	0x27, 0x61, 0x8f, 0xba, 0x09, 0x55, 0x0b, 0x9a, 0x75, 0x86, 0x07, 0xd5,
	0x3a, 0xf5, 0x71, 0x4e, 0x95, 0x77, 0x36, 0x02, 0x2f, 0x32, 0x49, 0x4a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00
};

static const u8 kat_response[] __initconst = {
	0x02, 0x00, 0x00, 0x00, 0x05, 0x06, 0x07, 0x08, 0x01, 0x02, 0x03, 0x04,
	0x8b, 0xd4, 0x79, 0x38, 0x96, 0x21, 0x6d, 0x77, 0x11, 0x92, 0xdb, 0x9f,
	0x48, 0x39, 0x4c, 0xf1, 0xb3, 0x5c, 0x0f, 0x76, 0x98, 0x95, 0x51, 0xd3,
	0x4e, 0x18, 0xfd, 0xf2, 0x63, 0x7e, 0xb4, 0x1f, 0xe0, 0xae, 0x22, 0x3c,
	0x30, 0x7e, 0x7d, 0x2f, 0x10, 0x4a, 0x81, 0x97, 0xb0, 0x76, 0xe1, 0x6b,
	0x78, 0x89, 0x13, 0x75, 0x13, 0xe1, 0xf3, 0xf3, 0xea, 0xac, 0xa5, 0xce,
	0x00, 0xea, 0xa9, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

static const u8 kat_initiator_sending[] __initconst = {
	0xef, 0x54, 0xca, 0x90, 0xc8, 0xee, 0x21, 0x2c, 0x6b, 0x7a, 0x66, 0x95,
	0x3e, 0xfc, 0x9b, 0xf5, 0x12, 0xcb, 0xa5, 0x7d, 0xfc, 0x60, 0xf0, 0x56,
	0xdb, 0x3d, 0xd9, 0x0d, 0x78, 0x7c, 0x06, 0x25
};

static const u8 kat_responder_sending[] __initconst = {
	0xe7, 0xa5, 0x37, 0xd7, 0x83, 0xcb, 0x41, 0xac, 0xba, 0xe4, 0x3c, 0x7c,
	0x79, 0x73, 0xd8, 0xe2, 0x34, 0x64, 0x87, 0xe0, 0xce, 0x98, 0x7a, 0xe3,
	0xc9, 0xd3, 0xae, 0x0b, 0xbb, 0x99, 0x2c, 0xf5
};

static const u8 kat_cookie_secret[] __initconst = {
	0xfe, 0x3c, 0x9f, 0x2d, 0xfa, 0x02, 0x86, 0xd9, 0x14, 0x72, 0x20, 0x35,
	0x22, 0x21, 0xe5, 0xd0, 0x00, 0x77, 0x37, 0xb0, 0xce, 0x13, 0x7c, 0x7d,
	0x17, 0x41, 0xf7, 0xcc, 0x6b, 0x81, 0xcd, 0x5d
};

static const u8 kat_cookie[] __initconst = {
	0xad, 0xc7, 0x09, 0x93, 0x34, 0x86, 0xf8, 0xec, 0x83, 0x27, 0x7d, 0xfa,
	0x81, 0xfe, 0xd1, 0xa3
};

static const u8 kat_initiation_mac2[] __initconst = {
	0x7e, 0xd3, 0xaf, 0x47, 0x52, 0x0e, 0x66, 0x49, 0xce, 0x3e, 0x82, 0x27,
	0xdc, 0xda, 0xb2, 0x03
};

struct noise_test {
	struct ptun_device *initiator, *responder;
	/* Each device's peer: the other one. */
	struct ptun_peer *initiator_peer, *responder_peer;
	bool ok;
};

static bool __init noise_expect(struct noise_test *t, bool ok, const char *what)
{
	if (!ok) {
		pr_err("noise self-test: %s\n", what);
		t->ok = false;
	}
	return ok;
}

static void __init noise_test_device_free(struct ptun_device *ptun)
{
	if (!ptun)
		return;
	ptun_peer_table_destroy(ptun->peer_table);
	ptun_index_table_destroy(ptun->index_table);
	free_percpu(ptun->counters);
	free_netdev(ptun->dev);
}

static struct ptun_device *__init noise_test_device(const u8 private_key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	struct net_device *dev;
	struct ptun_device *ptun;

	dev = alloc_netdev(sizeof(*ptun), "ptuntest%d", NET_NAME_UNKNOWN, ether_setup);
	if (!dev)
		return NULL;
	ptun = netdev_priv(dev);
	ptun->dev = dev;
	ptun_noise_static_identity_init(&ptun->static_identity);
	ptun_cookie_gate_init(&ptun->cookie_gate);
	ptun_noise_set_static_identity(&ptun->static_identity, private_key);
	ptun_cookie_gate_set_key(&ptun->cookie_gate, ptun->static_identity.static_public);
	ptun->peer_table = ptun_peer_table_create();
	ptun->index_table = ptun_index_table_create();
	/* The flooded, tampered and replayed handshakes count as drops. */
	ptun->counters = ptun_counters_alloc();
	if (!ptun->peer_table || !ptun->index_table || !ptun->counters) {
		noise_test_device_free(ptun);
		return NULL;
	}
	return ptun;
}

/* Just what noise.c, cookie.c and peerlookup.c use of a peer. */
static struct ptun_peer *__init noise_test_peer(struct ptun_device *ptun,
						const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	struct ptun_peer *peer = kzalloc(sizeof(*peer), GFP_KERNEL);

	if (!peer)
		return NULL;
	peer->device = ptun;
	ptun_noise_handshake_init(&peer->handshake, &ptun->static_identity,
				  public_key, kat_preshared_key, peer);
	ptun_cookie_stamp_init(&peer->cookie_stamp, public_key);
	ptun_noise_keypairs_init(&peer->keypairs);
	kref_init(&peer->refcount);
	if (ptun_peer_table_add(ptun->peer_table, peer)) {
		kfree(peer);
		return NULL;
	}
	return peer;
}

static void __init noise_test_peer_free(struct noise_test *t, struct ptun_peer *peer)
{
	if (!peer)
		return;
	ptun_peer_table_remove(peer->device->peer_table, peer);
	ptun_noise_handshake_clear(&peer->handshake);
	ptun_noise_keypairs_clear(&peer->keypairs);
	noise_expect(t, kref_read(&peer->refcount) == 1, "a peer reference leaked");
	/* Its handshakes allocated its counters. */
	ptun_peer_counters_free(peer);
	kfree(peer);
}

/* Whether @entry can be found by its index. */
static bool __init noise_test_indexed(struct ptun_device *ptun, struct ptun_indexed *entry)
{
	struct ptun_indexed *found;
	struct ptun_peer *peer;

	found = ptun_index_table_find(ptun->index_table, entry->index,
				      PTUN_INDEXED_HANDSHAKE | PTUN_INDEXED_KEYPAIR, &peer);
	ptun_peer_put(peer);
	return found == entry;
}

/* A handshake message as the receive path hands it over: outer headers behind skb->data. */
static struct sk_buff *__init noise_test_skb(const void *message, size_t len,
					     bool ipv6, u16 port)
{
	static const struct in6_addr source6 = {
		.s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	size_t headers = (ipv6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) +
			 sizeof(struct udphdr);
	struct sk_buff *skb = alloc_skb(headers + len, GFP_KERNEL);
	struct udphdr *udp;

	if (!skb)
		return NULL;
	skb_reset_network_header(skb);
	if (ipv6) {
		struct ipv6hdr *ip6 = skb_put_zero(skb, sizeof(*ip6));

		ip6->version = 6;
		ip6->saddr = source6;
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *ip4 = skb_put_zero(skb, sizeof(*ip4));

		ip4->version = 4;
		ip4->ihl = 5;
		ip4->saddr = htonl(0xc0000201);
		skb->protocol = htons(ETH_P_IP);
	}
	skb_set_transport_header(skb, skb->len);
	udp = skb_put_zero(skb, sizeof(*udp));
	udp->source = htons(port);
	skb_put_data(skb, message, len);
	skb_pull(skb, headers);
	return skb;
}

static enum ptun_mac_verdict __init
noise_test_validate(struct ptun_device *ptun, const void *message, size_t len,
		    bool ipv6, u16 port, bool check_cookie)
{
	struct sk_buff *skb = noise_test_skb(message, len, ipv6, port);
	enum ptun_mac_verdict state = PTUN_MACS_BAD;

	if (skb)
		state = ptun_cookie_gate_check(&ptun->cookie_gate, skb, check_cookie);
	kfree_skb(skb);
	return state;
}

static void __init noise_test_kdf(struct noise_test *t)
{
	u8 out[3 * PTUN_NOISE_HASH_LEN];

	hmac(out, (const u8 *)"ptun", 4, kat_hmac_key);
	noise_expect(t, !memcmp(out, kat_hmac, sizeof(kat_hmac)), "HMAC-BLAKE2s");
	kdf(out, out + PTUN_NOISE_HASH_LEN, out + 2 * PTUN_NOISE_HASH_LEN,
	    (const u8 *)"ptun", 4, kat_hmac_key);
	noise_expect(t, !memcmp(out, kat_kdf, sizeof(kat_kdf)), "KDF3");
	kdf(out, NULL, NULL, (const u8 *)"ptun", 4, kat_hmac_key);
	noise_expect(t, !memcmp(out, kat_kdf, PTUN_NOISE_HASH_LEN), "KDF1");
	noise_expect(t, !memcmp(handshake_init_chaining_key, kat_chaining_key,
				PTUN_NOISE_HASH_LEN) &&
		     !memcmp(handshake_init_hash, kat_hash, PTUN_NOISE_HASH_LEN),
		     "initial chaining key and hash");
}

static struct ptun_noise_keypair *__init noise_test_slot(struct ptun_noise_keypair __rcu **slot)
{
	return rcu_dereference_protected(*slot, true);
}

/* Fixed ephemerals, timestamp and indices: the messages and keys are known. */
static void __init noise_test_known_handshake(struct noise_test *t)
{
	const size_t key_len = PTUN_NOISE_SYMMETRIC_KEY_LEN;
	struct ptun_message_handshake_initiation initiation;
	struct ptun_message_handshake_response response;
	struct ptun_noise_keypair *keypair;
	struct ptun_peer *peer;

	if (!noise_expect(t, handshake_create_initiation(&initiation,
							 &t->initiator_peer->handshake,
							 kat_initiator_ephemeral,
							 kat_timestamp),
			  "known initiation: not created"))
		return;
	initiation.sender_index = cpu_to_le32(0x04030201);
	ptun_cookie_stamp_message(&t->initiator_peer->cookie_stamp, &initiation,
				  sizeof(initiation));
	noise_expect(t, !memcmp(&initiation, kat_initiation, sizeof(initiation)),
		     "known initiation: wrong bytes");
	noise_expect(t, noise_test_validate(t->responder, &initiation, sizeof(initiation),
					    false, 51820, false) ==
		     PTUN_MACS_MAC1_ONLY, "known initiation: MAC1 refused");

	peer = ptun_noise_handshake_consume_initiation(&initiation, t->responder);
	if (!noise_expect(t, peer == t->responder_peer, "known initiation: not consumed"))
		goto out;
	if (!noise_expect(t, handshake_create_response(&response, &peer->handshake,
						       kat_responder_ephemeral),
			  "known response: not created"))
		goto out;
	response.sender_index = cpu_to_le32(0x08070605);
	ptun_cookie_stamp_message(&peer->cookie_stamp, &response, sizeof(response));
	noise_expect(t, !memcmp(&response, kat_response, sizeof(response)),
		     "known response: wrong bytes");
	noise_expect(t, noise_test_validate(t->initiator, &response, sizeof(response),
					    false, 51820, false) ==
		     PTUN_MACS_MAC1_ONLY, "known response: MAC1 refused");
	if (!noise_expect(t, ptun_noise_handshake_begin_session(&peer->handshake,
								&peer->keypairs),
			  "known response: no session for the responder"))
		goto out;
	keypair = noise_test_slot(&peer->keypairs.next_keypair);
	noise_expect(t, keypair && !noise_test_slot(&peer->keypairs.current_keypair) &&
		     !memcmp(keypair->sending.key, kat_responder_sending, key_len) &&
		     !memcmp(keypair->receiving.key, kat_initiator_sending, key_len),
		     "known session: wrong responder keys");
	ptun_peer_put(peer);

	/* The index we patched in is not the one the initiator's table knows. */
	response.receiver_index = t->initiator_peer->handshake.entry.index;
	peer = ptun_noise_handshake_consume_response(&response, t->initiator);
	if (!noise_expect(t, peer == t->initiator_peer, "known response: not consumed"))
		goto out;
	if (!noise_expect(t, ptun_noise_handshake_begin_session(&peer->handshake,
								&peer->keypairs),
			  "known response: no session for the initiator"))
		goto out;
	keypair = noise_test_slot(&peer->keypairs.current_keypair);
	noise_expect(t, keypair && keypair->i_am_the_initiator &&
		     keypair->remote_index == cpu_to_le32(0x08070605) &&
		     !memcmp(keypair->sending.key, kat_initiator_sending, key_len) &&
		     !memcmp(keypair->receiving.key, kat_responder_sending, key_len),
		     "known session: wrong initiator keys");
	noise_expect(t, peer->handshake.state == PTUN_HANDSHAKE_ZEROED &&
		     !memchr_inv(peer->handshake.chaining_key, 0, PTUN_NOISE_HASH_LEN),
		     "known session: handshake state not wiped");
out:
	ptun_peer_put(peer);
}

/* Flip each byte of an initiation in turn: MAC1 or the handshake must notice. */
static void __init noise_test_tampering(struct noise_test *t,
					const struct ptun_message_handshake_initiation *good)
{
	struct ptun_message_handshake_initiation bad;
	struct ptun_noise_handshake *handshake = &t->responder_peer->handshake;
	size_t mac2 = offsetof(struct ptun_message_handshake_initiation, macs.mac2);
	struct ptun_peer *peer;
	size_t i;

	for (i = 0; i < sizeof(bad); ++i) {
		bad = *good;
		((u8 *)&bad)[i] ^= 0x20;
		if (i >= mac2) {
			/* Only looked at under load. */
			if (noise_test_validate(t->responder, &bad, sizeof(bad), false,
						51820, true) == PTUN_MACS_BOTH)
				break;
			continue;
		}
		if (noise_test_validate(t->responder, &bad, sizeof(bad), false, 51820,
					false) != PTUN_MACS_BAD)
			break;
		/* The handshake itself covers all but the type and sender index. */
		if (i < offsetof(struct ptun_message_handshake_initiation,
				 unencrypted_ephemeral) ||
		    i >= offsetof(struct ptun_message_handshake_initiation, macs))
			continue;
		handshake->last_initiation_consumption = 0;
		peer = ptun_noise_handshake_consume_initiation(&bad, t->responder);
		ptun_peer_put(peer);
		if (peer)
			break;
	}
	if (i < sizeof(bad))
		pr_err("noise self-test: initiation with byte %zu changed was taken\n", i);
	noise_expect(t, i == sizeof(bad), "tampered initiation accepted");
}

static bool __init noise_test_keys_match(struct ptun_noise_keypair *a,
					 struct ptun_noise_keypair *b)
{
	static const char plain[] = "ptun noise self-test";
	u8 sealed[sizeof(plain) + PTUN_NOISE_AUTHTAG_LEN], opened[sizeof(plain)];

	if (!a || !b || a->i_am_the_initiator == b->i_am_the_initiator ||
	    memcmp(a->sending.key, b->receiving.key, PTUN_NOISE_SYMMETRIC_KEY_LEN) ||
	    memcmp(a->receiving.key, b->sending.key, PTUN_NOISE_SYMMETRIC_KEY_LEN) ||
	    a->remote_index != b->entry.index || b->remote_index != a->entry.index)
		return false;
	chacha20poly1305_encrypt(sealed, plain, sizeof(plain), NULL, 0, 7, a->sending.key);
	if (!chacha20poly1305_decrypt(opened, sealed, sizeof(sealed), NULL, 0, 7,
				      b->receiving.key) ||
	    memcmp(opened, plain, sizeof(plain)))
		return false;
	chacha20poly1305_encrypt(sealed, plain, sizeof(plain), NULL, 0, 8, b->sending.key);
	return chacha20poly1305_decrypt(opened, sealed, sizeof(sealed), NULL, 0, 8,
					a->receiving.key) &&
	       !memcmp(opened, plain, sizeof(plain));
}

/* A handshake as it happens: random ephemerals, the clock's timestamp. */
static void __init noise_test_live_handshake(struct noise_test *t)
{
	struct ptun_noise_keypairs *responder_keypairs = &t->responder_peer->keypairs;
	struct ptun_noise_keypairs *initiator_keypairs = &t->initiator_peer->keypairs;
	struct ptun_noise_handshake *handshake = &t->responder_peer->handshake;
	struct ptun_message_handshake_initiation initiation;
	struct ptun_message_handshake_response response;
	struct ptun_noise_keypair *old_current, *sent, *received;
	struct ptun_indexed *entry;
	struct ptun_peer *peer = NULL;

	old_current = noise_test_slot(&initiator_keypairs->current_keypair);
	if (!noise_expect(t, ptun_noise_handshake_create_initiation(&initiation,
								    &t->initiator_peer->handshake),
			  "initiation: not created"))
		return;
	ptun_cookie_stamp_message(&t->initiator_peer->cookie_stamp, &initiation,
				  sizeof(initiation));

	/* Newer than the last one, but too soon after it. */
	handshake->last_initiation_consumption = ktime_get_coarse_boottime_ns();
	peer = ptun_noise_handshake_consume_initiation(&initiation, t->responder);
	noise_expect(t, !peer, "initiation: flood limit not applied");
	ptun_peer_put(peer);

	noise_test_tampering(t, &initiation);

	handshake->last_initiation_consumption = 0;
	peer = ptun_noise_handshake_consume_initiation(&initiation, t->responder);
	if (!noise_expect(t, peer == t->responder_peer, "initiation: not consumed"))
		goto out;
	ptun_peer_put(peer);

	handshake->last_initiation_consumption = 0;
	peer = ptun_noise_handshake_consume_initiation(&initiation, t->responder);
	noise_expect(t, !peer, "initiation: replay accepted");
	ptun_peer_put(peer);

	peer = t->responder_peer;
	if (!noise_expect(t, ptun_noise_handshake_create_response(&response, &peer->handshake) &&
			  ptun_noise_handshake_begin_session(&peer->handshake, responder_keypairs),
			  "response: no session for the responder"))
		return;
	ptun_cookie_stamp_message(&peer->cookie_stamp, &response, sizeof(response));
	noise_expect(t, !noise_test_slot(&responder_keypairs->current_keypair) &&
		     !noise_test_slot(&responder_keypairs->previous_keypair),
		     "response: the unconfirmed known session was kept");

	peer = ptun_noise_handshake_consume_response(&response, t->initiator);
	if (!noise_expect(t, peer == t->initiator_peer, "response: not consumed"))
		goto out;
	noise_expect(t, !ptun_noise_handshake_consume_response(&response, t->initiator),
		     "response: consumed twice");
	if (!noise_expect(t, ptun_noise_handshake_begin_session(&peer->handshake,
								initiator_keypairs),
			  "response: no session for the initiator"))
		goto out;
	ptun_peer_put(peer);
	peer = NULL;

	sent = noise_test_slot(&initiator_keypairs->current_keypair);
	received = noise_test_slot(&responder_keypairs->next_keypair);
	noise_expect(t, noise_test_keys_match(sent, received), "session: keys do not match");
	noise_expect(t, noise_test_slot(&initiator_keypairs->previous_keypair) == old_current,
		     "session: initiator did not rotate current to previous");

	/* The responder learns the session is confirmed from its first data message. */
	noise_expect(t, ptun_noise_received_with_keypair(responder_keypairs, received) &&
		     noise_test_slot(&responder_keypairs->current_keypair) == received &&
		     !noise_test_slot(&responder_keypairs->next_keypair) &&
		     !ptun_noise_received_with_keypair(responder_keypairs, received),
		     "session: confirmation did not promote next to current");

	/* The initiator finds its keypair by the index the responder sends to. */
	entry = ptun_index_table_find(t->initiator->index_table, received->remote_index,
				      PTUN_INDEXED_KEYPAIR, &peer);
	noise_expect(t, entry == &sent->entry && peer == t->initiator_peer,
		     "session: keypair not found by its index");
	ptun_peer_put(peer);
	peer = NULL;
	noise_expect(t, !ptun_index_table_find(t->initiator->index_table,
					       received->remote_index,
					       PTUN_INDEXED_HANDSHAKE, &peer),
		     "session: keypair found as a handshake");

	ptun_noise_expire_current_peer_keypairs(t->initiator_peer);
	noise_expect(t, !READ_ONCE(sent->sending.is_valid) && READ_ONCE(sent->receiving.is_valid),
		     "expiry: current keypair still valid for sending");
out:
	ptun_peer_put(peer);
}

/* A cookie reply from the responder, then MAC2 from the initiator with the cookie. */
static void __init noise_test_cookies(struct noise_test *t)
{
	struct ptun_cookie_stamp *stamp = &t->initiator_peer->cookie_stamp;
	struct ptun_cookie_gate *gate = &t->responder->cookie_gate;
	struct ptun_message_handshake_initiation initiation;
	struct ptun_message_handshake_cookie reply, bad;
	struct sk_buff *skb;

	memcpy(gate->secret, kat_cookie_secret, sizeof(gate->secret));
	gate->secret_born = ktime_get_coarse_boottime_ns();

	if (!noise_expect(t, ptun_noise_handshake_create_initiation(&initiation,
								    &t->initiator_peer->handshake),
			  "cookie: no initiation"))
		return;
	ptun_cookie_stamp_message(stamp, &initiation, sizeof(initiation));
	skb = noise_test_skb(&initiation, sizeof(initiation), false, 51820);
	if (!noise_expect(t, skb, "cookie: no memory"))
		return;
	noise_expect(t, ptun_cookie_gate_check(gate, skb, true) == PTUN_MACS_MAC1_ONLY,
		     "cookie: MAC2 without a cookie");
	ptun_cookie_gate_reply(gate, skb, initiation.sender_index, &reply);
	kfree_skb(skb);

	bad = reply;
	bad.encrypted_cookie[3] ^= 1;
	noise_expect(t, ptun_cookie_stamp_take_reply(stamp, &bad) == PTUN_COOKIE_FORGED &&
		     !stamp->has_cookie, "cookie: tampered reply taken");
	noise_expect(t, ptun_cookie_stamp_take_reply(stamp, &reply) == PTUN_COOKIE_TAKEN &&
		     !memcmp(stamp->cookie, kat_cookie, PTUN_COOKIE_LEN),
		     "cookie: reply not taken, or not the known cookie");
	noise_expect(t, ptun_cookie_stamp_take_reply(stamp, &reply) == PTUN_COOKIE_UNASKED,
		     "cookie: second reply to one message taken");

	memcpy(&initiation, kat_initiation, sizeof(initiation));
	ptun_cookie_stamp_message(stamp, &initiation, sizeof(initiation));
	noise_expect(t, !memcmp(initiation.macs.mac2, kat_initiation_mac2, PTUN_COOKIE_LEN),
		     "cookie: wrong MAC2");
	noise_expect(t, noise_test_validate(t->responder, &initiation, sizeof(initiation),
					    false, 51820, true) == PTUN_MACS_BOTH,
		     "cookie: MAC2 refused");
	noise_expect(t, noise_test_validate(t->responder, &initiation, sizeof(initiation),
					    false, 51821, true) == PTUN_MACS_MAC1_ONLY,
		     "cookie: MAC2 taken from another port");

	/* The same over IPv6, with a fresh message and reply. */
	ptun_cookie_stamp_message(stamp, &initiation, sizeof(initiation));
	skb = noise_test_skb(&initiation, sizeof(initiation), true, 51820);
	if (!noise_expect(t, skb, "cookie: no memory"))
		return;
	ptun_cookie_gate_reply(gate, skb, initiation.sender_index, &reply);
	kfree_skb(skb);
	noise_expect(t, ptun_cookie_stamp_take_reply(stamp, &reply) == PTUN_COOKIE_TAKEN,
		     "cookie: IPv6 reply not taken");
	ptun_cookie_stamp_message(stamp, &initiation, sizeof(initiation));
	noise_expect(t, noise_test_validate(t->responder, &initiation, sizeof(initiation),
					    true, 51820, true) == PTUN_MACS_BOTH &&
		     noise_test_validate(t->responder, &initiation, sizeof(initiation),
					 false, 51820, true) == PTUN_MACS_MAC1_ONLY,
		     "cookie: IPv6 MAC2");
}

/* Keys no handshake can use fail cleanly and leave nothing behind. */
static void __init noise_test_bad_keys(struct noise_test *t)
{
	static const u8 order_four[PTUN_NOISE_PUBLIC_KEY_LEN] = { 1 };
	struct ptun_message_handshake_initiation initiation;
	struct ptun_peer *peer;
	const u8 *good = t->initiator->static_identity.static_public;

	static const u8 scalar[PTUN_NOISE_PUBLIC_KEY_LEN] = { 0x08, [31] = 0x40 };
	u8 point[PTUN_NOISE_PUBLIC_KEY_LEN], out[PTUN_NOISE_PUBLIC_KEY_LEN];
	unsigned int i;

	noise_expect(t, ptun_noise_public_key_is_low_order(order_four) &&
		     !ptun_noise_public_key_is_low_order(good),
		     "low-order key check");
	/* Every listed point, with and without the ignored top bit, is one. */
	for (i = 0; i < ARRAY_SIZE(ptun_low_order_points) * 2; i++) {
		memcpy(point, ptun_low_order_points[i / 2], sizeof(point));
		point[PTUN_NOISE_PUBLIC_KEY_LEN - 1] |= (i & 1) << 7;
		noise_expect(t, ptun_noise_public_key_is_low_order(point) &&
			     !curve25519(out, scalar, point),
			     "low-order point table");
	}

	peer = noise_test_peer(t->initiator, order_four);
	if (!noise_expect(t, peer, "no memory"))
		return;
	noise_expect(t, !ptun_noise_handshake_create_initiation(&initiation, &peer->handshake) &&
		     !noise_test_indexed(t->initiator, &peer->handshake.entry) &&
		     peer->handshake.state == PTUN_HANDSHAKE_ZEROED,
		     "handshake with a low-order peer key");
	noise_test_peer_free(t, peer);

	peer = t->initiator_peer;
	ptun_noise_handshake_invalidate_precomputed(&peer->handshake);
	noise_expect(t, !peer->handshake.have_precomputed &&
		     ptun_noise_handshake_create_initiation(&initiation, &peer->handshake) &&
		     peer->handshake.have_precomputed,
		     "static-static DH not recomputed");
}

bool __init ptun_noise_selftest(void)
{
	struct noise_test *t = kzalloc(sizeof(*t), GFP_KERNEL);
	bool ok;

	if (!t)
		return false;
	t->ok = true;
	noise_test_kdf(t);

	t->initiator = noise_test_device(kat_initiator_private);
	t->responder = noise_test_device(kat_responder_private);
	if (!noise_expect(t, t->initiator && t->responder, "no memory"))
		goto out;
	t->initiator_peer = noise_test_peer(t->initiator,
					    t->responder->static_identity.static_public);
	t->responder_peer = noise_test_peer(t->responder,
					    t->initiator->static_identity.static_public);
	if (!noise_expect(t, t->initiator_peer && t->responder_peer, "no memory"))
		goto out;

	noise_test_known_handshake(t);
	noise_test_live_handshake(t);
	noise_test_cookies(t);
	noise_test_bad_keys(t);

out:
	noise_test_peer_free(t, t->initiator_peer);
	noise_test_peer_free(t, t->responder_peer);
	noise_test_device_free(t->initiator);
	noise_test_device_free(t->responder);
	/* Keypairs are freed after a grace period, by code in this module. */
	rcu_barrier();
	ok = t->ok;
	kfree(t);
	if (ok)
		pr_info("noise self-tests: pass\n");
	else
		pr_err("noise self-tests: FAIL\n");
	return ok;
}
