// SPDX-License-Identifier: GPL-2.0
/*
 * Drop and handshake counters for people and for scripts.  The names are
 * uapi/ptun.yaml's, indexed by the uapi's attribute types, so a reason the
 * header gains and this table lacks fails the build.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "counters.h"
#include "names.h"
#include "terminal.h"

static const char *const drop_names[] = {
	[PTUN_A_DROPS_NO_PEER] = "no-peer",
	[PTUN_A_DROPS_NO_ENDPOINT] = "no-endpoint",
	[PTUN_A_DROPS_NO_SESSION] = "no-session",
	[PTUN_A_DROPS_STAGED_FULL] = "staged-full",
	[PTUN_A_DROPS_SEND_FAILED] = "send-failed",
	[PTUN_A_DROPS_QUEUE_FULL] = "queue-full",
	[PTUN_A_DROPS_MALFORMED] = "malformed",
	[PTUN_A_DROPS_MAC1_INVALID] = "mac1-invalid",
	[PTUN_A_DROPS_MAC2_NEEDED] = "mac2-needed",
	[PTUN_A_DROPS_UNKNOWN_PEER] = "unknown-peer",
	[PTUN_A_DROPS_HANDSHAKE_INVALID] = "handshake-invalid",
	[PTUN_A_DROPS_TIMESTAMP_STALE] = "timestamp-stale",
	[PTUN_A_DROPS_RATELIMITED] = "ratelimited",
	[PTUN_A_DROPS_UNKNOWN_RECEIVER] = "unknown-receiver",
	[PTUN_A_DROPS_KEY_EXPIRED] = "key-expired",
	[PTUN_A_DROPS_DECRYPT_FAILED] = "decrypt-failed",
	[PTUN_A_DROPS_REPLAYED] = "replayed",
	[PTUN_A_DROPS_SOURCE_NOT_ALLOWED] = "source-not-allowed",
	[PTUN_A_DROPS_INNER_MALFORMED] = "inner-malformed",
	[PTUN_A_DROPS_OTHER] = "other",
	[PTUN_A_DROPS_HANDSHAKE_LATE] = "handshake-late",
};

static const char *const handshake_names[] = {
	[PTUN_A_HANDSHAKES_INITIATIONS_SENT] = "initiations-sent",
	[PTUN_A_HANDSHAKES_RESPONSES_RECEIVED] = "responses-received",
	[PTUN_A_HANDSHAKES_TIMEOUTS] = "timeouts",
	[PTUN_A_HANDSHAKES_GAVE_UP] = "gave-up",
	[PTUN_A_HANDSHAKES_INITIATIONS_RECEIVED] = "initiations-received",
	[PTUN_A_HANDSHAKES_RESPONSES_SENT] = "responses-sent",
	[PTUN_A_HANDSHAKES_COOKIES_RECEIVED] = "cookies-received",
};

_Static_assert(sizeof(drop_names) / sizeof(drop_names[0]) == PTUN_A_DROPS_MAX + 1,
	       "a drop reason without a name");
_Static_assert(sizeof(handshake_names) / sizeof(handshake_names[0]) ==
	       PTUN_A_HANDSHAKES_MAX + 1, "a handshake counter without a name");

static const struct name_table drop_table =
	NAME_TABLE(drop_names, PTUN_A_DROPS_PAD + 1);
static const struct name_table handshake_table =
	NAME_TABLE(handshake_names, PTUN_A_HANDSHAKES_PAD + 1);

/* "  drops: no-peer 3, mac1-invalid 1", the non-zero ones; nothing if none. */
static void pretty_line(const char *title, const uint64_t *counters,
			const struct name_table *table)
{
	const char *separator = "";
	unsigned int type;

	for (type = table->first; type <= table->last; type++) {
		if (!counters[type])
			continue;
		if (!*separator)
			terminal_printf("  " TERMINAL_BOLD "%s" TERMINAL_RESET ": ", title);
		terminal_printf("%s%s %" PRIu64, separator, table->names[type],
				counters[type]);
		separator = ", ";
	}
	if (*separator)
		terminal_printf("\n");
}

static void pretty_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void pretty_note(const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	terminal_printf("  " TERMINAL_FG_RED "note" TERMINAL_RESET ": %s\n", text);
}

static const char *plural(uint64_t count, const char *one, const char *many)
{
	return count == 1 ? one : many;
}

void counters_pretty_device(const struct ptun_device *dev)
{
	const uint64_t *drops = dev->drops;

	pretty_line("drops", drops, &drop_table);
	if (drops[PTUN_A_DROPS_MAC1_INVALID])
		pretty_note("%" PRIu64 " handshake %s not made for this interface's public key: "
			    "some peer has another key configured for this host",
			    drops[PTUN_A_DROPS_MAC1_INVALID],
			    plural(drops[PTUN_A_DROPS_MAC1_INVALID], "message was", "messages were"));
	if (drops[PTUN_A_DROPS_UNKNOWN_PEER])
		pretty_note("%" PRIu64 " handshake %s from public keys no peer here has",
			    drops[PTUN_A_DROPS_UNKNOWN_PEER],
			    plural(drops[PTUN_A_DROPS_UNKNOWN_PEER], "initiation came", "initiations came"));
	if (drops[PTUN_A_DROPS_HANDSHAKE_LATE])
		pretty_note("%" PRIu64 " handshake %s too long to be answered: "
			    "more handshakes came than this host could process (a flood?)",
			    drops[PTUN_A_DROPS_HANDSHAKE_LATE],
			    plural(drops[PTUN_A_DROPS_HANDSHAKE_LATE], "message waited",
				   "messages waited"));
}

/* Why a peer has never completed a handshake, from its counters. */
static void pretty_explain(const struct ptun_peer *peer)
{
	const uint64_t *drops = peer->drops, *hs = peer->handshakes;
	uint64_t sent = hs[PTUN_A_HANDSHAKES_INITIATIONS_SENT];

	if (drops[PTUN_A_DROPS_NO_ENDPOINT] && peer->endpoint.addr.sa_family == AF_UNSPEC)
		pretty_note("%" PRIu64 " %s nowhere to go: the peer has no endpoint; "
			    "set one, or wait for the peer to connect first",
			    drops[PTUN_A_DROPS_NO_ENDPOINT],
			    plural(drops[PTUN_A_DROPS_NO_ENDPOINT], "packet had", "packets had"));
	else if (drops[PTUN_A_DROPS_HANDSHAKE_INVALID])
		pretty_note("%" PRIu64 " handshake %s authentication: "
			    "do both sides have the same preshared key?",
			    drops[PTUN_A_DROPS_HANDSHAKE_INVALID],
			    plural(drops[PTUN_A_DROPS_HANDSHAKE_INVALID],
				   "message failed", "messages failed"));
	else if (drops[PTUN_A_DROPS_TIMESTAMP_STALE])
		pretty_note("%" PRIu64 " %s older than one already seen: "
			    "a replay, or the peer's clock went back",
			    drops[PTUN_A_DROPS_TIMESTAMP_STALE],
			    plural(drops[PTUN_A_DROPS_TIMESTAMP_STALE],
				   "initiation was", "initiations were"));
	else if (drops[PTUN_A_DROPS_SEND_FAILED] && !sent)
		pretty_note("%" PRIu64 " %s not be sent: is there a route to the endpoint?",
			    drops[PTUN_A_DROPS_SEND_FAILED],
			    plural(drops[PTUN_A_DROPS_SEND_FAILED], "packet could", "packets could"));
	else if (sent && !hs[PTUN_A_HANDSHAKES_RESPONSES_RECEIVED])
		pretty_note("%" PRIu64 " %s, none answered: is the endpoint reachable and "
			    "listening, and does the peer have this host's public key?",
			    sent, plural(sent, "initiation sent", "initiations sent"));
}

void counters_pretty_peer(const struct ptun_peer *peer)
{
	pretty_line("handshakes", peer->handshakes, &handshake_table);
	pretty_line("drops", peer->drops, &drop_table);
	if (!peer->last_handshake_ns)
		pretty_explain(peer);
}

static void dump_column(const uint64_t *counters,
			const struct name_table *table)
{
	unsigned int type;

	putchar('\t');
	for (type = table->first; type <= table->last; type++)
		printf("%s=%" PRIu64 "%s", table->names[type], counters[type],
		       type < table->last ? "," : "");
}

void counters_dump_device(const struct ptun_device *dev)
{
	dump_column(dev->drops, &drop_table);
}

void counters_dump_peer(const struct ptun_peer *peer)
{
	dump_column(peer->drops, &drop_table);
	dump_column(peer->handshakes, &handshake_table);
}

static void json_counters(struct json *json, const char *key, const uint64_t *counters,
			  const struct name_table *table)
{
	char name[32];
	unsigned int type;
	size_t i;

	json_key(json, key);
	json_object_begin(json);
	for (type = table->first; type <= table->last; type++) {
		snprintf(name, sizeof(name), "%s", table->names[type]);
		for (i = 0; name[i]; i++)
			if (name[i] == '-')
				name[i] = '_';
		json_kv_u64(json, name, counters[type]);
	}
	json_object_end(json);
}

void counters_json_device(struct json *json, const struct ptun_device *dev)
{
	json_counters(json, "drops", dev->drops, &drop_table);
}

void counters_json_peer(struct json *json, const struct ptun_peer *peer)
{
	json_counters(json, "drops", peer->drops, &drop_table);
	json_counters(json, "handshakes", peer->handshakes, &handshake_table);
}
