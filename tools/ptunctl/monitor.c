// SPDX-License-Identifier: GPL-2.0
/*
 * monitor: the kernel's events as they happen, one line each, for people or
 * (--json) one JSON object per line for scripts, like `ip monitor'.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "address.h"
#include "encoding.h"
#include "ipc.h"
#include "parse.h"
#include "subcommands.h"
#include "terminal.h"

/* uapi/ptun.yaml's names of enum ptun_event. */
static const char *const event_names[] = {
	[PTUN_EVENT_HANDSHAKE] = "handshake",
	[PTUN_EVENT_ENDPOINT] = "endpoint",
	[PTUN_EVENT_SESSION_EXPIRED] = "session-expired",
	[PTUN_EVENT_HANDSHAKE_GAVE_UP] = "handshake-gave-up",
	[PTUN_EVENT_PEER_ADDED] = "peer-added",
	[PTUN_EVENT_PEER_REMOVED] = "peer-removed",
};

struct monitor_options {
	const char *ifname;	/* NULL: every device */
	bool json;
};

/* A JSON string: interface names may hold quotes and backslashes. */
static void print_json_string(const char *text)
{
	putchar('"');
	for (; *text; text++) {
		if (*text == '"' || *text == '\\')
			printf("\\%c", *text);
		else if ((unsigned char)*text < 0x20)
			printf("\\u%04x", *text);
		else
			putchar(*text);
	}
	putchar('"');
}

static int print_event(const struct ipc_event *event, void *data)
{
	const struct monitor_options *options = data;
	char key[KEY_BASE64_LEN + 1], endpoint[ENDPOINT_TEXT_SIZE];
	char unknown[sizeof("event-4294967295")];
	bool has_endpoint = event->endpoint.addr.sa_family != AF_UNSPEC;
	const char *name;

	if (options->ifname && strcmp(options->ifname, event->ifname))
		return 0;
	/* A newer module's event keeps its number. */
	if (event->event < sizeof(event_names) / sizeof(event_names[0]) &&
	    event_names[event->event]) {
		name = event_names[event->event];
	} else {
		snprintf(unknown, sizeof(unknown), "event-%u", event->event);
		name = unknown;
	}
	key_to_base64(key, event->public_key);
	if (has_endpoint)
		address_endpoint_text(endpoint, &event->endpoint);

	if (options->json) {
		printf("{\"interface\":");
		print_json_string(event->ifname);
		printf(",\"ifindex\":%u,\"event\":\"%s\",\"peer\":\"%s\",\"endpoint\":",
		       event->ifindex, name, key);
		if (has_endpoint)
			print_json_string(endpoint);
		else
			printf("null");
		printf("}\n");
	} else {
		printf("%s: %s peer %s", event->ifname, name, key);
		if (has_endpoint)
			printf(" endpoint %s", endpoint);
		putchar('\n');
	}
	/* A reader of a pipe wants each event when it happens. */
	fflush(stdout);
	return 0;
}

static int monitor_run(const struct subcommand *cmd, int argc, const char *argv[])
{
	struct monitor_options options = { 0 };
	char name[IFNAMSIZ];
	struct ipc ipc;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			options.json = true;
		} else if (argv[i][0] == '-' || options.ifname) {
			subcommand_usage_error(cmd);
			return 1;
		} else {
			if (parse_ifname(argv[i], name) < 0)
				return 1;
			options.ifname = name;
		}
	}
	if (ipc_open(&ipc) < 0) {
		ptun_err("monitor: %s", ipc_strerror());
		return 1;
	}
	ret = ipc_monitor(&ipc, print_event, &options);
	if (ret < 0)
		ptun_err("monitor: %s", ipc_strerror());
	ipc_close(&ipc);
	return ret ? 1 : 0;
}

const struct subcommand monitor_command = {
	.name = "monitor",
	.run = monitor_run,
	.summary = "Prints events of ptun interfaces as they happen",
	.usage = "monitor [<interface>] [--json]",
	.details =
		"One line per event, until interrupted, of every ptun interface in this\n"
		"network namespace or just <interface>:\n"
		"  <interface>: <event> peer <public-key> [endpoint <address:port>]\n"
		"With --json, one object per line: {\"interface\", \"ifindex\", \"event\",\n"
		"\"peer\", \"endpoint\" (null when none)}. Events:\n"
		"  handshake          a handshake completed: a new session\n"
		"  endpoint           the peer's endpoint changed: it roamed, or was set\n"
		"  session-expired    no new session for 9 minutes: the keys were wiped\n"
		"  handshake-gave-up  every retry of a handshake went unanswered\n"
		"  peer-added         a peer was added by configuration\n"
		"  peer-removed       a peer was removed by configuration\n"
		"Only authenticated changes are announced. Needs CAP_NET_ADMIN.\n",
};
