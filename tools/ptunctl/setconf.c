// SPDX-License-Identifier: GPL-2.0
/*
 * setconf and addconf: apply a configuration file, in wg(8)'s format, to a
 * device.  The whole file is read and checked, and its endpoints resolved,
 * before the first request goes out.
 */
#include <string.h>

#include "conffile.h"
#include "device.h"
#include "parse.h"
#include "request.h"
#include "subcommands.h"
#include "terminal.h"

static int apply_file(const struct subcommand *cmd, int argc,
		      const char *argv[], enum conffile_mode mode)
{
	struct ptun_device dev;
	int ret = 1;

	if (argc != 3) {
		subcommand_usage_error(cmd);
		return 1;
	}
	memset(&dev, 0, sizeof(dev));
	if (parse_ifname(argv[1], dev.name) == 0 &&
	    conffile_read(argv[2], mode, &dev) == 0 &&
	    request_set_device(cmd->name, &dev) == 0)
		ret = 0;
	ptun_device_wipe(&dev);
	return ret;
}

static int setconf_run(const struct subcommand *cmd, int argc,
		       const char *argv[])
{
	return apply_file(cmd, argc, argv, CONFFILE_SET);
}

static int addconf_run(const struct subcommand *cmd, int argc,
		       const char *argv[])
{
	return apply_file(cmd, argc, argv, CONFFILE_ADD);
}

#define CONF_FORMAT_HELP \
	"The file is in wg(8)'s format, as `" PROG_NAME " showconf' and `wg showconf'\n" \
	"write it:\n" \
	"  [Interface]   PrivateKey = <base64>, ListenPort = <0-65535>,\n" \
	"                FwMark = <number, 0x hex, or off>\n" \
	"  [Peer]        PublicKey = <base64>, PresharedKey = <base64>,\n" \
	"                AllowedIPs = <address/prefix>[, ...] (lines add up),\n" \
	"                Endpoint = <host>:<port> ([IPv6]:port; names resolved now),\n" \
	"                PersistentKeepalive = <0-65535 seconds, or off>\n" \
	"Sections and keys in any case; `#' starts a comment; a repeated key: the\n" \
	"last wins. Every error names the file and line. Stricter than wg(8): the\n" \
	"same peer twice, or the same allowed IP under two peers, is refused;\n" \
	"host bits past a prefix are cleared, with a warning; wg-quick(8) keys\n" \
	"(Address, DNS, MTU, Table, SaveConfig, Pre/PostUp/Down) are refused by\n" \
	"name (`ptun-quick strip' removes them); a file holding keys that others\n" \
	"can read earns a warning.\n"

const struct subcommand setconf_command = {
	.name = "setconf",
	.run = setconf_run,
	.summary = "make a file the whole configuration of an interface",
	.usage = "setconf <interface> <configuration filename>",
	.details =
		"The file becomes the whole configuration: settings it leaves out are\n"
		"cleared (no private key, fwmark off, a random port), peers it leaves out\n"
		"are removed, and the peers it names are created anew (they handshake\n"
		"again; `syncconf' keeps the sessions of peers that did not change).\n"
		"\n" CONF_FORMAT_HELP,
};

const struct subcommand addconf_command = {
	.name = "addconf",
	.run = addconf_run,
	.summary = "add the settings and peers a file names to an interface",
	.usage = "addconf <interface> <configuration filename>",
	.details =
		"Only what the file names changes: other settings and peers stay, a\n"
		"peer's AllowedIPs, when given, replace that peer's.\n"
		"\n" CONF_FORMAT_HELP,
};
