// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for tools/ptunctl/ipc.c: canned devices instead of a kernel,
 * and a log of what was asked of it, so show and set can be run whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int ipc_get_device(struct ipc *ipc, const char *ifname,
		   struct ptun_device *dev)
{
	size_t i;

	fprintf(fake_ipc.log, "get %s\n", ifname);
	if (ipc->family != 42)
		return fail("not opened");
	for (i = 0; i < fake_ipc.nr_devices; i++) {
		if (!strcmp(fake_ipc.devices[i].name, ifname)) {
			*dev = fake_ipc.devices[i];
			return 0;
		}
	}
	return fail("no device of that name (No such device)");
}

int ipc_set_device(struct ipc *ipc, const struct ptun_device *dev)
{
	char key[KEY_BASE64_LEN + 1] = "-";

	if (dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY)
		key_to_base64(key, dev->private_key);
	fprintf(fake_ipc.log, "set %s flags 0x%x port %u fwmark 0x%x key %s\n",
		dev->name, dev->flags, dev->listen_port, dev->fwmark, key);
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
