// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for tools/ptunctl/ipc.c: canned devices instead of a kernel,
 * and a log of what was asked of it, so show and set can be run whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "encoding.h"
#include "fake_ipc.h"

struct fake_ipc fake_ipc;
static char why[256];

static int fail(const char *text)
{
	snprintf(why, sizeof(why), "%s", text);
	return -1;
}

const char *ipc_strerror(void)
{
	return why;
}

int ipc_open(struct ipc *ipc)
{
	memset(ipc, 0, sizeof(*ipc));
	fprintf(fake_ipc.log, "open\n");
	if (fake_ipc.no_module)
		return fail("ptun module not loaded (no \"ptun\" generic netlink family)");
	ipc->family = 42;
	return 0;
}

void ipc_close(struct ipc *ipc)
{
	(void)ipc;
	fprintf(fake_ipc.log, "close\n");
}

/* A copy the caller can wipe, as it wipes what the kernel gave. */
static void copy_device(struct ptun_device *dst, const struct ptun_device *src)
{
	const struct ptun_peer *from;
	struct ptun_peer *to;
	size_t i, j;

	*dst = *src;
	dst->peers = NULL;
	dst->nr_peers = dst->max_peers = 0;
	for (i = 0; i < src->nr_peers; i++) {
		from = &src->peers[i];
		to = ptun_device_add_peer(dst);
		if (!to)
			abort();
		*to = *from;
		to->allowedips = NULL;
		to->nr_allowedips = to->max_allowedips = 0;
		for (j = 0; j < from->nr_allowedips; j++) {
			if (!ptun_peer_add_allowedip(to))
				abort();
			to->allowedips[j] = from->allowedips[j];
		}
	}
}

int ipc_get_device(struct ipc *ipc, const char *ifname,
		   struct ptun_device *dev)
{
	size_t i;

	memset(dev, 0, sizeof(*dev));
	fprintf(fake_ipc.log, "get %s\n", ifname);
	if (ipc->family != 42)
		return fail("not opened");
	for (i = 0; i < fake_ipc.nr_devices; i++) {
		if (!strcmp(fake_ipc.devices[i].name, ifname)) {
			copy_device(dev, &fake_ipc.devices[i]);
			return 0;
		}
	}
	return fail("no device of that name (No such device)");
}

/*
 * "  peer KEY flags 0x.. psk KEY|- endpoint ADDR:PORT|- keepalive N|-
 * allowed-ips +IP/CIDR,-IP/CIDR|-", all on one line.
 */
static void log_peer(const struct ptun_peer *peer)
{
	char key[KEY_BASE64_LEN + 1], psk[KEY_BASE64_LEN + 1] = "-";
	char endpoint[ENDPOINT_TEXT_SIZE] = "-", ip[INET6_ADDRSTRLEN];
	char keepalive[8] = "-";
	size_t i;

	key_to_base64(key, peer->public_key);
	if (peer->flags & PTUN_PEER_HAS_PRESHARED_KEY)
		key_to_base64(psk, peer->preshared_key);
	if (peer->endpoint.addr.sa_family != AF_UNSPEC)
		address_endpoint_text(endpoint, &peer->endpoint);
	if (peer->flags & PTUN_PEER_HAS_KEEPALIVE)
		snprintf(keepalive, sizeof(keepalive), "%u", peer->keepalive);
	fprintf(fake_ipc.log, "  peer %s flags 0x%x psk %s endpoint %s keepalive %s allowed-ips ",
		key, peer->flags, psk, endpoint, keepalive);
	for (i = 0; i < peer->nr_allowedips; i++) {
		address_ip_text(ip, &peer->allowedips[i]);
		fprintf(fake_ipc.log, "%s%c%s/%u", i ? "," : "",
			peer->allowedips[i].flags & PTUN_ALLOWEDIP_F_REMOVE_ME ?
			'-' : '+', ip, peer->allowedips[i].cidr);
	}
	fprintf(fake_ipc.log, "%s\n", peer->nr_allowedips ? "" : "-");
}

int ipc_set_device(struct ipc *ipc, const struct ptun_device *dev)
{
	char key[KEY_BASE64_LEN + 1] = "-";
	size_t i;

	if (dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY)
		key_to_base64(key, dev->private_key);
	fprintf(fake_ipc.log, "set %s flags 0x%x port %u fwmark 0x%x key %s\n",
		dev->name, dev->flags, dev->listen_port, dev->fwmark, key);
	for (i = 0; i < dev->nr_peers; i++)
		log_peer(&dev->peers[i]);
	if (ipc->family != 42)
		return fail("not opened");
	if (fake_ipc.set_error)
		return fail(fake_ipc.set_error);
	return 0;
}

int ipc_list_devices(struct ipc_link **links, size_t *count)
{
	fprintf(fake_ipc.log, "list\n");
	*count = fake_ipc.nr_links;
	*links = calloc(fake_ipc.nr_links + 1, sizeof(**links));
	if (!*links)
		abort();
	if (fake_ipc.nr_links)
		memcpy(*links, fake_ipc.links,
		       fake_ipc.nr_links * sizeof(**links));
	return 0;
}
