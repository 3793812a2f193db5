// SPDX-License-Identifier: GPL-2.0
/*
 * Base64 key encoding and Curve25519 public keys, against fixed vectors
 * (public keys computed with wg(8)'s `wg pubkey') and against a plain,
 * table-driven base64 written here as the reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "curve25519.h"
#include "encoding.h"
#include "tap.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void ref_encode(char out[KEY_BASE64_LEN + 1],
		       const uint8_t key[PTUN_KEY_LEN])
{
	unsigned int i, o = 0;
	uint32_t triple;

	for (i = 0; i + 3 <= PTUN_KEY_LEN; i += 3) {
		triple = key[i] << 16 | key[i + 1] << 8 | key[i + 2];
		out[o++] = alphabet[triple >> 18 & 63];
		out[o++] = alphabet[triple >> 12 & 63];
		out[o++] = alphabet[triple >> 6 & 63];
		out[o++] = alphabet[triple & 63];
	}
	triple = key[i] << 16 | key[i + 1] << 8;
	out[o++] = alphabet[triple >> 18 & 63];
	out[o++] = alphabet[triple >> 12 & 63];
	out[o++] = alphabet[triple >> 6 & 63];
	out[o++] = '=';
	out[o] = '\0';
}

static void from_hex(uint8_t key[PTUN_KEY_LEN], const char *hex)
{
	unsigned int i, byte;

	for (i = 0; i < PTUN_KEY_LEN; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			abort();
		key[i] = (uint8_t)byte;
	}
}

static bool decodes(const char *text)
{
	uint8_t key[PTUN_KEY_LEN];

	return key_from_base64(key, text, strlen(text));
}

static const struct {
	const char *what, *hex, *base64, *pub;
} vectors[] = {
	{ "bytes 0..31",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	  "j0DFrbaPJWJK5bIU6nZ6bslNgp09e14a0bpvPiE4KF8=" },
	{ "all zero",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	  "L+V9o0fNYkMVKNqsX7spBzD/9oSvxM/C7ZCZX1jLO3Q=" },
	{ "all 0xff",
	  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	  "//////////////////////////////////////////8=",
	  "hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=" },
	{ "wg genkey output",
	  "b086085b2e58a7515c56e3187363e3e47fbedac210415aa15af7a13b010e784a",
	  "sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo=",
	  "TjjzMgj46kez5jlOhNemBbp44W/mCeIyZnzC2Jx20So=" },
};

static void test_vectors(void)
{
	uint8_t want[PTUN_KEY_LEN], got[PTUN_KEY_LEN];
	char text[KEY_BASE64_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		from_hex(want, vectors[i].hex);
		key_to_base64(text, want);
		if (!tap_ok(!strcmp(text, vectors[i].base64),
			    "encode %s", vectors[i].what))
			tap_diag("got %s, want %s", text, vectors[i].base64);

		memset(got, 0x5a, sizeof(got));
		tap_ok(key_from_base64(got, vectors[i].base64,
				       KEY_BASE64_LEN) &&
		       !memcmp(got, want, sizeof(got)),
		       "decode %s", vectors[i].what);
	}
}

static void test_random_round_trips(void)
{
	char text[KEY_BASE64_LEN + 1], ref[KEY_BASE64_LEN + 1];
	uint8_t key[PTUN_KEY_LEN], back[PTUN_KEY_LEN];
	unsigned int i, bad_encode = 0, bad_decode = 0;

	for (i = 0; i < 10000; i++) {
		randombytes_buf(key, sizeof(key));
		key_to_base64(text, key);
		ref_encode(ref, key);
		if (strcmp(text, ref))
			bad_encode++;
		if (!key_from_base64(back, text, strlen(text)) ||
		    memcmp(back, key, sizeof(key)))
			bad_decode++;
	}
	if (!tap_ok(!bad_encode, "10000 random keys encode as the reference does"))
		tap_diag("%u differ", bad_encode);
	if (!tap_ok(!bad_decode, "10000 random keys decode back to themselves"))
		tap_diag("%u differ", bad_decode);
}

/* Every byte value in the first position: only the 64 letters decode. */
static void test_every_first_character(void)
{
	char text[KEY_BASE64_LEN + 1];
	unsigned int c, wrong = 0;
	uint8_t key[PTUN_KEY_LEN];
	const char *letter;
	bool ok;

	for (c = 0; c < 256; c++) {
		memcpy(text, vectors[0].base64, sizeof(text));
		text[0] = (char)c;
		ok = key_from_base64(key, text, KEY_BASE64_LEN);
		letter = c ? strchr(alphabet, (int)c) : NULL;
		if (ok != !!letter ||
		    (ok && key[0] >> 2 != (unsigned int)(letter - alphabet))) {
			tap_diag("byte 0x%02x: accepted %d", c, ok);
			wrong++;
		}
	}
	tap_ok(!wrong, "each byte value in position 0: only base64 letters decode, to their value");
}

/*
 * The 43rd character carries 4 bits of key and 2 bits that must be zero:
 * only 16 of the 64 letters make a canonical key.
 */
static void test_last_character(void)
{
	char text[KEY_BASE64_LEN + 1];
	unsigned int v, wrong = 0;

	for (v = 0; v < 64; v++) {
		memcpy(text, vectors[0].base64, sizeof(text));
		text[42] = alphabet[v];
		if (decodes(text) != !(v & 3)) {
			tap_diag("last letter %c: accepted %d", alphabet[v],
				 decodes(text));
			wrong++;
		}
	}
	tap_ok(!wrong, "last character: accepted exactly when its 2 unused bits are zero");
}

static void test_rejections(void)
{
	static const struct {
		const char *what;
		char c;
	} bad_chars[] = {
		{ "'!'", '!' }, { "URL-safe '-'", '-' }, { "URL-safe '_'", '_' },
		{ "space", ' ' }, { "newline", '\n' }, { "NUL", '\0' },
		{ "'=' inside", '=' }, { "byte 0x80", '\x80' },
		{ "byte 0xff", '\xff' }, { "'.'", '.' },
	};
	char text[2 * KEY_BASE64_LEN + 1];
	uint8_t key[PTUN_KEY_LEN];
	unsigned int pos, wrong;
	size_t i;

	for (i = 0; i < sizeof(bad_chars) / sizeof(bad_chars[0]); i++) {
		wrong = 0;
		for (pos = 0; pos < KEY_BASE64_LEN - 1; pos++) {
			memcpy(text, vectors[3].base64, KEY_BASE64_LEN + 1);
			text[pos] = bad_chars[i].c;
			if (key_from_base64(key, text, KEY_BASE64_LEN))
				wrong++;
		}
		if (!tap_ok(!wrong, "%s in any of positions 0-42 is rejected",
			    bad_chars[i].what))
			tap_diag("accepted in %u positions", wrong);
	}

	tap_ok(!decodes(""), "empty string is rejected");
	tap_ok(!decodes("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"),
	       "43 characters without '=' are rejected");
	tap_ok(!decodes("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A"),
	       "44 characters ending in a letter instead of '=' are rejected");
	tap_ok(!decodes("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=="),
	       "45 characters (extra '=') are rejected");
	tap_ok(!decodes("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=="),
	       "'==' padding form is rejected");
	snprintf(text, sizeof(text), "%s%s", vectors[0].base64,
		 vectors[1].base64);
	tap_ok(!decodes(text), "two keys back to back are rejected");
	tap_ok(!key_from_base64(key, vectors[0].base64, KEY_BASE64_LEN - 1),
	       "a valid key with a short length argument is rejected");

	memset(key, 0xa5, sizeof(key));
	memcpy(text, vectors[3].base64, KEY_BASE64_LEN + 1);
	text[41] = '*';
	key_from_base64(key, text, KEY_BASE64_LEN);
	tap_ok(sodium_is_zero(key, sizeof(key)),
	       "a rejected key leaves no partial key in the output");
}

static void test_curve25519(void)
{
	uint8_t secret[PTUN_KEY_LEN], copy[PTUN_KEY_LEN], pub[PTUN_KEY_LEN];
	char text[KEY_BASE64_LEN + 1];
	static const struct {
		const char *secret, *pub;
	} wg_pairs[] = {
		{ "KG4DJaDxDlgb3/e8PLpPTW0zeTFcTblB51OAySM4jkw=",
		  "TKea3aUZmcWop/1+e6/fWwK1ZJ1BUyy73+lVIicQtDw=" },
		{ "GBEWqJ4edIZSeLftIqm0ldzowLQ/ygKJv1I1KL0Gg2E=",
		  "LgBNAvIsswx7QIiCtCYwEmmdbUgUomcLlLo7MIVszRk=" },
	};
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		from_hex(secret, vectors[i].hex);
		memcpy(copy, secret, sizeof(copy));
		text[0] = '\0';
		if (!curve25519_generate_public(pub, secret))
			key_to_base64(text, pub);
		if (!tap_ok(!strcmp(text, vectors[i].pub),
			    "public key of %s matches wg pubkey", vectors[i].what))
			tap_diag("got %s, want %s", text, vectors[i].pub);
		tap_ok(!memcmp(copy, secret, sizeof(copy)),
		       "deriving the public key of %s leaves the secret as it was",
		       vectors[i].what);
	}
	for (i = 0; i < sizeof(wg_pairs) / sizeof(wg_pairs[0]); i++) {
		text[0] = '\0';
		if (key_from_base64(secret, wg_pairs[i].secret,
				    KEY_BASE64_LEN) &&
		    !curve25519_generate_public(pub, secret))
			key_to_base64(text, pub);
		if (!tap_ok(!strcmp(text, wg_pairs[i].pub),
			    "public key of wg genkey pair %zu matches wg pubkey", i + 1))
			tap_diag("got %s, want %s", text, wg_pairs[i].pub);
	}

	memset(secret, 0xff, sizeof(secret));
	curve25519_clamp_secret(secret);
	memset(copy, 0xff, sizeof(copy));
	copy[0] = 0xf8;
	copy[31] = 0x7f;
	tap_ok(!memcmp(secret, copy, sizeof(copy)),
	       "clamping 0xff..ff clears the low 3 bits and the top bit only");
	memset(secret, 0, sizeof(secret));
	curve25519_clamp_secret(secret);
	tap_ok(secret[0] == 0 && secret[31] == 0x40,
	       "clamping zero sets bit 254");
}

int main(void)
{
	if (sodium_init() < 0) {
		tap_ok(false, "libsodium initialises");
		return tap_exit_status();
	}
	test_vectors();
	test_random_round_trips();
	test_every_first_character();
	test_last_character();
	test_rejections();
	test_curve25519();
	return tap_exit_status();
}
