// SPDX-License-Identifier: GPL-2.0
/*
 * showconf: a device's configuration as a file setconf (ours or wg(8)'s)
 * takes back.
 */
#include "conffile.h"
#include "device.h"
#include "ipc.h"
#include "parse.h"
#include "subcommands.h"
#include "terminal.h"

static int showconf_run(const struct subcommand *cmd, int argc,
			const char *argv[])
{
	struct ptun_device dev;
	char name[IFNAMSIZ];
	struct ipc ipc;

	if (argc != 2) {
		subcommand_usage_error(cmd);
		return 1;
	}
	if (parse_ifname(argv[1], name) < 0)
		return 1;
	if (ipc_open(&ipc) < 0) {
		ptun_err("showconf %s: %s", name, ipc_strerror());
		return 1;
	}
	if (ipc_get_device(&ipc, name, &dev) < 0) {
		ptun_err("showconf %s: %s", name, ipc_strerror());
		ipc_close(&ipc);
		return 1;
	}
	ipc_close(&ipc);
	conffile_print(&dev);
	ptun_device_wipe(&dev);
	return 0;
}

const struct subcommand showconf_command = {
	.name = "showconf",
	.run = showconf_run,
	.summary = "Shows the current configuration of a given interface, for use with `setconf'",
	.usage = "showconf <interface>",
	.details =
		"Prints the configuration in wg(8)'s file format, as `wg showconf' does:\n"
		"what `" PROG_NAME " setconf' and `wg setconf' read. It holds the private key.\n",
};
