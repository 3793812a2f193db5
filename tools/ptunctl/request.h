/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A subcommand's requests to the kernel, each failure said in one line as
 * "<cmd> <ifname>: <why>", or "<cmd>: <why>" for no device (NULL).
 */
#ifndef PTUNCTL_REQUEST_H
#define PTUNCTL_REQUEST_H

#include "device.h"
#include "ipc.h"

/* ipc_open(); 0 or -1, said why. */
int request_open(struct ipc *ipc, const char *cmd, const char *ifname);
/* Says why the last ipc_*() call failed. */
void request_failed(const char *cmd, const char *ifname);

/* One connection for one ipc_get_device() or ipc_set_device(): 0 or -1. */
int request_get_device(const char *cmd, const char *ifname,
		       struct ptun_device *dev);
int request_set_device(const char *cmd, const struct ptun_device *dev);

#endif /* PTUNCTL_REQUEST_H */
