// SPDX-License-Identifier: GPL-2.0
/*
 * set: change a device's configuration.  Every argument is checked before
 * the one request goes out, so an error leaves the device as it was.
 */
#include "device.h"
#include "ipc.h"
#include "parse.h"
#include "subcommands.h"
#include "terminal.h"

static int set_run(const struct subcommand *cmd, int argc, const char *argv[])
{
	struct ptun_device dev;
	struct ipc ipc;
	int ret = 1;

	if (argc < 3) {
		subcommand_usage_error(cmd);
		return 1;
	}
	if (parse_set_args(argc - 1, argv + 1, &dev) < 0)
		goto out;
	if (ipc_open(&ipc) < 0) {
		ptun_err("set %s: %s", dev.name, ipc_strerror());
		goto out;
	}
	if (ipc_set_device(&ipc, &dev) < 0)
		ptun_err("set %s: %s", dev.name, ipc_strerror());
	else
		ret = 0;
	ipc_close(&ipc);
out:
	ptun_device_wipe(&dev);
	return ret;
}

const struct subcommand set_command = {
	.name = "set",
	.run = set_run,
	.summary = "Change the current configuration of an interface",
	.usage = "set <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>]",
	.details =
		"  listen-port <port>        UDP port, decimal 0-65535; 0 lets the kernel pick\n"
		"  fwmark <mark>             mark for outgoing packets, decimal or 0x hex, or off\n"
		"  private-key <file path>   file holding a base64 private key; an empty file,\n"
		"                            such as /dev/null, removes the key\n"
		"All arguments are checked before the interface is changed.\n",
};
