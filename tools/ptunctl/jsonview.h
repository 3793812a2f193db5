/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Devices as JSON, for `show --json' and `showconf --json'.  The schema is
 * tools/ptunctl/ptunctl-show.schema.json, described in ptunctl(8): change
 * both together, and only by adding members.
 */
#ifndef PTUNCTL_JSONVIEW_H
#define PTUNCTL_JSONVIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "device.h"
#include "json.h"

#define JSONVIEW_VERSION	1

/* {"version": 1, "interfaces": [ */
void jsonview_begin(struct json *json, FILE *out);
/*
 * One interface.  runtime adds what the kernel keeps beyond the
 * configuration: handshake times and byte counters.
 */
void jsonview_device(struct json *json, const struct ptun_device *dev,
		     bool runtime);
/* ]} */
void jsonview_end(struct json *json);

#endif /* PTUNCTL_JSONVIEW_H */
