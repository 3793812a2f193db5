/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading one base64 key from a file or standard input.
 */
#ifndef PTUNCTL_KEYFILE_H
#define PTUNCTL_KEYFILE_H

#include <stdint.h>

#include <linux/ptun.h>

enum key_read_status {
	KEY_READ_OK,
	KEY_READ_EMPTY,		/* no byte at all, as /dev/null */
	KEY_READ_ERRNO,		/* read(2) failed; errno says why */
	KEY_READ_LENGTH,	/* not exactly one 44-character word */
	KEY_READ_TRAILING,	/* something after the key */
	KEY_READ_FORMAT,	/* not a canonical base64 key */
};

enum key_read_status key_read_fd(int fd, uint8_t key[static PTUN_KEY_LEN]);
const char *key_read_strerror(enum key_read_status status);

#endif /* PTUNCTL_KEYFILE_H */
