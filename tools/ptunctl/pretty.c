// SPDX-License-Identifier: GPL-2.0
/*
 * show's full view: wg(8)'s words and colours, so that people, and the
 * scripts that scrape it anyway, see what they know.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "address.h"
#include "counters.h"
#include "encoding.h"
#include "pretty.h"
#include "terminal.h"

void pretty_duration(char buf[static PRETTY_TEXT_SIZE], uint64_t seconds)
{
	static const struct {
		const char *name;
		uint64_t seconds;
	} units[] = {
		{ "year", 365 * 24 * 60 * 60 },
		{ "day", 24 * 60 * 60 },
		{ "hour", 60 * 60 },
		{ "minute", 60 },
		{ "second", 1 },
	};
	size_t len = 0, i;
	uint64_t count;

	buf[0] = '\0';
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		count = seconds / units[i].seconds;
		seconds %= units[i].seconds;
		if (!count)
			continue;
		len += snprintf(buf + len, PRETTY_TEXT_SIZE - len,
				"%s%" PRIu64 " " TERMINAL_FG_CYAN "%s%s" TERMINAL_RESET,
				len ? ", " : "", count, units[i].name,
				count == 1 ? "" : "s");
	}
}

void pretty_ago(char buf[static PRETTY_TEXT_SIZE], uint64_t then_ns,
		time_t now)
{
	uint64_t then = then_ns / NSEC_PER_SEC, at = now < 0 ? 0 : now;

	if (at == then) {
		snprintf(buf, PRETTY_TEXT_SIZE, "Now");
	} else if (at < then) {
		snprintf(buf, PRETTY_TEXT_SIZE,
			 "(" TERMINAL_FG_RED "System clock wound backward; connection problems may ensue." TERMINAL_RESET ")");
	} else {
		pretty_duration(buf, at - then);
		strncat(buf, " ago", PRETTY_TEXT_SIZE - strlen(buf) - 1);
	}
}

void pretty_bytes(char buf[static PRETTY_TEXT_SIZE], uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double value = bytes;
	unsigned int unit;

	if (bytes < 1024) {
		snprintf(buf, PRETTY_TEXT_SIZE,
			 "%" PRIu64 " " TERMINAL_FG_CYAN "B" TERMINAL_RESET, bytes);
		return;
	}
	/* As wg(8): TiB is the largest unit, however many there are. */
	for (unit = 0; unit < 3 && bytes >= 1024ULL << (10 * (unit + 1));
	     unit++)
		;
	value /= (double)(1ULL << (10 * (unit + 1)));
	snprintf(buf, PRETTY_TEXT_SIZE,
		 "%.2f " TERMINAL_FG_CYAN "%s" TERMINAL_RESET, value,
		 units[unit]);
}

/* Like wg(8)'s WG_HIDE_KEYS: secret keys stay hidden unless asked for. */
static const char *masked_key(char buf[static KEY_BASE64_LEN + 1],
			      const uint8_t key[static PTUN_KEY_LEN])
{
	const char *var = getenv("PTUN_HIDE_KEYS");

	if (!var || strcmp(var, "never"))
		return "(hidden)";
	key_to_base64(buf, key);
	return buf;
}

/* Most recent handshake first, never last; ties keep the kernel's order. */
static int peer_cmp(const void *first, const void *second)
{
	const struct ptun_peer *a = *(const struct ptun_peer *const *)first;
	const struct ptun_peer *b = *(const struct ptun_peer *const *)second;

	if (a->last_handshake_ns != b->last_handshake_ns) {
		if (!a->last_handshake_ns || !b->last_handshake_ns)
			return a->last_handshake_ns ? -1 : 1;
		return a->last_handshake_ns > b->last_handshake_ns ? -1 : 1;
	}
	return (a > b) - (a < b);
}

static void print_allowedips(const struct ptun_peer *peer)
{
	char ip[INET6_ADDRSTRLEN];
	size_t i;

	terminal_printf("  " TERMINAL_BOLD "allowed ips" TERMINAL_RESET ": ");
	if (!peer->nr_allowedips)
		terminal_printf("(none)\n");
	for (i = 0; i < peer->nr_allowedips; i++) {
		address_ip_text(ip, &peer->allowedips[i]);
		terminal_printf("%s" TERMINAL_FG_CYAN "/" TERMINAL_RESET "%u%s",
				ip, peer->allowedips[i].cidr,
				i + 1 < peer->nr_allowedips ? ", " : "\n");
	}
}

static void print_peer(const struct ptun_peer *peer, time_t now)
{
	char key[KEY_BASE64_LEN + 1], endpoint[ENDPOINT_TEXT_SIZE];
	char text[PRETTY_TEXT_SIZE];

	key_to_base64(key, peer->public_key);
	terminal_printf(TERMINAL_FG_YELLOW TERMINAL_BOLD "peer" TERMINAL_RESET
			": " TERMINAL_FG_YELLOW "%s" TERMINAL_RESET "\n", key);
	if (peer->flags & PTUN_PEER_HAS_PRESHARED_KEY)
		terminal_printf("  " TERMINAL_BOLD "preshared key" TERMINAL_RESET ": %s\n",
				masked_key(key, peer->preshared_key));
	if (peer->endpoint.addr.sa_family == AF_INET ||
	    peer->endpoint.addr.sa_family == AF_INET6) {
		address_endpoint_text(endpoint, &peer->endpoint);
		terminal_printf("  " TERMINAL_BOLD "endpoint" TERMINAL_RESET ": %s\n",
				endpoint);
	}
	print_allowedips(peer);
	if (peer->last_handshake_ns >= NSEC_PER_SEC) {
		pretty_ago(text, peer->last_handshake_ns, now);
		terminal_printf("  " TERMINAL_BOLD "latest handshake" TERMINAL_RESET ": %s\n",
				text);
	}
	if (peer->rx_bytes || peer->tx_bytes) {
		pretty_bytes(text, peer->rx_bytes);
		terminal_printf("  " TERMINAL_BOLD "transfer" TERMINAL_RESET ": %s received, ",
				text);
		pretty_bytes(text, peer->tx_bytes);
		terminal_printf("%s sent\n", text);
	}
	if (peer->keepalive) {
		pretty_duration(text, peer->keepalive);
		terminal_printf("  " TERMINAL_BOLD "persistent keepalive" TERMINAL_RESET ": every %s\n",
				text);
	}
	counters_pretty_peer(peer);
	sodium_memzero(key, sizeof(key));
}

static void print_peers(const struct ptun_device *dev, time_t now)
{
	const struct ptun_peer **order;
	size_t i;

	order = calloc(dev->nr_peers, sizeof(*order));
	for (i = 0; order && i < dev->nr_peers; i++)
		order[i] = &dev->peers[i];
	/* Out of memory, the kernel's order will do. */
	if (order)
		qsort(order, dev->nr_peers, sizeof(*order), peer_cmp);
	for (i = 0; i < dev->nr_peers; i++) {
		terminal_printf("\n");
		print_peer(order ? order[i] : &dev->peers[i], now);
	}
	free(order);
}

void pretty_print_device(const struct ptun_device *dev, time_t now)
{
	char key[KEY_BASE64_LEN + 1];

	terminal_printf(TERMINAL_RESET);
	terminal_printf(TERMINAL_FG_GREEN TERMINAL_BOLD "interface" TERMINAL_RESET
			": " TERMINAL_FG_GREEN "%s" TERMINAL_RESET "\n", dev->name);
	if (dev->flags & PTUN_DEVICE_HAS_PUBLIC_KEY) {
		key_to_base64(key, dev->public_key);
		terminal_printf("  " TERMINAL_BOLD "public key" TERMINAL_RESET ": %s\n",
				key);
	}
	if (dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY)
		terminal_printf("  " TERMINAL_BOLD "private key" TERMINAL_RESET ": %s\n",
				masked_key(key, dev->private_key));
	if (dev->listen_port)
		terminal_printf("  " TERMINAL_BOLD "listening port" TERMINAL_RESET ": %u\n",
				dev->listen_port);
	if (dev->fwmark)
		terminal_printf("  " TERMINAL_BOLD "fwmark" TERMINAL_RESET ": 0x%x\n",
				dev->fwmark);
	counters_pretty_device(dev);
	sodium_memzero(key, sizeof(key));
	print_peers(dev, now);
}
