// SPDX-License-Identifier: GPL-2.0
/*
 * syncconf: make a device match a configuration file, as setconf would,
 * but by sending only what differs.  Peers that did not change are not
 * named at all, so they keep their sessions; the others are changed in
 * place rather than recreated.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "address.h"
#include "conffile.h"
#include "device.h"
#include "ipc.h"
#include "parse.h"
#include "request.h"
#include "subcommands.h"
#include "terminal.h"

static const uint8_t zero_key[PTUN_KEY_LEN];

static int cmp_peer_ptrs(const void *a, const void *b)
{
	const struct ptun_peer *const *x = a, *const *y = b;

	return memcmp((*x)->public_key, (*y)->public_key, PTUN_KEY_LEN);
}

/* dev's peers by public key, for find_peer(); NULL when out of memory. */
static const struct ptun_peer **peer_index(const struct ptun_device *dev)
{
	const struct ptun_peer **index;
	size_t i;

	index = calloc(dev->nr_peers + 1, sizeof(*index));
	if (!index)
		return NULL;
	for (i = 0; i < dev->nr_peers; i++)
		index[i] = &dev->peers[i];
	qsort(index, dev->nr_peers, sizeof(*index), cmp_peer_ptrs);
	return index;
}

static const struct ptun_peer *find_peer(const struct ptun_peer **index,
					 size_t nr, const struct ptun_peer *peer)
{
	const struct ptun_peer **found;

	found = bsearch(&peer, index, nr, sizeof(*index), cmp_peer_ptrs);
	return found ? *found : NULL;
}

static int cmp_allowedips(const void *a, const void *b)
{
	return address_allowedip_cmp(a, b);
}

/* The peer's allowed IPs sorted, without repeats; NULL when out of memory. */
static struct ptun_allowedip *sorted_ips(const struct ptun_peer *peer,
					 size_t *nr)
{
	struct ptun_allowedip *ips;
	size_t i, n = 0;

	ips = calloc(peer->nr_allowedips + 1, sizeof(*ips));
	if (!ips)
		return NULL;
	if (peer->nr_allowedips)
		memcpy(ips, peer->allowedips,
		       peer->nr_allowedips * sizeof(*ips));
	qsort(ips, peer->nr_allowedips, sizeof(*ips), cmp_allowedips);
	for (i = 0; i < peer->nr_allowedips; i++) {
		if (!n || address_allowedip_cmp(&ips[n - 1], &ips[i]))
			ips[n++] = ips[i];
	}
	*nr = n;
	return ips;
}

/* Whether both hold the same set of allowed IPs; -1 when out of memory. */
static int same_allowedips(const struct ptun_peer *a, const struct ptun_peer *b)
{
	struct ptun_allowedip *x, *y;
	size_t nx = 0, ny = 0, i;
	int same = -1;

	x = sorted_ips(a, &nx);
	y = sorted_ips(b, &ny);
	if (x && y) {
		same = nx == ny;
		for (i = 0; same && i < nx; i++)
			same = !address_allowedip_cmp(&x[i], &y[i]);
	}
	free(x);
	free(y);
	return same;
}

static int copy_allowedips(struct ptun_peer *to, const struct ptun_peer *from)
{
	struct ptun_allowedip *ip;
	size_t i;

	for (i = 0; i < from->nr_allowedips; i++) {
		ip = ptun_peer_add_allowedip(to);
		if (!ip)
			return -1;
		*ip = from->allowedips[i];
	}
	return 0;
}

/*
 * What to send for one peer of the file: all of it when the device does
 * not have it yet, else the settings that differ.  A peer's missing
 * PresharedKey, PersistentKeepalive or AllowedIPs means none, as for
 * setconf; a missing Endpoint leaves the one the device has.
 */
static int sync_peer(struct ptun_device *out, const struct ptun_peer *want,
		     const struct ptun_peer *have)
{
	const uint8_t *psk = want->flags & PTUN_PEER_HAS_PRESHARED_KEY ?
			     want->preshared_key : zero_key;
	struct ptun_peer *peer;
	int same_ips;

	peer = ptun_device_add_peer(out);
	if (!peer)
		return -1;
	memcpy(peer->public_key, want->public_key, PTUN_KEY_LEN);
	if (!have || sodium_memcmp(psk, have->flags & PTUN_PEER_HAS_PRESHARED_KEY ?
				   have->preshared_key : zero_key,
				   PTUN_KEY_LEN)) {
		memcpy(peer->preshared_key, psk, PTUN_KEY_LEN);
		if (have || psk != zero_key)
			peer->flags |= PTUN_PEER_HAS_PRESHARED_KEY;
	}
	if (want->keepalive != (have ? have->keepalive : 0)) {
		peer->keepalive = want->keepalive;
		peer->flags |= PTUN_PEER_HAS_KEEPALIVE;
	}
	if (want->endpoint.addr.sa_family != AF_UNSPEC &&
	    (!have || !address_endpoint_equal(&want->endpoint,
					      &have->endpoint)))
		peer->endpoint = want->endpoint;
	same_ips = have ? same_allowedips(want, have) : 0;
	if (same_ips < 0)
		return -1;
	if (!same_ips) {
		peer->flags |= PTUN_PEER_REPLACE_ALLOWEDIPS;
		if (copy_allowedips(peer, want) < 0)
			return -1;
	}
	/* Nothing differs: leave the peer out. */
	if (have && !peer->flags &&
	    peer->endpoint.addr.sa_family == AF_UNSPEC) {
		sodium_memzero(peer, sizeof(*peer));
		out->nr_peers--;
	}
	return 0;
}

/* The device settings of the file that differ from the device's. */
static void sync_device(struct ptun_device *out, const struct ptun_device *want,
			const struct ptun_device *have)
{
	const uint8_t *key = want->flags & PTUN_DEVICE_HAS_PRIVATE_KEY ?
			     want->private_key : zero_key;
	uint32_t fwmark = want->flags & PTUN_DEVICE_HAS_FWMARK ? want->fwmark : 0;

	if (sodium_memcmp(key, have->flags & PTUN_DEVICE_HAS_PRIVATE_KEY ?
			  have->private_key : zero_key, PTUN_KEY_LEN)) {
		memcpy(out->private_key, key, PTUN_KEY_LEN);
		out->flags |= PTUN_DEVICE_HAS_PRIVATE_KEY;
	}
	/*
	 * Unlike wg(8), no ListenPort (or 0) keeps the port the device has,
	 * rather than moving to another random one at every sync.
	 */
	if (want->flags & PTUN_DEVICE_HAS_LISTEN_PORT && want->listen_port &&
	    want->listen_port != have->listen_port) {
		out->listen_port = want->listen_port;
		out->flags |= PTUN_DEVICE_HAS_LISTEN_PORT;
	}
	if (fwmark != have->fwmark) {
		out->fwmark = fwmark;
		out->flags |= PTUN_DEVICE_HAS_FWMARK;
	}
}

/* out: the changes that turn have into want; nothing when they match. */
static int sync_changes(struct ptun_device *out, const struct ptun_device *want,
			const struct ptun_device *have)
{
	const struct ptun_peer **want_index, **have_index;
	struct ptun_peer *peer;
	int ret = -1;
	size_t i;

	memset(out, 0, sizeof(*out));
	memcpy(out->name, want->name, sizeof(out->name));
	sync_device(out, want, have);
	want_index = peer_index(want);
	have_index = peer_index(have);
	if (!want_index || !have_index)
		goto out;
	for (i = 0; i < have->nr_peers; i++) {
		if (find_peer(want_index, want->nr_peers, &have->peers[i]))
			continue;
		peer = ptun_device_add_peer(out);
		if (!peer)
			goto out;
		memcpy(peer->public_key, have->peers[i].public_key,
		       PTUN_KEY_LEN);
		peer->flags = PTUN_PEER_REMOVE;
	}
	for (i = 0; i < want->nr_peers; i++) {
		if (sync_peer(out, &want->peers[i],
			      find_peer(have_index, have->nr_peers,
					&want->peers[i])) < 0)
			goto out;
	}
	ret = 0;
out:
	free(want_index);
	free(have_index);
	if (ret < 0)
		ptun_err("syncconf %s: out of memory", want->name);
	return ret;
}

static int syncconf_run(const struct subcommand *cmd, int argc,
			const char *argv[])
{
	struct ptun_device want, have, changes;
	struct ipc ipc;
	int ret = 1;

	if (argc != 3) {
		subcommand_usage_error(cmd);
		return 1;
	}
	memset(&want, 0, sizeof(want));
	memset(&have, 0, sizeof(have));
	memset(&changes, 0, sizeof(changes));
	if (parse_ifname(argv[1], want.name) < 0 ||
	    conffile_read(argv[2], CONFFILE_ADD, &want) < 0)
		goto out;
	if (request_open(&ipc, cmd->name, want.name) < 0)
		goto out;
	if (ipc_get_device(&ipc, want.name, &have) < 0) {
		request_failed(cmd->name, want.name);
	} else if (sync_changes(&changes, &want, &have) == 0) {
		if (!changes.flags && !changes.nr_peers)
			ret = 0;
		else if (ipc_set_device(&ipc, &changes) < 0)
			request_failed(cmd->name, want.name);
		else
			ret = 0;
	}
	ipc_close(&ipc);
out:
	ptun_device_wipe(&want);
	ptun_device_wipe(&have);
	ptun_device_wipe(&changes);
	return ret;
}

const struct subcommand syncconf_command = {
	.name = "syncconf",
	.run = syncconf_run,
	.summary = "make an interface match a file, sending only what differs",
	.usage = "syncconf <interface> <configuration filename>",
	.details =
		"Makes the interface match the file, as `setconf' would, but sends only what\n"
		"differs: peers not in the file are removed, new ones added, changed ones\n"
		"changed in place, and peers that did not change are left alone, keeping\n"
		"their sessions (no new handshake). A missing PresharedKey,\n"
		"PersistentKeepalive or AllowedIPs means none; a missing Endpoint keeps the\n"
		"peer's current one; unlike wg(8), a missing ListenPort (or 0) keeps the\n"
		"interface's current port. Nothing is sent when nothing differs.\n"
		"The file's format is that of `setconf' (see `" PROG_NAME " help setconf').\n",
};
