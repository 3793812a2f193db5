// SPDX-License-Identifier: GPL-2.0
/*
 * show: a device's configuration, for people (the full view, coloured on a
 * terminal) or for scripts (one field, or `dump'), in wg(8)'s formats.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "address.h"
#include "counters.h"
#include "device.h"
#include "encoding.h"
#include "ipc.h"
#include "jsonview.h"
#include "names.h"
#include "parse.h"
#include "pretty.h"
#include "request.h"
#include "subcommands.h"
#include "terminal.h"

enum show_field {
	SHOW_PRETTY,
	SHOW_PUBLIC_KEY,
	SHOW_PRIVATE_KEY,
	SHOW_LISTEN_PORT,
	SHOW_FWMARK,
	SHOW_PEERS,
	SHOW_PRESHARED_KEYS,
	SHOW_ENDPOINTS,
	SHOW_ALLOWED_IPS,
	SHOW_LATEST_HANDSHAKES,
	SHOW_TRANSFER,
	SHOW_PERSISTENT_KEEPALIVE,
	SHOW_DUMP,
	SHOW_JSON,	/* --json, not a field */
};

/* --counters: `dump' lines end with the counters' columns. */
static bool show_counters;
/* The document of --json, which spans every device shown. */
static struct json show_json;

static const char *const show_field_names[] = {
	[SHOW_PUBLIC_KEY] = "public-key",
	[SHOW_PRIVATE_KEY] = "private-key",
	[SHOW_LISTEN_PORT] = "listen-port",
	[SHOW_FWMARK] = "fwmark",
	[SHOW_PEERS] = "peers",
	[SHOW_PRESHARED_KEYS] = "preshared-keys",
	[SHOW_ENDPOINTS] = "endpoints",
	[SHOW_ALLOWED_IPS] = "allowed-ips",
	[SHOW_LATEST_HANDSHAKES] = "latest-handshakes",
	[SHOW_TRANSFER] = "transfer",
	[SHOW_PERSISTENT_KEEPALIVE] = "persistent-keepalive",
	[SHOW_DUMP] = "dump",
};

static const struct name_table show_field_table =
	NAME_TABLE(show_field_names, SHOW_PUBLIC_KEY);

static int show_parse_field(const char *arg, enum show_field *field)
{
	unsigned int value;

	if (name_table_value(&show_field_table, arg, &value) == 0) {
		*field = value;
		return 0;
	}
	ptun_err("show: unknown field `%s' (see `" PROG_NAME " help show')",
		 arg);
	return -1;
}

static const char *key_text(char buf[static KEY_BASE64_LEN + 1],
			    const uint8_t key[static PTUN_KEY_LEN], bool have)
{
	if (!have)
		return "(none)";
	key_to_base64(buf, key);
	return buf;
}

#define FWMARK_TEXT_SIZE sizeof("0xffffffff")

static const char *fwmark_text(char buf[static FWMARK_TEXT_SIZE],
			       uint32_t fwmark)
{
	if (!fwmark)
		return "off";
	snprintf(buf, FWMARK_TEXT_SIZE, "0x%x", fwmark);
	return buf;
}

static void print_endpoint(const struct ptun_peer *peer, char end)
{
	char text[ENDPOINT_TEXT_SIZE];

	if (peer->endpoint.addr.sa_family == AF_INET ||
	    peer->endpoint.addr.sa_family == AF_INET6) {
		address_endpoint_text(text, &peer->endpoint);
		printf("%s%c", text, end);
	} else {
		printf("(none)%c", end);
	}
}

/* Items between separators, then end; `(none)' for an empty list. */
static void print_allowedips(const struct ptun_peer *peer, char separator,
			     char end)
{
	char ip[INET6_ADDRSTRLEN];
	size_t i;

	if (!peer->nr_allowedips)
		printf("(none)%c", end);
	for (i = 0; i < peer->nr_allowedips; i++) {
		address_ip_text(ip, &peer->allowedips[i]);
		printf("%s/%u%c", ip, peer->allowedips[i].cidr,
		       i + 1 < peer->nr_allowedips ? separator : end);
	}
}

static void print_keepalive(const struct ptun_peer *peer)
{
	if (peer->keepalive)
		printf("%u", peer->keepalive);
	else
		printf("off");
}

/* One line per peer: its public key, a tab, then the field. */
static void print_peer_field(const struct ptun_peer *peer,
			     enum show_field field)
{
	char key[KEY_BASE64_LEN + 1];
	bool has_psk = peer->flags & PTUN_PEER_HAS_PRESHARED_KEY;

	printf("%s%c", key_text(key, peer->public_key, true),
	       field == SHOW_PEERS ? '\n' : '\t');
	switch (field) {
	case SHOW_PRESHARED_KEYS:
		printf("%s\n", key_text(key, peer->preshared_key, has_psk));
		break;
	case SHOW_ENDPOINTS:
		print_endpoint(peer, '\n');
		break;
	case SHOW_ALLOWED_IPS:
		print_allowedips(peer, ' ', '\n');
		break;
	case SHOW_LATEST_HANDSHAKES:
		printf("%" PRIu64 "\n", peer->last_handshake_ns / NSEC_PER_SEC);
		break;
	case SHOW_TRANSFER:
		printf("%" PRIu64 "\t%" PRIu64 "\n", peer->rx_bytes,
		       peer->tx_bytes);
		break;
	case SHOW_PERSISTENT_KEEPALIVE:
		print_keepalive(peer);
		putchar('\n');
		break;
	case SHOW_DUMP:
		printf("%s\t", key_text(key, peer->preshared_key, has_psk));
		print_endpoint(peer, '\t');
		print_allowedips(peer, ',', '\t');
		printf("%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t",
		       peer->last_handshake_ns / NSEC_PER_SEC, peer->rx_bytes,
		       peer->tx_bytes);
		print_keepalive(peer);
		if (show_counters)
			counters_dump_peer(peer);
		putchar('\n');
		break;
	default:
		break;
	}
	sodium_memzero(key, sizeof(key));
}

/* Under `all', each line starts with the interface name and a tab. */
static void print_peer_lines(const struct ptun_device *dev,
			     enum show_field field, bool with_name)
{
	size_t i;

	for (i = 0; i < dev->nr_peers; i++) {
		if (with_name)
			printf("%s\t", dev->name);
		print_peer_field(&dev->peers[i], field);
	}
}

static void print_device(const struct ptun_device *dev, enum show_field field,
			 bool with_name)
{
	char priv[KEY_BASE64_LEN + 1], pub[KEY_BASE64_LEN + 1];
	char mark[FWMARK_TEXT_SIZE];
	bool has_priv = dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY;
	bool has_pub = dev->flags & PTUN_DEVICE_HAS_PUBLIC_KEY;

	if (with_name && field != SHOW_JSON && (field == SHOW_DUMP ||
			  (field != SHOW_PRETTY && field <= SHOW_FWMARK)))
		printf("%s\t", dev->name);
	switch (field) {
	case SHOW_PRETTY:
		pretty_print_device(dev, time(NULL));
		break;
	case SHOW_JSON:
		jsonview_device(&show_json, dev, true);
		break;
	case SHOW_PUBLIC_KEY:
		printf("%s\n", key_text(pub, dev->public_key, has_pub));
		break;
	case SHOW_PRIVATE_KEY:
		printf("%s\n", key_text(priv, dev->private_key, has_priv));
		break;
	case SHOW_LISTEN_PORT:
		printf("%u\n", dev->listen_port);
		break;
	case SHOW_FWMARK:
		printf("%s\n", fwmark_text(mark, dev->fwmark));
		break;
	case SHOW_DUMP:
		printf("%s\t%s\t%u\t%s",
		       key_text(priv, dev->private_key, has_priv),
		       key_text(pub, dev->public_key, has_pub),
		       dev->listen_port, fwmark_text(mark, dev->fwmark));
		if (show_counters)
			counters_dump_device(dev);
		putchar('\n');
		print_peer_lines(dev, field, with_name);
		break;
	default:
		print_peer_lines(dev, field, with_name);
		break;
	}
	sodium_memzero(priv, sizeof(priv));
}

static int show_one(const char *arg, enum show_field field)
{
	struct ptun_device dev;
	char name[IFNAMSIZ];

	if (parse_ifname(arg, name) < 0 ||
	    request_get_device("show", name, &dev) < 0)
		return 1;
	if (field == SHOW_JSON)
		jsonview_begin(&show_json, stdout);
	print_device(&dev, field, false);
	if (field == SHOW_JSON)
		jsonview_end(&show_json);
	ptun_device_wipe(&dev);
	return 0;
}

/*
 * As wg(8): a device that cannot be read is reported and skipped, and the
 * exit status is a failure only when no device at all could be shown.
 */
static int show_all(enum show_field field)
{
	struct ptun_device dev;
	struct ipc_link *links;
	struct ipc ipc;
	size_t count, i;
	int ret;

	if (ipc_list_devices(&links, &count) < 0) {
		ptun_err("show: cannot list interfaces: %s", ipc_strerror());
		return 1;
	}
	if (field == SHOW_JSON)
		jsonview_begin(&show_json, stdout);
	if (!count) {
		if (field == SHOW_JSON)
			jsonview_end(&show_json);
		free(links);
		return 0;
	}
	if (request_open(&ipc, "show", NULL) < 0) {
		free(links);
		return 1;
	}
	ret = 1;
	for (i = 0; i < count; i++) {
		if (ipc_get_device(&ipc, links[i].name, &dev) < 0) {
			request_failed("show", links[i].name);
			continue;
		}
		print_device(&dev, field, true);
		if (field == SHOW_PRETTY && i + 1 < count)
			putchar('\n');
		ptun_device_wipe(&dev);
		ret = 0;
	}
	if (field == SHOW_JSON)
		jsonview_end(&show_json);
	ipc_close(&ipc);
	free(links);
	return ret;
}

static int show_interfaces(void)
{
	struct ipc_link *links;
	size_t count, i;

	if (ipc_list_devices(&links, &count) < 0) {
		ptun_err("show: cannot list interfaces: %s", ipc_strerror());
		return 1;
	}
	for (i = 0; i < count; i++)
		printf("%s%c", links[i].name, i + 1 < count ? ' ' : '\n');
	free(links);
	return 0;
}

/* Takes a flag out of argv, wherever it is; says whether it was there. */
static bool take_flag(int *argc, const char *argv[], const char *flag)
{
	bool found = false;
	int i, j;

	for (i = j = 0; i < *argc; i++) {
		if (!strcmp(argv[i], flag))
			found = true;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return found;
}

static int show_run(const struct subcommand *cmd, int argc, const char *argv[])
{
	bool json = take_flag(&argc, argv, "--json");
	enum show_field field = SHOW_PRETTY;

	show_counters = take_flag(&argc, argv, "--counters");

	if (argc > 3 || (json && argc > 2) ||
	    (show_counters && (json || argc != 3 || strcmp(argv[2], "dump")))) {
		subcommand_usage_error(cmd);
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "interfaces")) {
		if (argc > 2 || json) {
			subcommand_usage_error(cmd);
			return 1;
		}
		return show_interfaces();
	}
	if (argc == 3 && show_parse_field(argv[2], &field) < 0)
		return 1;
	if (json)
		field = SHOW_JSON;
	if (argc == 1 || !strcmp(argv[1], "all"))
		return show_all(field);
	return show_one(argv[1], field);
}

const struct subcommand show_command = {
	.name = "show",
	.run = show_run,
	.summary = "print interfaces: keys, peers, endpoints, handshakes, traffic and drops",
	.usage = "show { <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump [--counters] | --json]",
	.details =
		"Without arguments, or with `all', shows every ptun interface; `interfaces'\n"
		"lists their names on one line. The full view lists peers most recent\n"
		"handshake first.\n"
		"\n"
		"A field prints just that value, in wg(8)'s format, after the interface name\n"
		"and a tab when showing `all'. Peer fields print one line per peer: its public\n"
		"key, a tab, then the value:\n"
		"  peers                 the public key alone\n"
		"  preshared-keys        the key, or (none)\n"
		"  endpoints             address:port, [IPv6 address]:port, or (none)\n"
		"  allowed-ips           address/prefix items separated by spaces, or (none)\n"
		"  latest-handshakes     seconds since the epoch; 0 for never\n"
		"  transfer              bytes received, a tab, bytes sent\n"
		"  persistent-keepalive  seconds, or off\n"
		"`dump' prints the interface's private-key, public-key, listen-port and fwmark,\n"
		"tab-separated, then a line per peer: public-key, preshared-key, endpoint,\n"
		"allowed-ips (comma-separated), latest-handshake, received, sent and\n"
		"persistent-keepalive. Unset keys print as (none), a zero fwmark as off.\n"
		"With --counters, `dump' adds columns of name=value\n"
		"counters, comma-separated: the interface's drops by reason; each peer's\n"
		"drops, then its handshakes (see uapi/ptun.yaml for each reason). The full\n"
		"view shows the non-zero ones, and why a peer without a handshake has none.\n"
		"\n"
		"--json prints every field of the interfaces as one JSON document, private\n"
		"and preshared keys included as in `dump'; its schema is documented in\n"
		"ptunctl(8) and tools/ptunctl/ptunctl-show.schema.json.\n"
		"\n"
		"Environment:\n"
		"  PTUN_COLOR_MODE=always|never|auto  colours (auto: when stdout is a terminal)\n"
		"  PTUN_HIDE_KEYS=never               show private and preshared keys in the\n"
		"                                     full view\n",
};
