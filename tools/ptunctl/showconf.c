// SPDX-License-Identifier: GPL-2.0
/*
 * showconf: a device's configuration as a file setconf (ours or wg(8)'s)
 * takes back.
 */
#include <stdbool.h>
#include <string.h>

#include "conffile.h"
#include "device.h"
#include "jsonview.h"
#include "parse.h"
#include "request.h"
#include "subcommands.h"
#include "terminal.h"

static int showconf_run(const struct subcommand *cmd, int argc,
			const char *argv[])
{
	const char *ifname = argc == 3 && !strcmp(argv[1], "--json") ?
			     argv[2] : argv[1];
	bool json = argc == 3 && (ifname == argv[2] ||
				  !strcmp(argv[2], "--json"));
	struct ptun_device dev;
	struct json out;
	char name[IFNAMSIZ];

	if (argc != 2 && !json) {
		subcommand_usage_error(cmd);
		return 1;
	}
	if (parse_ifname(ifname, name) < 0 ||
	    request_get_device("showconf", name, &dev) < 0)
		return 1;
	if (json) {
		jsonview_begin(&out, stdout);
		jsonview_device(&out, &dev, false);
		jsonview_end(&out);
	} else {
		conffile_print(&dev);
	}
	ptun_device_wipe(&dev);
	return 0;
}

const struct subcommand showconf_command = {
	.name = "showconf",
	.run = showconf_run,
	.summary = "print an interface's configuration as a file that setconf reads back",
	.usage = "showconf <interface> [--json]",
	.details =
		"Prints the configuration in wg(8)'s file format, as `wg showconf' does:\n"
		"what `" PROG_NAME " setconf' and `wg setconf' read. It holds the private key.\n"
		"--json prints the same configuration as JSON: the document of `show --json'\n"
		"without its run-time members (ifindex, latest_handshake, rx_bytes, tx_bytes).\n",
};
