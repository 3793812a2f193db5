// SPDX-License-Identifier: GPL-2.0
/*
 * Reading one key from a file descriptor: whitespace around it is fine,
 * anything else is an error of its own kind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encoding.h"
#include "keyfile.h"
#include "tap.h"

#define KEY	"sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo="

static uint8_t want[PTUN_KEY_LEN];

static enum key_read_status read_content(const char *content, size_t len,
					 uint8_t key[PTUN_KEY_LEN])
{
	enum key_read_status status;
	FILE *file = tmpfile();

	if (!file || fwrite(content, 1, len, file) != len || fflush(file) ||
	    lseek(fileno(file), 0, SEEK_SET) < 0) {
		perror("tmpfile");
		exit(EXIT_FAILURE);
	}
	status = key_read_fd(fileno(file), key);
	fclose(file);
	return status;
}

static void check(const char *content, size_t len,
		  enum key_read_status expect, const char *what)
{
	uint8_t key[PTUN_KEY_LEN];
	enum key_read_status status;

	memset(key, 0, sizeof(key));
	status = read_content(content, len, key);
	if (!tap_ok(status == expect &&
		    (expect != KEY_READ_OK || !memcmp(key, want, sizeof(key))),
		    "%s: %s", what, key_read_strerror(expect)))
		tap_diag("got status %d (%s), want %d", status,
			 key_read_strerror(status), expect);
}

#define CHECK(content, expect, what) \
	check(content, sizeof(content) - 1, expect, what)

static void test_accepted(void)
{
	CHECK(KEY, KEY_READ_OK, "bare key");
	CHECK(KEY "\n", KEY_READ_OK, "key and newline");
	CHECK(KEY "\r\n", KEY_READ_OK, "key and CRLF");
	CHECK(" \t\n" KEY " \n\n\v\f", KEY_READ_OK,
	      "key surrounded by whitespace");
}

static void test_rejected(void)
{
	CHECK("", KEY_READ_EMPTY, "empty input");
	CHECK("\n", KEY_READ_LENGTH, "a lone newline");
	CHECK("   \t  ", KEY_READ_LENGTH, "only blanks");
	CHECK("sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeE=", KEY_READ_LENGTH,
	      "43 characters");
	CHECK(KEY "A", KEY_READ_LENGTH, "45 characters");
	CHECK(KEY KEY, KEY_READ_LENGTH, "two keys without a space");
	CHECK(KEY " " KEY, KEY_READ_TRAILING, "two keys on one line");
	CHECK(KEY "\nx", KEY_READ_TRAILING, "a second line");
	CHECK(KEY "\n\0", KEY_READ_TRAILING, "a NUL after the key");
	CHECK("sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEO eEo=",
	      KEY_READ_TRAILING, "space inside the key");
	CHECK("sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEO!eEo", KEY_READ_FORMAT,
	      "non-base64 character");
	CHECK("sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEoA", KEY_READ_FORMAT,
	      "no '=' at the end");
	CHECK("sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEp=", KEY_READ_FORMAT,
	      "non-canonical last character");
	CHECK("sIYIWy5Yp1FcVuMYc2Pj5H-_2sIQQVqhWvehOwEOeEo=", KEY_READ_FORMAT,
	      "URL-safe alphabet");
}

/* The reader works in chunks; a key must survive any split between them. */
static void test_long_inputs(void)
{
	size_t pad, len, wrong = 0;
	uint8_t key[PTUN_KEY_LEN];
	char *buf;

	buf = malloc(200000);
	if (!buf)
		abort();
	for (pad = 0; pad <= 1100; pad++) {
		memset(buf, pad % 2 ? ' ' : '\n', pad);
		memcpy(buf + pad, KEY "\n", sizeof(KEY));
		memset(key, 0, sizeof(key));
		if (read_content(buf, pad + sizeof(KEY), key) != KEY_READ_OK ||
		    memcmp(key, want, sizeof(key)))
			wrong++;
	}
	if (!tap_ok(!wrong, "key after 0 to 1100 blanks is read, whatever the chunk split"))
		tap_diag("%zu failed", wrong);

	memcpy(buf, KEY, strlen(KEY));
	memset(buf + strlen(KEY), ' ', 150000);
	len = strlen(KEY) + 150000;
	check(buf, len, KEY_READ_OK, "key followed by 150000 spaces");
	buf[len - 1] = 'x';
	check(buf, len, KEY_READ_TRAILING,
	      "key, 150000 spaces and one character");
	memset(buf, 'A', 150000);
	check(buf, 150000, KEY_READ_LENGTH, "150000 letters");
	free(buf);
}

static void test_errors(void)
{
	uint8_t key[PTUN_KEY_LEN];
	int fd;

	errno = 0;
	tap_ok(key_read_fd(-1, key) == KEY_READ_ERRNO && errno == EBADF,
	       "a bad file descriptor reports errno EBADF");

	fd = open(".", O_RDONLY | O_DIRECTORY);
	errno = 0;
	tap_ok(fd >= 0 && key_read_fd(fd, key) == KEY_READ_ERRNO &&
	       errno == EISDIR, "a directory reports errno EISDIR");
	if (fd >= 0)
		close(fd);
}

static void test_strerror(void)
{
	enum key_read_status a, b;
	bool distinct = true;

	for (a = KEY_READ_EMPTY; a <= KEY_READ_FORMAT; a++) {
		for (b = KEY_READ_EMPTY; b < a; b++) {
			errno = EIO;
			if (!strcmp(key_read_strerror(a), key_read_strerror(b)))
				distinct = false;
		}
	}
	tap_ok(distinct, "every failure has its own message");
	errno = ENOENT;
	tap_ok(!strcmp(key_read_strerror(KEY_READ_ERRNO), strerror(ENOENT)),
	       "a read failure is explained by errno");
}

int main(void)
{
	if (!key_from_base64(want, KEY, strlen(KEY)))
		abort();
	test_accepted();
	test_rejected();
	test_long_inputs();
	test_errors();
	test_strerror();
	return tap_exit_status();
}
