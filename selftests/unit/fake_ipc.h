/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SELFTESTS_UNIT_FAKE_IPC_H
#define SELFTESTS_UNIT_FAKE_IPC_H

#include <stdbool.h>
#include <stdio.h>

#include "ipc.h"

/* What the fake kernel holds and how it misbehaves. */
struct fake_ipc {
	/* what ipc_get_device() finds */
	const struct ptun_device *devices;
	size_t nr_devices;
	/* what ipc_list_devices() lists */
	const struct ipc_link *links;
	size_t nr_links;
	/* ipc_open() fails as if the module were missing */
	bool no_module;
	/* when set, ipc_set_device() fails with this explanation */
	const char *set_error;
	/* one line per call */
	FILE *log;
};

extern struct fake_ipc fake_ipc;

#endif /* SELFTESTS_UNIT_FAKE_IPC_H */
