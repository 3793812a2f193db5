/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single command line values: interface names, numbers, keys and key files.
 * Errors are reported on stderr, one line naming the value; nothing here
 * talks to the kernel.
 */
#ifndef PTUNCTL_PARSE_H
#define PTUNCTL_PARSE_H

#include <net/if.h>
#include <stdint.h>

#include <linux/ptun.h>

/* Digits only, base 10 or 16, at most max; silent, for other parsers. */
int parse_number(const char *s, unsigned int base, uint32_t max,
		 uint32_t *out);

int parse_ifname(const char *arg, char name[static IFNAMSIZ]);
int parse_port(const char *arg, uint16_t *port);
int parse_fwmark(const char *arg, uint32_t *fwmark);
int parse_keepalive(const char *arg, uint16_t *seconds);
int parse_public_key(const char *arg, uint8_t key[static PTUN_KEY_LEN]);
int parse_key_file(const char *keyword, const char *path,
		   uint8_t key[static PTUN_KEY_LEN]);

#endif /* PTUNCTL_PARSE_H */
