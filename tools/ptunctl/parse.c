// SPDX-License-Identifier: GPL-2.0
/*
 * Command line values, checked completely before anything is sent, so a
 * mistyped argument never leaves a device half configured.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keyfile.h"
#include "parse.h"
#include "terminal.h"

int parse_ifname(const char *arg, char name[static IFNAMSIZ])
{
	size_t len = strlen(arg);

	if (!len || len >= IFNAMSIZ) {
		ptun_err("invalid interface name `%s' (1 to %d characters)",
			 arg, IFNAMSIZ - 1);
		return -1;
	}
	memcpy(name, arg, len + 1);
	return 0;
}

/*
 * Digits only, in the given base (10 or 16): strtoul() would also take
 * leading space, a sign and, for the wrong base, a prefix of the argument.
 */
static int parse_number(const char *s, unsigned int base, uint32_t max,
			uint32_t *out)
{
	uint64_t val = 0;
	unsigned int digit;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			digit = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			digit = *s - 'A' + 10;
		else
			return -1;
		val = val * base + digit;
		if (val > max)
			return -1;
	}
	*out = (uint32_t)val;
	return 0;
}

/* Unlike wg(8), no service names: a port is a number. */
int parse_port(const char *arg, uint16_t *port)
{
	uint32_t val;

	if (parse_number(arg, 10, UINT16_MAX, &val) < 0) {
		ptun_err("listen-port `%s' is not a decimal port number 0-65535",
			 arg);
		return -1;
	}
	*port = (uint16_t)val;
	return 0;
}

/* As wg(8): "off", decimal, or hexadecimal after a lower-case "0x". */
int parse_fwmark(const char *arg, uint32_t *fwmark)
{
	int ret;

	if (!strcasecmp(arg, "off")) {
		*fwmark = 0;
		return 0;
	}
	if (!strncmp(arg, "0x", 2) && arg[2])
		ret = parse_number(arg + 2, 16, UINT32_MAX, fwmark);
	else
		ret = parse_number(arg, 10, UINT32_MAX, fwmark);
	if (ret < 0)
		ptun_err("fwmark `%s' is neither off nor a number 0-0xffffffff",
			 arg);
	return ret;
}

/*
 * An empty file, such as /dev/null, yields the all-zero key, which tells the
 * kernel to clear the private key.
 */
int parse_private_key_file(const char *path, uint8_t key[static PTUN_KEY_LEN])
{
	enum key_read_status status;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ptun_err("private-key `%s': %s", path, strerror(errno));
		return -1;
	}
	status = key_read_fd(fd, key);
	switch (status) {
	case KEY_READ_OK:
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
		    st.st_mode & (S_IRGRP | S_IROTH))
			ptun_warn("private-key `%s' is readable by group or others; consider chmod 600",
				  path);
		break;
	case KEY_READ_EMPTY:
		sodium_memzero(key, PTUN_KEY_LEN);
		break;
	default:
		ptun_err("private-key `%s': %s", path,
			 key_read_strerror(status));
		break;
	}
	close(fd);
	return status == KEY_READ_OK || status == KEY_READ_EMPTY ? 0 : -1;
}

/*
 * argv[0] is the interface, then keyword/value pairs.  A repeated keyword
 * overrides the earlier one, as in wg(8).  dev may hold a private key
 * afterwards, on failure too: the caller wipes it.
 */
int parse_set_args(int argc, const char *argv[], struct ptun_device *dev)
{
	const char *keyword, *value;
	int i, ret;

	memset(dev, 0, sizeof(*dev));
	if (parse_ifname(argv[0], dev->name) < 0)
		return -1;

	for (i = 1; i < argc; i += 2) {
		keyword = argv[i];
		value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(keyword, "listen-port") &&
		    strcmp(keyword, "fwmark") &&
		    strcmp(keyword, "private-key")) {
			ptun_err("unknown argument `%s' (expected listen-port, fwmark or private-key)",
				 keyword);
			return -1;
		}
		if (!value) {
			ptun_err("`%s' needs a value", keyword);
			return -1;
		}

		if (!strcmp(keyword, "listen-port")) {
			ret = parse_port(value, &dev->listen_port);
			dev->flags |= PTUN_DEVICE_HAS_LISTEN_PORT;
		} else if (!strcmp(keyword, "fwmark")) {
			ret = parse_fwmark(value, &dev->fwmark);
			dev->flags |= PTUN_DEVICE_HAS_FWMARK;
		} else {
			ret = parse_private_key_file(value, dev->private_key);
			dev->flags |= PTUN_DEVICE_HAS_PRIVATE_KEY;
		}
		if (ret < 0)
			return -1;
	}
	return 0;
}
