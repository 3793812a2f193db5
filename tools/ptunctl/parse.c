// SPDX-License-Identifier: GPL-2.0
/*
 * Single command line values, checked completely before anything is sent, so
 * a mistyped argument never leaves a device half configured.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "encoding.h"
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
int parse_number(const char *s, unsigned int base, uint32_t max, uint32_t *out)
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

/* As wg(8): "off" or decimal seconds; wg's range, 0 (off) to 65535. */
int parse_keepalive(const char *arg, uint16_t *seconds)
{
	uint32_t val = 0;

	if (strcasecmp(arg, "off") &&
	    parse_number(arg, 10, UINT16_MAX, &val) < 0) {
		ptun_err("persistent-keepalive `%s' is neither off nor 0-65535 seconds",
			 arg);
		return -1;
	}
	*seconds = (uint16_t)val;
	return 0;
}

int parse_public_key(const char *arg, uint8_t key[static PTUN_KEY_LEN])
{
	if (!key_from_base64(key, arg, strlen(arg))) {
		ptun_err("peer `%s' is not a base64 public key", arg);
		return -1;
	}
	return 0;
}

/*
 * An empty file, such as /dev/null, yields the all-zero key, which tells the
 * kernel to clear the key.  keyword names the argument in messages.
 */
int parse_key_file(const char *keyword, const char *path,
		   uint8_t key[static PTUN_KEY_LEN])
{
	enum key_read_status status;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ptun_err("%s `%s': %s", keyword, path, strerror(errno));
		return -1;
	}
	status = key_read_fd(fd, key);
	switch (status) {
	case KEY_READ_OK:
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
		    st.st_mode & (S_IRGRP | S_IROTH))
			ptun_warn("%s `%s' is readable by group or others; consider chmod 600",
				  keyword, path);
		break;
	case KEY_READ_EMPTY:
		sodium_memzero(key, PTUN_KEY_LEN);
		break;
	default:
		ptun_err("%s `%s': %s", keyword, path,
			 key_read_strerror(status));
		break;
	}
	close(fd);
	return status == KEY_READ_OK || status == KEY_READ_EMPTY ? 0 : -1;
}
