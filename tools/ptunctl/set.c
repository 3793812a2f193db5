// SPDX-License-Identifier: GPL-2.0
/*
 * set: change a device's configuration and its peers.  Every argument is
 * checked, and every endpoint resolved, before the first request goes out,
 * so a mistake leaves the device as it was.
 */
#include "config.h"
#include "device.h"
#include "request.h"
#include "subcommands.h"

static int set_run(const struct subcommand *cmd, int argc, const char *argv[])
{
	struct ptun_device dev;
	int ret = 1;

	if (argc < 3) {
		subcommand_usage_error(cmd);
		return 1;
	}
	if (config_parse_set_args(argc - 1, argv + 1, &dev) == 0 &&
	    request_set_device(cmd->name, &dev) == 0)
		ret = 0;
	ptun_device_wipe(&dev);
	return ret;
}

const struct subcommand set_command = {
	.name = "set",
	.run = set_run,
	.summary = "change an interface's settings and peers from the command line",
	.usage = "set <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips [+|-]<ip1>/<cidr1>[,[+|-]<ip2>/<cidr2>]...] ]...",
	.details =
		"Interface settings come before the first peer:\n"
		"  listen-port <port>        UDP port, decimal 0-65535; 0 lets the kernel pick\n"
		"  fwmark <mark>             mark for outgoing packets, decimal or 0x hex, or off\n"
		"  private-key <file path>   file holding a base64 private key; an empty file,\n"
		"                            such as /dev/null, removes the key\n"
		"Each `peer <base64 public key>' adds that peer, or changes it if it exists,\n"
		"with the settings that follow it:\n"
		"  remove                    remove the peer instead\n"
		"  preshared-key <file path> file holding a base64 preshared key; an empty\n"
		"                            file, such as /dev/null, removes it\n"
		"  endpoint <host>:<port>    a.b.c.d:port, [IPv6 address]:port (a scope as in\n"
		"                            [fe80::1%eth0]:port) or name:port, resolved now\n"
		"  persistent-keepalive <s>  seconds between keepalives, 0-65535, or off\n"
		"  allowed-ips <list>        comma-separated address[/prefix] items (no prefix:\n"
		"                            the whole address). Without + or -, the list\n"
		"                            replaces the peer's allowed IPs, and \"\" removes\n"
		"                            them all; with an item written +address/prefix\n"
		"                            (add) or -address/prefix (remove), the list\n"
		"                            changes them instead. Host bits past the prefix\n"
		"                            are cleared, with a warning.\n"
		"All arguments are checked before the interface is changed. A large change\n"
		"goes to the kernel in several requests, applied in turn.\n"
		"\n"
		"Environment:\n"
		"  PTUN_ENDPOINT_RESOLUTION_RETRIES=<n>|infinity  how often to retry a name\n"
		"                            that cannot be resolved yet (default 15)\n",
};
