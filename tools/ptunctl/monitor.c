// SPDX-License-Identifier: GPL-2.0
/*
 * monitor: the kernel's events as they happen, one line each, for people or
 * (--json) one JSON object per line for scripts, like `ip monitor'.
 *
 * With --reresolve, it also keeps peers with a hostname endpoint reachable:
 * every few seconds it reads the device's handshake counters, and a peer
 * whose handshakes go unanswered gets its name resolved again and, if the
 * address changed, its endpoint set to the new one.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "address.h"
#include "encoding.h"
#include "ipc.h"
#include "names.h"
#include "parse.h"
#include "request.h"
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

static const struct name_table event_table =
	NAME_TABLE(event_names, PTUN_EVENT_HANDSHAKE);

/* How often --reresolve looks at the counters: REKEY_TIMEOUT. */
#define RERESOLVE_SECONDS	5

struct reresolve_peer {
	uint8_t public_key[PTUN_KEY_LEN];
	const char *endpoint;	/* host:port, as given */
	/* the peer's handshake counters at the last look */
	uint64_t timeouts, initiations, responses;
};

struct monitor_options {
	const char *ifname;	/* NULL: every device */
	bool json;
	struct reresolve_peer *reresolve;
	size_t nr_reresolve;
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

/* One event, or (named) what monitor itself did. */
static void print_named_event(const struct monitor_options *options,
			      const struct ipc_event *event, const char *name)
{
	char key[KEY_BASE64_LEN + 1], endpoint[ENDPOINT_TEXT_SIZE];
	bool has_endpoint = event->endpoint.addr.sa_family != AF_UNSPEC;

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
}

static bool same_endpoint(const union ptun_endpoint *a, const union ptun_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	return a->addr6.sin6_port == b->addr6.sin6_port &&
	       !memcmp(&a->addr6.sin6_addr, &b->addr6.sin6_addr,
		       sizeof(a->addr6.sin6_addr));
}

static const struct ptun_peer *find_peer(const struct ptun_device *dev,
					 const uint8_t key[static PTUN_KEY_LEN])
{
	size_t i;

	for (i = 0; i < dev->nr_peers; i++)
		if (!memcmp(dev->peers[i].public_key, key, PTUN_KEY_LEN))
			return &dev->peers[i];
	return NULL;
}

/* Set one peer's endpoint, and say so as monitor says everything. */
static void reresolve_set(struct ipc *ipc, const struct monitor_options *options,
			  const struct reresolve_peer *rp, uint32_t ifindex,
			  const union ptun_endpoint *endpoint)
{
	struct ipc_event done = { .ifindex = ifindex, .endpoint = *endpoint };
	struct ptun_device change = { 0 };
	struct ptun_peer *peer;

	snprintf(change.name, sizeof(change.name), "%s", options->ifname);
	peer = ptun_device_add_peer(&change);
	if (peer) {
		memcpy(peer->public_key, rp->public_key, PTUN_KEY_LEN);
		peer->endpoint = *endpoint;
		if (ipc_set_device(ipc, &change) < 0) {
			ptun_warn("monitor: setting the endpoint of %s: %s",
				  rp->endpoint, ipc_strerror());
		} else {
			snprintf(done.ifname, sizeof(done.ifname), "%s", options->ifname);
			memcpy(done.public_key, rp->public_key, PTUN_KEY_LEN);
			print_named_event(options, &done, "reresolved");
		}
	}
	ptun_device_wipe(&change);
}

/*
 * Whether @peer's handshakes went unanswered since the last look, which
 * @rp keeps: a retry timed out, or initiations went out and no response
 * came back.  The second is needed while packets keep coming (a ping every
 * second): each starts an initiation before the retry timer fires, so it
 * never does.  A response on its way at the look only brings a needless
 * lookup forward.
 */
static bool reresolve_failing(struct reresolve_peer *rp, const struct ptun_peer *peer)
{
	const uint64_t *hs = peer->handshakes;
	bool failing;

	failing = hs[PTUN_A_HANDSHAKES_TIMEOUTS] > rp->timeouts ||
		  (hs[PTUN_A_HANDSHAKES_INITIATIONS_SENT] > rp->initiations &&
		   hs[PTUN_A_HANDSHAKES_RESPONSES_RECEIVED] == rp->responses);
	rp->timeouts = hs[PTUN_A_HANDSHAKES_TIMEOUTS];
	rp->initiations = hs[PTUN_A_HANDSHAKES_INITIATIONS_SENT];
	rp->responses = hs[PTUN_A_HANDSHAKES_RESPONSES_RECEIVED];
	return failing;
}

/*
 * Peers whose handshakes went unanswered since the last look get their
 * names resolved again.  Failures are reported and the next look tries again,
 * but for the device's going away, which ends the watch: false.
 */
static bool reresolve_check(struct monitor_options *options)
{
	union ptun_endpoint endpoint;
	const struct ptun_peer *peer;
	struct ptun_device dev;
	struct reresolve_peer *rp;
	struct ipc ipc;
	size_t i;
	int ret;

	if (ipc_open(&ipc) < 0) {
		ptun_warn("monitor: %s", ipc_strerror());
		return true;
	}
	ret = ipc_get_device(&ipc, options->ifname, &dev);
	if (ret < 0) {
		if (ret == -ENODEV)
			ptun_warn("monitor: %s is gone: no more re-resolving", options->ifname);
		else
			ptun_warn("monitor: %s: %s", options->ifname, ipc_strerror());
		ipc_close(&ipc);
		return ret != -ENODEV;
	}
	for (i = 0; i < options->nr_reresolve; i++) {
		rp = &options->reresolve[i];
		peer = find_peer(&dev, rp->public_key);
		if (!peer)
			continue;
		if (!reresolve_failing(rp, peer) ||
		    address_parse_endpoint(rp->endpoint, &endpoint) < 0 ||
		    same_endpoint(&endpoint, &peer->endpoint))
			continue;
		reresolve_set(&ipc, options, rp, dev.ifindex, &endpoint);
	}
	ptun_device_wipe(&dev);
	ipc_close(&ipc);
	return true;
}

static int print_event(const struct ipc_event *event, void *data)
{
	struct monitor_options *options = data;
	char unknown[sizeof("event-4294967295")];
	const char *name;

	/* Positive: not an error, the end of the watch. */
	if (!event)
		return reresolve_check(options) ? 0 : 1;
	if (options->ifname && strcmp(options->ifname, event->ifname))
		return 0;
	/* A newer module's event keeps its number. */
	name = name_table_name(&event_table, event->event);
	if (!name) {
		snprintf(unknown, sizeof(unknown), "event-%u", event->event);
		name = unknown;
	}
	print_named_event(options, event, name);
	return 0;
}

/* --reresolve PUBLIC-KEY HOST:PORT, at argv[i]; the number of words taken. */
static int parse_reresolve(const struct subcommand *cmd, struct monitor_options *options,
			   int argc, const char *argv[], int i)
{
	struct reresolve_peer *more, *rp;

	if (i + 2 >= argc) {
		subcommand_usage_error(cmd);
		return -1;
	}
	more = realloc(options->reresolve,
		       (options->nr_reresolve + 1) * sizeof(*more));
	if (!more) {
		ptun_err("monitor: out of memory");
		return -1;
	}
	options->reresolve = more;
	rp = &more[options->nr_reresolve];
	memset(rp, 0, sizeof(*rp));
	if (!key_from_base64(rp->public_key, argv[i + 1], strlen(argv[i + 1]))) {
		ptun_err("monitor: --reresolve: `%s' is not a public key", argv[i + 1]);
		return -1;
	}
	rp->endpoint = argv[i + 2];
	options->nr_reresolve++;
	return 2;
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
		} else if (!strcmp(argv[i], "--reresolve")) {
			ret = parse_reresolve(cmd, &options, argc, argv, i);
			if (ret < 0)
				goto out;
			i += ret;
		} else if (argv[i][0] == '-' || options.ifname) {
			subcommand_usage_error(cmd);
			ret = -1;
			goto out;
		} else {
			ret = parse_ifname(argv[i], name);
			if (ret < 0)
				goto out;
			options.ifname = name;
		}
	}
	if (options.nr_reresolve && !options.ifname) {
		ptun_err("monitor: --reresolve needs an interface");
		ret = -1;
		goto out;
	}
	ret = request_open(&ipc, cmd->name, NULL);
	if (ret < 0)
		goto out;
	ret = ipc_monitor(&ipc, options.nr_reresolve ? RERESOLVE_SECONDS : 0,
			  print_event, &options);
	if (ret < 0)
		request_failed(cmd->name, NULL);
	else
		ret = 0;
	ipc_close(&ipc);
out:
	free(options.reresolve);
	return ret ? 1 : 0;
}

const struct subcommand monitor_command = {
	.name = "monitor",
	.run = monitor_run,
	.summary = "print events of ptun interfaces as they happen",
	.usage = "monitor [<interface>] [--json] [--reresolve <public-key> <host:port>]...",
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
		"Only authenticated changes are announced. Needs CAP_NET_ADMIN.\n"
		"\n"
		"--reresolve keeps a peer whose endpoint is a name reachable when the name\n"
		"moves (dynamic DNS): every 5 seconds, if the peer's handshakes went\n"
		"unanswered since the last look (a retry timed out, or initiations went\n"
		"out and no response came), the name is resolved again and, if its address\n"
		"changed, the peer's endpoint is set to it and a `reresolved' event is\n"
		"printed. It needs <interface>; give it once per peer. Monitor ends when\n"
		"<interface> is deleted.\n",
};
