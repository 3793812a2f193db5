// SPDX-License-Identifier: GPL-2.0
/*
 * Peers and allowed IPs live in arrays that double as they grow: a device
 * may have thousands of peers, a peer thousands of allowed IPs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "device.h"

/*
 * array, holding nr elements of size bytes in room for *max, with room for
 * one more: the same array, or a larger copy after the old one is wiped and
 * freed (peers carry preshared keys).  NULL when out of memory.
 */
static void *grow(void *array, size_t nr, size_t *max, size_t size)
{
	size_t want = *max ? *max * 2 : 4;
	void *bigger;

	if (nr < *max)
		return array;
	if (want > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	bigger = malloc(want * size);
	if (!bigger)
		return NULL;
	if (nr) {
		memcpy(bigger, array, nr * size);
		sodium_memzero(array, nr * size);
	}
	free(array);
	*max = want;
	return bigger;
}

struct ptun_peer *ptun_device_add_peer(struct ptun_device *dev)
{
	struct ptun_peer *peers;

	peers = grow(dev->peers, dev->nr_peers, &dev->max_peers,
		     sizeof(*peers));
	if (!peers)
		return NULL;
	dev->peers = peers;
	memset(&peers[dev->nr_peers], 0, sizeof(*peers));
	return &peers[dev->nr_peers++];
}

struct ptun_allowedip *ptun_peer_add_allowedip(struct ptun_peer *peer)
{
	struct ptun_allowedip *ips;

	ips = grow(peer->allowedips, peer->nr_allowedips,
		   &peer->max_allowedips, sizeof(*ips));
	if (!ips)
		return NULL;
	peer->allowedips = ips;
	memset(&ips[peer->nr_allowedips], 0, sizeof(*ips));
	return &ips[peer->nr_allowedips++];
}

void ptun_device_wipe(struct ptun_device *dev)
{
	size_t i;

	for (i = 0; i < dev->nr_peers; i++)
		free(dev->peers[i].allowedips);
	if (dev->peers)
		sodium_memzero(dev->peers, dev->nr_peers * sizeof(*dev->peers));
	free(dev->peers);
	sodium_memzero(dev, sizeof(*dev));
}
