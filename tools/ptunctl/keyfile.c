// SPDX-License-Identifier: GPL-2.0
/*
 * A key file holds one base64 key, optionally surrounded by whitespace.  It is
 * read with read(2) into buffers that are wiped afterwards, so no copy of the
 * key stays behind in stdio.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "encoding.h"
#include "keyfile.h"

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/*
 * Collects the first word, so a key file may end with a newline or be
 * indented; anything after that word makes it invalid.  Only the
 * whitespace test and the word's length depend on the content, never
 * the base64 value, which key_from_base64() decodes in constant time.
 */
enum key_read_status key_read_fd(int fd, uint8_t key[static PTUN_KEY_LEN])
{
	unsigned char chunk[256], word[KEY_BASE64_LEN + 1];
	enum key_read_status status = KEY_READ_OK;
	size_t word_len = 0, total = 0;
	bool word_done = false;
	int saved_errno = 0;
	ssize_t n, i;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved_errno = errno;
			status = KEY_READ_ERRNO;
			goto out;
		}
		if (!n)
			break;
		total += n;
		for (i = 0; i < n; i++) {
			if (is_space(chunk[i])) {
				word_done = word_len > 0;
				continue;
			}
			if (word_done) {
				status = KEY_READ_TRAILING;
				goto out;
			}
			/*
			 * Too long already: no need to read on, which
			 * also ends endless input such as /dev/zero.
			 */
			if (word_len == KEY_BASE64_LEN) {
				status = KEY_READ_LENGTH;
				goto out;
			}
			word[word_len++] = chunk[i];
		}
	}

	if (!total)
		status = KEY_READ_EMPTY;
	else if (word_len != KEY_BASE64_LEN)
		status = KEY_READ_LENGTH;
	else if (!key_from_base64(key, (const char *)word, word_len))
		status = KEY_READ_FORMAT;
out:
	sodium_memzero(chunk, sizeof(chunk));
	sodium_memzero(word, sizeof(word));
	if (status == KEY_READ_ERRNO)
		errno = saved_errno;
	return status;
}

const char *key_read_strerror(enum key_read_status status)
{
	switch (status) {
	case KEY_READ_OK:
		return "key is valid";
	case KEY_READ_EMPTY:
		return "no key (empty input)";
	case KEY_READ_ERRNO:
		return strerror(errno);
	case KEY_READ_LENGTH:
		return "key is not 44 base64 characters long";
	case KEY_READ_TRAILING:
		return "unexpected content after the key";
	case KEY_READ_FORMAT:
		return "key is not in canonical base64 form";
	}
	return "unknown key error";
}
