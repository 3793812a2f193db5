// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON view: every field show knows, with the same value whatever its
 * state (unset keys and endpoints are null, off is 0), so that scripts need
 * no special cases.
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "address.h"
#include "counters.h"
#include "encoding.h"
#include "jsonview.h"

static void key_or_null(struct json *json, const char *name,
			const uint8_t key[static PTUN_KEY_LEN], bool have)
{
	char text[KEY_BASE64_LEN + 1];

	if (!have) {
		json_kv_null(json, name);
		return;
	}
	key_to_base64(text, key);
	json_kv_string(json, name, text);
	sodium_memzero(text, sizeof(text));
}

/* {"epoch_seconds": ..., "iso8601": "...Z"}, or null for never. */
static void handshake(struct json *json, uint64_t ns)
{
	time_t seconds = (time_t)(ns / NSEC_PER_SEC);
	char text[sizeof("-9223372036854775808-12-31T23:59:59Z")];
	struct tm tm;

	json_key(json, "latest_handshake");
	if (!ns || !gmtime_r(&seconds, &tm) ||
	    !strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		json_null(json);
		return;
	}
	json_object_begin(json);
	json_kv_u64(json, "epoch_seconds", ns / NSEC_PER_SEC);
	json_kv_string(json, "iso8601", text);
	json_object_end(json);
}

static void peer(struct json *json, const struct ptun_peer *peer, bool runtime)
{
	char text[ENDPOINT_TEXT_SIZE + 8];
	size_t i;

	json_object_begin(json);
	key_or_null(json, "public_key", peer->public_key, true);
	key_or_null(json, "preshared_key", peer->preshared_key,
		    peer->flags & PTUN_PEER_HAS_PRESHARED_KEY);
	if (peer->endpoint.addr.sa_family == AF_INET ||
	    peer->endpoint.addr.sa_family == AF_INET6) {
		address_endpoint_text(text, &peer->endpoint);
		json_kv_string(json, "endpoint", text);
	} else {
		json_kv_null(json, "endpoint");
	}
	json_key(json, "allowed_ips");
	json_array_begin(json);
	for (i = 0; i < peer->nr_allowedips; i++) {
		address_ip_text(text, &peer->allowedips[i]);
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "/%u", peer->allowedips[i].cidr);
		json_string(json, text);
	}
	json_array_end(json);
	json_kv_u64(json, "persistent_keepalive", peer->keepalive);
	if (runtime) {
		handshake(json, peer->last_handshake_ns);
		json_kv_u64(json, "rx_bytes", peer->rx_bytes);
		json_kv_u64(json, "tx_bytes", peer->tx_bytes);
		counters_json_peer(json, peer);
	}
	json_object_end(json);
}

void jsonview_begin(struct json *json, FILE *out)
{
	json_begin(json, out);
	json_object_begin(json);
	json_kv_u64(json, "version", JSONVIEW_VERSION);
	json_key(json, "interfaces");
	json_array_begin(json);
}

void jsonview_device(struct json *json, const struct ptun_device *dev,
		     bool runtime)
{
	size_t i;

	json_object_begin(json);
	json_kv_string(json, "name", dev->name);
	if (runtime) {
		json_kv_u64(json, "ifindex", dev->ifindex);
		counters_json_device(json, dev);
	}
	key_or_null(json, "public_key", dev->public_key,
		    dev->flags & PTUN_DEVICE_HAS_PUBLIC_KEY);
	key_or_null(json, "private_key", dev->private_key,
		    dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY &&
		    !sodium_is_zero(dev->private_key, PTUN_KEY_LEN));
	json_kv_u64(json, "listen_port", dev->listen_port);
	json_kv_u64(json, "fwmark", dev->fwmark);
	json_key(json, "peers");
	json_array_begin(json);
	for (i = 0; i < dev->nr_peers; i++)
		peer(json, &dev->peers[i], runtime);
	json_array_end(json);
	json_object_end(json);
}

void jsonview_end(struct json *json)
{
	json_array_end(json);
	json_object_end(json);
	json_end(json);
}
