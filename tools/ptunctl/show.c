// SPDX-License-Identifier: GPL-2.0
/*
 * show: a device's configuration, for people (the full view, coloured on a
 * terminal) or for scripts (one field, or `dump'), in wg(8)'s formats.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "device.h"
#include "encoding.h"
#include "ipc.h"
#include "parse.h"
#include "subcommands.h"
#include "terminal.h"

enum show_field {
	SHOW_PRETTY,
	SHOW_PUBLIC_KEY,
	SHOW_PRIVATE_KEY,
	SHOW_LISTEN_PORT,
	SHOW_FWMARK,
	SHOW_DUMP,
};

static const char *const show_field_names[] = {
	[SHOW_PUBLIC_KEY] = "public-key",
	[SHOW_PRIVATE_KEY] = "private-key",
	[SHOW_LISTEN_PORT] = "listen-port",
	[SHOW_FWMARK] = "fwmark",
	[SHOW_DUMP] = "dump",
};

static int show_parse_field(const char *arg, enum show_field *field)
{
	unsigned int i;

	for (i = SHOW_PUBLIC_KEY; i <= SHOW_DUMP; i++) {
		if (!strcmp(arg, show_field_names[i])) {
			*field = i;
			return 0;
		}
	}
	ptun_err("show: unknown field `%s' (see `" PROG_NAME " help show')",
		 arg);
	return -1;
}

static const char *key_text(char buf[static KEY_BASE64_LEN + 1],
			    const uint8_t key[static PTUN_KEY_LEN], bool have)
{
	if (!have)
		return "(none)";
	key_to_base64(buf, key);
	return buf;
}

#define FWMARK_TEXT_SIZE sizeof("0xffffffff")

static const char *fwmark_text(char buf[static FWMARK_TEXT_SIZE],
			       uint32_t fwmark)
{
	if (!fwmark)
		return "off";
	snprintf(buf, FWMARK_TEXT_SIZE, "0x%x", fwmark);
	return buf;
}

/* Like wg(8)'s WG_HIDE_KEYS: private keys stay hidden unless asked for. */
static bool show_private_keys(void)
{
	const char *var = getenv("PTUN_HIDE_KEYS");

	return var && !strcmp(var, "never");
}

static void print_pretty(const struct ptun_device *dev)
{
	char key[KEY_BASE64_LEN + 1];

	terminal_printf(TERMINAL_RESET);
	terminal_printf(TERMINAL_FG_GREEN TERMINAL_BOLD "interface" TERMINAL_RESET
			": " TERMINAL_FG_GREEN "%s" TERMINAL_RESET "\n", dev->name);
	if (dev->flags & PTUN_DEVICE_HAS_PUBLIC_KEY)
		terminal_printf("  " TERMINAL_BOLD "public key" TERMINAL_RESET ": %s\n",
				key_text(key, dev->public_key, true));
	if (dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY)
		terminal_printf("  " TERMINAL_BOLD "private key" TERMINAL_RESET ": %s\n",
				show_private_keys() ?
				key_text(key, dev->private_key, true) : "(hidden)");
	if (dev->listen_port)
		terminal_printf("  " TERMINAL_BOLD "listening port" TERMINAL_RESET ": %u\n",
				dev->listen_port);
	if (dev->fwmark)
		terminal_printf("  " TERMINAL_BOLD "fwmark" TERMINAL_RESET ": 0x%x\n",
				dev->fwmark);
	sodium_memzero(key, sizeof(key));
}

/* Under `all', each line starts with the interface name and a tab. */
static void print_device(const struct ptun_device *dev, enum show_field field,
			 bool with_name)
{
	char priv[KEY_BASE64_LEN + 1], pub[KEY_BASE64_LEN + 1];
	char mark[FWMARK_TEXT_SIZE];
	bool has_priv = dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY;
	bool has_pub = dev->flags & PTUN_DEVICE_HAS_PUBLIC_KEY;

	if (with_name && field != SHOW_PRETTY)
		printf("%s\t", dev->name);
	switch (field) {
	case SHOW_PRETTY:
		print_pretty(dev);
		break;
	case SHOW_PUBLIC_KEY:
		printf("%s\n", key_text(pub, dev->public_key, has_pub));
		break;
	case SHOW_PRIVATE_KEY:
		printf("%s\n", key_text(priv, dev->private_key, has_priv));
		break;
	case SHOW_LISTEN_PORT:
		printf("%u\n", dev->listen_port);
		break;
	case SHOW_FWMARK:
		printf("%s\n", fwmark_text(mark, dev->fwmark));
		break;
	case SHOW_DUMP:
		printf("%s\t%s\t%u\t%s\n",
		       key_text(priv, dev->private_key, has_priv),
		       key_text(pub, dev->public_key, has_pub),
		       dev->listen_port, fwmark_text(mark, dev->fwmark));
		break;
	}
	sodium_memzero(priv, sizeof(priv));
}

static int show_one(const char *arg, enum show_field field)
{
	struct ptun_device dev;
	char name[IFNAMSIZ];
	struct ipc ipc;

	if (parse_ifname(arg, name) < 0)
		return 1;
	if (ipc_open(&ipc) < 0) {
		ptun_err("show %s: %s", name, ipc_strerror());
		return 1;
	}
	if (ipc_get_device(&ipc, name, &dev) < 0) {
		ptun_err("show %s: %s", name, ipc_strerror());
		ipc_close(&ipc);
		return 1;
	}
	print_device(&dev, field, false);
	ptun_device_wipe(&dev);
	ipc_close(&ipc);
	return 0;
}

/*
 * As wg(8): a device that cannot be read is reported and skipped, and the
 * exit status is a failure only when no device at all could be shown.
 */
static int show_all(enum show_field field)
{
	struct ptun_device dev;
	struct ipc_link *links;
	struct ipc ipc;
	size_t count, i;
	int ret;

	if (ipc_list_devices(&links, &count) < 0) {
		ptun_err("show: cannot list interfaces: %s", ipc_strerror());
		return 1;
	}
	if (!count) {
		free(links);
		return 0;
	}
	if (ipc_open(&ipc) < 0) {
		ptun_err("show: %s", ipc_strerror());
		free(links);
		return 1;
	}
	ret = 1;
	for (i = 0; i < count; i++) {
		if (ipc_get_device(&ipc, links[i].name, &dev) < 0) {
			ptun_err("show %s: %s", links[i].name, ipc_strerror());
			continue;
		}
		print_device(&dev, field, true);
		if (field == SHOW_PRETTY && i + 1 < count)
			putchar('\n');
		ptun_device_wipe(&dev);
		ret = 0;
	}
	ipc_close(&ipc);
	free(links);
	return ret;
}

static int show_interfaces(void)
{
	struct ipc_link *links;
	size_t count, i;

	if (ipc_list_devices(&links, &count) < 0) {
		ptun_err("show: cannot list interfaces: %s", ipc_strerror());
		return 1;
	}
	for (i = 0; i < count; i++)
		printf("%s%c", links[i].name, i + 1 < count ? ' ' : '\n');
	free(links);
	return 0;
}

static int show_run(const struct subcommand *cmd, int argc, const char *argv[])
{
	enum show_field field = SHOW_PRETTY;

	if (argc > 3) {
		subcommand_usage_error(cmd);
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "interfaces")) {
		if (argc > 2) {
			subcommand_usage_error(cmd);
			return 1;
		}
		return show_interfaces();
	}
	if (argc == 3 && show_parse_field(argv[2], &field) < 0)
		return 1;
	if (argc == 1 || !strcmp(argv[1], "all"))
		return show_all(field);
	return show_one(argv[1], field);
}

const struct subcommand show_command = {
	.name = "show",
	.run = show_run,
	.summary = "Shows the current configuration and device information",
	.usage = "show { <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | dump]",
	.details =
		"Without arguments, or with `all', shows every ptun interface; `interfaces'\n"
		"lists their names on one line. A field prints just that value, after the\n"
		"interface name and a tab when showing `all'. `dump' prints one line per\n"
		"interface: private-key, public-key, listen-port and fwmark, tab-separated.\n"
		"Unset keys print as (none), a zero fwmark as off.\n"
		"\n"
		"Environment:\n"
		"  PTUN_COLOR_MODE=always|never|auto  colours (auto: when stdout is a terminal)\n"
		"  PTUN_HIDE_KEYS=never               show the private key in the full view\n",
};
