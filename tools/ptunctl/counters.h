/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's drop and handshake counters: their names, their lines in the
 * full view of `show' (non-zero ones only, with a sentence on why a peer has
 * no session yet) and their columns in `show ... dump' with --counters.
 */
#ifndef PTUNCTL_COUNTERS_H
#define PTUNCTL_COUNTERS_H

#include "device.h"
#include "json.h"

/* Lines of the full view, after the device's and after a peer's. */
void counters_pretty_device(const struct ptun_device *dev);
void counters_pretty_peer(const struct ptun_peer *peer);

/*
 * A tab, then every counter as name=value, comma-separated: the device's
 * drops; a peer's drops, a tab, its handshakes.
 */
void counters_dump_device(const struct ptun_device *dev);
void counters_dump_peer(const struct ptun_peer *peer);

/*
 * In --json, objects of every counter by name ('_' for the spec's '-'):
 * "drops" of the device; "drops" and "handshakes" of a peer.
 */
void counters_json_device(struct json *json, const struct ptun_device *dev);
void counters_json_peer(struct json *json, const struct ptun_peer *peer);

#endif /* PTUNCTL_COUNTERS_H */
