// SPDX-License-Identifier: GPL-2.0
/*
 * The cookie computations against known answers, and a peer's stamp taking
 * a reply, run at module load in DEBUG builds.  Included by cookie.c.
 *
 * The answers come from the whitepaper's formulas in Python (hashlib's
 * BLAKE2s, libsodium's XChaCha20-Poly1305), not from this code.  Inputs:
 * the public key, secret and nonce are BLAKE2s of "ptun cookie selftest
 * <what>" (the nonce its first 24 bytes); the message is 148 bytes, byte i
 * being 7i + 3; the sources are 192.0.2.7:51820 and [2001:db8::7]:443.
 */

static const u8 kat_public_key[] __initconst = {
	0x19, 0x22, 0x2b, 0x7c, 0x25, 0x1c, 0xd2, 0xb0, 0xee, 0x1d, 0x2e, 0x21,
	0x8c, 0x4c, 0xbf, 0x55, 0x43, 0xfc, 0xe9, 0xc7, 0x56, 0x3b, 0x6d, 0xb7,
	0xc8, 0x9e, 0xb7, 0x37, 0xc8, 0x6e, 0x22, 0xd6
};

static const u8 kat_secret[] __initconst = {
	0xf5, 0x54, 0x88, 0xb2, 0x25, 0x07, 0x86, 0xbf, 0xfb, 0x99, 0x56, 0xd5,
	0x75, 0xc4, 0xdb, 0x83, 0x7e, 0x14, 0xb2, 0x39, 0xab, 0x14, 0x4f, 0xb7,
	0xa8, 0x8e, 0xdb, 0xc2, 0x3c, 0x68, 0x62, 0x8d
};

static const u8 kat_nonce[] __initconst = {
	0x0b, 0x94, 0x98, 0x8c, 0x47, 0x29, 0x7b, 0xef, 0x8b, 0x73, 0xcf, 0x1e,
	0x4a, 0x11, 0x61, 0x9b, 0xb2, 0xeb, 0xf5, 0xb8, 0xac, 0x60, 0xe7, 0xb3
};

static const u8 kat_mac1_key[] __initconst = {
	0x1a, 0x8d, 0x65, 0x39, 0x79, 0x87, 0x20, 0xcc, 0x57, 0xfe, 0x0f, 0x77,
	0xce, 0xc4, 0x24, 0x1b, 0x0b, 0xbb, 0x97, 0xf9, 0xbd, 0x69, 0x88, 0xa5,
	0x1d, 0x67, 0x92, 0xcb, 0x75, 0xae, 0x23, 0x2f
};

static const u8 kat_reply_key[] __initconst = {
	0x96, 0xad, 0x56, 0x32, 0xa1, 0x02, 0x57, 0x4c, 0x62, 0x38, 0x17, 0x1e,
	0x0a, 0x0d, 0x97, 0x6c, 0xe7, 0xde, 0xa7, 0x6f, 0xad, 0xeb, 0x04, 0x9a,
	0xc7, 0x2d, 0x23, 0xbe, 0x7f, 0x8d, 0xab, 0xd8
};

static const u8 kat_mac1[] __initconst = {
	0xdb, 0x25, 0x6c, 0x67, 0xa5, 0x93, 0xe4, 0xbe, 0x8d, 0x5b, 0x97, 0x55,
	0x1b, 0xc5, 0x79, 0x7e
};

static const u8 kat_cookie4[] __initconst = {
	0x1d, 0x54, 0xf2, 0x86, 0x53, 0xf0, 0xfa, 0x2e, 0x7e, 0x2b, 0xac, 0x6d,
	0xce, 0xe3, 0x33, 0xd6
};

static const u8 kat_cookie6[] __initconst = {
	0x67, 0x53, 0x76, 0x58, 0xb0, 0x80, 0x4b, 0x4b, 0xec, 0x3f, 0x10, 0x46,
	0xd0, 0x59, 0x01, 0x87
};

static const u8 kat_mac2[] __initconst = {
	0x15, 0x63, 0xac, 0xfc, 0x2f, 0xbb, 0x77, 0xdc, 0xe2, 0x50, 0x2a, 0x06,
	0x9c, 0x68, 0xb4, 0x36
};

static const u8 kat_sealed[] __initconst = {
	0x32, 0x86, 0x84, 0x8a, 0x5b, 0x2d, 0xc9, 0x0e, 0xef, 0x89, 0xe5, 0xd2,
	0x2f, 0x7e, 0x79, 0xa3, 0xbc, 0xd1, 0xfb, 0x6d, 0x3f, 0xd1, 0x7e, 0xfa,
	0xa2, 0x09, 0xfb, 0x53, 0x28, 0xc4, 0x8f, 0x40
};

#define KAT_MESSAGE_LEN sizeof(struct ptun_message_handshake_initiation)

static bool __init cookie_expect(bool *ok, bool good, const char *what)
{
	if (!good) {
		pr_err("cookie self-test: %s\n", what);
		*ok = false;
	}
	return good;
}

static void __init cookie_kat_message(u8 message[KAT_MESSAGE_LEN])
{
	size_t i;

	for (i = 0; i < KAT_MESSAGE_LEN; i++)
		message[i] = i * 7 + 3;
}

/* The pure functions, one formula each. */
static void __init cookie_test_formulas(bool *ok)
{
	static const struct in6_addr addr6 = {{{ 0x20, 0x01, 0x0d, 0xb8, [15] = 7 }}};
	const __be32 addr4 = htonl(0xc0000207);
	struct ptun_message_handshake_cookie reply = {};
	u8 message[KAT_MESSAGE_LEN], mac[PTUN_COOKIE_LEN];
	u8 cookie[PTUN_COOKIE_LEN], opened[PTUN_COOKIE_LEN];
	struct ptun_mac_keys keys;

	ptun_mac_keys_derive(&keys, kat_public_key);
	cookie_expect(ok, !memcmp(keys.mac1, kat_mac1_key, sizeof(keys.mac1)) &&
		      !memcmp(keys.reply, kat_reply_key, sizeof(keys.reply)),
		      "keys of a public key");

	cookie_kat_message(message);
	ptun_mac1(mac, message, sizeof(message), keys.mac1);
	cookie_expect(ok, !memcmp(mac, kat_mac1, sizeof(mac)), "MAC1");
	memcpy(message_macs(message, sizeof(message))->mac1, mac, sizeof(mac));

	ptun_cookie_of_source(cookie, kat_secret, &addr6, sizeof(addr6), htons(443));
	cookie_expect(ok, !memcmp(cookie, kat_cookie6, sizeof(cookie)), "IPv6 cookie");
	ptun_cookie_of_source(cookie, kat_secret, &addr4, sizeof(addr4), htons(51820));
	cookie_expect(ok, !memcmp(cookie, kat_cookie4, sizeof(cookie)), "IPv4 cookie");

	ptun_mac2(mac, message, sizeof(message), cookie);
	cookie_expect(ok, !memcmp(mac, kat_mac2, sizeof(mac)), "MAC2");

	memcpy(reply.nonce, kat_nonce, sizeof(reply.nonce));
	ptun_cookie_seal(&reply, cookie, kat_mac1, keys.reply);
	cookie_expect(ok, !memcmp(reply.encrypted_cookie, kat_sealed,
				  sizeof(reply.encrypted_cookie)), "sealed cookie");
	cookie_expect(ok, ptun_cookie_open(opened, &reply, kat_mac1, keys.reply) &&
		      !memcmp(opened, cookie, sizeof(opened)), "opening a sealed cookie");
	/* The reply is bound to the MAC1 of the message it answers. */
	cookie_expect(ok, !ptun_cookie_open(opened, &reply, kat_mac2, keys.reply),
		      "a reply opened for another message");
}

/* A stamp: MAC1 alone, then a reply, then both MACs; one reply per message. */
static void __init cookie_test_stamp(bool *ok)
{
	struct ptun_message_handshake_cookie reply = {};
	struct ptun_message_macs *macs;
	struct ptun_cookie_stamp stamp;
	u8 message[KAT_MESSAGE_LEN];
	static const u8 zero[PTUN_COOKIE_LEN];

	ptun_cookie_stamp_init(&stamp, kat_public_key);
	cookie_kat_message(message);
	macs = message_macs(message, sizeof(message));
	memcpy(reply.nonce, kat_nonce, sizeof(reply.nonce));
	memcpy(reply.encrypted_cookie, kat_sealed, sizeof(reply.encrypted_cookie));

	cookie_expect(ok, ptun_cookie_stamp_take_reply(&stamp, &reply) == PTUN_COOKIE_UNASKED,
		      "a reply taken before any message");
	ptun_cookie_stamp_message(&stamp, message, sizeof(message));
	cookie_expect(ok, !memcmp(macs->mac1, kat_mac1, PTUN_COOKIE_LEN) &&
		      !memcmp(macs->mac2, zero, PTUN_COOKIE_LEN), "stamp without a cookie");
	reply.encrypted_cookie[0] ^= 1;
	cookie_expect(ok, ptun_cookie_stamp_take_reply(&stamp, &reply) == PTUN_COOKIE_FORGED,
		      "a forged reply taken");
	reply.encrypted_cookie[0] ^= 1;
	cookie_expect(ok, ptun_cookie_stamp_take_reply(&stamp, &reply) == PTUN_COOKIE_TAKEN &&
		      !memcmp(stamp.cookie, kat_cookie4, PTUN_COOKIE_LEN), "reply refused");
	cookie_expect(ok, ptun_cookie_stamp_take_reply(&stamp, &reply) == PTUN_COOKIE_UNASKED,
		      "a second reply to one message taken");
	ptun_cookie_stamp_message(&stamp, message, sizeof(message));
	cookie_expect(ok, !memcmp(macs->mac2, kat_mac2, PTUN_COOKIE_LEN), "stamp with a cookie");
	/* The cookie dies a little before the responder's secret does. */
	stamp.cookie_born -= (u64)(PTUN_COOKIE_SECRET_MAX_AGE - PTUN_COOKIE_SECRET_LATENCY) *
			     NSEC_PER_SEC;
	ptun_cookie_stamp_message(&stamp, message, sizeof(message));
	cookie_expect(ok, !memcmp(macs->mac2, zero, PTUN_COOKIE_LEN), "stamp with a stale cookie");
}

bool __init ptun_cookie_selftest(void)
{
	bool ok = true;

	cookie_test_formulas(&ok);
	cookie_test_stamp(&ok);
	if (ok)
		pr_info("cookie self-tests: pass\n");
	else
		pr_err("cookie self-tests: FAIL\n");
	return ok;
}
