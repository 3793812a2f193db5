// SPDX-License-Identifier: GPL-2.0
#include "request.h"
#include "terminal.h"

void request_failed(const char *cmd, const char *ifname)
{
	if (ifname)
		ptun_err("%s %s: %s", cmd, ifname, ipc_strerror());
	else
		ptun_err("%s: %s", cmd, ipc_strerror());
}

int request_open(struct ipc *ipc, const char *cmd, const char *ifname)
{
	if (ipc_open(ipc) < 0) {
		request_failed(cmd, ifname);
		return -1;
	}
	return 0;
}

int request_get_device(const char *cmd, const char *ifname,
		       struct ptun_device *dev)
{
	struct ipc ipc;
	int ret;

	if (request_open(&ipc, cmd, ifname) < 0)
		return -1;
	ret = ipc_get_device(&ipc, ifname, dev);
	if (ret < 0)
		request_failed(cmd, ifname);
	ipc_close(&ipc);
	return ret < 0 ? -1 : 0;
}

int request_set_device(const char *cmd, const struct ptun_device *dev)
{
	struct ipc ipc;
	int ret;

	if (request_open(&ipc, cmd, dev->name) < 0)
		return -1;
	ret = ipc_set_device(&ipc, dev);
	if (ret < 0)
		request_failed(cmd, dev->name);
	ipc_close(&ipc);
	return ret < 0 ? -1 : 0;
}
