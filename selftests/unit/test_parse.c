// SPDX-License-Identifier: GPL-2.0
/*
 * Single command line values of `ptunctl set': what is accepted, what it
 * becomes, and that every rejection is one line naming the culprit.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "encoding.h"
#include "parse.h"
#include "tap.h"

#define KEY	"sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo="

static char tmpdir[] = "/tmp/ptunctl-unit.XXXXXX";
static char errors[4096];

/* A rejection must be one "ptunctl: " line that names the bad value. */
static void check_error(const char *what, const char *culprit)
{
	if (!tap_ok(tap_is_one_line_error(errors) && strstr(errors, culprit),
		    "%s: the error is one line naming it", what))
		tap_diag("stderr: %s", errors);
}

static void test_ports(void)
{
	static const struct {
		const char *arg;
		uint16_t port;
	} good[] = {
		{ "0", 0 }, { "1", 1 }, { "51820", 51820 }, { "65535", 65535 },
		{ "00080", 80 },
	};
	static const char *const bad[] = {
		"", "65536", "70000", "-1", "+1", "12ab", " 1", "1 ", "0x10",
		"1e3", "99999999999999999999", "http",
	};
	struct tap_capture cap;
	char what[64];
	uint16_t port;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		port = 4242;
		tap_capture_begin(&cap);
		ret = parse_port(good[i].arg, &port);
		tap_capture_end(&cap, errors, sizeof(errors));
		if (!tap_ok(!ret && port == good[i].port && !errors[0],
			    "listen-port `%s' is %u", good[i].arg, good[i].port))
			tap_diag("ret %d port %u stderr %s", ret, port, errors);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		port = 4242;
		tap_capture_begin(&cap);
		ret = parse_port(bad[i], &port);
		tap_capture_end(&cap, errors, sizeof(errors));
		tap_ok(ret < 0 && port == 4242,
		       "listen-port `%s' is rejected, port untouched", bad[i]);
		snprintf(what, sizeof(what), "listen-port `%s'", bad[i]);
		if (bad[i][0])
			check_error(what, bad[i]);
	}
}

static void test_fwmarks(void)
{
	static const struct {
		const char *arg;
		uint32_t mark;
	} good[] = {
		{ "off", 0 }, { "OFF", 0 }, { "0", 0 }, { "1", 1 },
		{ "0x0", 0 }, { "0x1", 1 }, { "0x20", 32 }, { "010", 10 },
		{ "0xffffffff", 0xffffffff }, { "0xDEADbeef", 0xdeadbeef },
		{ "4294967295", 4294967295U },
	};
	static const char *const bad[] = {
		"", "4294967296", "0x100000000", "-1", "abc", "0x", "0xg",
		"1.5", " 1", "1 ", "0X10", "0x-1", "offf", "on",
		"99999999999999999999999", "0xffffffffffffffffffff",
	};
	struct tap_capture cap;
	char what[64];
	uint32_t mark;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		mark = 4242;
		ret = parse_fwmark(good[i].arg, &mark);
		if (!tap_ok(!ret && mark == good[i].mark, "fwmark `%s' is 0x%x",
			    good[i].arg, good[i].mark))
			tap_diag("ret %d mark 0x%x", ret, mark);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mark = 4242;
		tap_capture_begin(&cap);
		ret = parse_fwmark(bad[i], &mark);
		tap_capture_end(&cap, errors, sizeof(errors));
		tap_ok(ret < 0 && mark == 4242,
		       "fwmark `%s' is rejected, mark untouched", bad[i]);
		snprintf(what, sizeof(what), "fwmark `%s'", bad[i]);
		if (bad[i][0])
			check_error(what, bad[i]);
	}
}

static void test_ifnames(void)
{
	struct tap_capture cap;
	char name[IFNAMSIZ];

	tap_ok(!parse_ifname("pt0", name) && !strcmp(name, "pt0"),
	       "interface name pt0 is taken");
	tap_ok(!parse_ifname("abcdefghijklmno", name) &&
	       !strcmp(name, "abcdefghijklmno"),
	       "15-character interface name is taken");
	tap_capture_begin(&cap);
	tap_ok(parse_ifname("abcdefghijklmnop", name) < 0,
	       "16-character interface name is rejected");
	tap_capture_end(&cap, errors, sizeof(errors));
	check_error("16-character name", "abcdefghijklmnop");
	tap_capture_begin(&cap);
	tap_ok(parse_ifname("", name) < 0, "empty interface name is rejected");
	tap_capture_end(&cap, errors, sizeof(errors));
	check_error("empty name", "interface name");
}

static void test_keepalives(void)
{
	static const struct {
		const char *arg;
		uint16_t seconds;
	} good[] = {
		{ "off", 0 }, { "Off", 0 }, { "0", 0 }, { "1", 1 }, { "25", 25 },
		{ "025", 25 }, { "65535", 65535 },
	};
	static const char *const bad[] = {
		"", "65536", "-1", "+1", "0x19", " 25", "25 ", "25s", "on",
		"1e3", "99999999999999999999",
	};
	struct tap_capture cap;
	uint16_t seconds;
	char what[64];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		seconds = 4242;
		tap_capture_begin(&cap);
		ret = parse_keepalive(good[i].arg, &seconds);
		tap_capture_end(&cap, errors, sizeof(errors));
		tap_ok(!ret && seconds == good[i].seconds && !errors[0],
		       "persistent-keepalive `%s' is %u", good[i].arg,
		       good[i].seconds);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seconds = 4242;
		tap_capture_begin(&cap);
		ret = parse_keepalive(bad[i], &seconds);
		tap_capture_end(&cap, errors, sizeof(errors));
		tap_ok(ret < 0 && seconds == 4242,
		       "persistent-keepalive `%s' is rejected, untouched", bad[i]);
		snprintf(what, sizeof(what), "persistent-keepalive `%s'", bad[i]);
		check_error(what, bad[i][0] ? bad[i] : "persistent-keepalive");
	}
}

static void test_public_keys(void)
{
	static const char *const bad[] = {
		"", "sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeE=",
		"sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEp=",
		"sIYIWy5Yp1FcVuMYc2Pj5H-_2sIQQVqhWvehOwEOeEo=",
		KEY " ", "/etc/passwd",
	};
	uint8_t key[PTUN_KEY_LEN], want[PTUN_KEY_LEN];
	struct tap_capture cap;
	char what[96];
	size_t i;

	key_from_base64(want, KEY, strlen(KEY));
	tap_ok(!parse_public_key(KEY, key) && !memcmp(key, want, sizeof(key)),
	       "peer key in base64 is decoded");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_capture_begin(&cap);
		tap_ok(parse_public_key(bad[i], key) < 0,
		       "peer key `%s' is rejected", bad[i]);
		tap_capture_end(&cap, errors, sizeof(errors));
		snprintf(what, sizeof(what), "peer key `%s'", bad[i]);
		check_error(what, bad[i][0] ? bad[i] : "peer");
	}
}

static char *make_file(const char *name, const char *content, mode_t mode)
{
	static char paths[16][256];
	static unsigned int used;
	char *path = paths[used++ % 16];
	size_t len = strlen(content);
	int fd;

	snprintf(path, sizeof(paths[0]), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len ||
	    fchmod(fd, mode) || close(fd)) {
		perror(path);
		exit(EXIT_FAILURE);
	}
	return path;
}

static void test_key_files(void)
{
	static const struct {
		const char *name, *content;
	} bad[] = {
		{ "short.key", "sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeE=\n" },
		{ "char.key", "sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEO!eEo=\n" },
		{ "noncanon.key", "sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEp=\n" },
		{ "trailing.key", KEY "\nPrivateKey\n" },
		{ "twokeys.key", KEY " " KEY "\n" },
		{ "blank.key", "\n" },
		{ "config.key", "PrivateKey = " KEY "\n" },
	};
	uint8_t key[PTUN_KEY_LEN], want[PTUN_KEY_LEN];
	const char *path, *missing;
	struct tap_capture cap;
	size_t i;
	int ret;

	key_from_base64(want, KEY, strlen(KEY));

	path = make_file("padded.key", "\n  " KEY "  \n\n", 0600);
	tap_capture_begin(&cap);
	ret = parse_key_file("private-key", path, key);
	tap_capture_end(&cap, errors, sizeof(errors));
	tap_ok(!ret && !memcmp(key, want, sizeof(key)) && !errors[0],
	       "key file with whitespace around the key: read, no warning");

	path = make_file("empty.key", "", 0600);
	memset(key, 0xa5, sizeof(key));
	ret = parse_key_file("private-key", path, key);
	tap_ok(!ret && sodium_is_zero(key, sizeof(key)),
	       "empty key file means the all-zero key (clear)");

	memset(key, 0xa5, sizeof(key));
	tap_capture_begin(&cap);
	ret = parse_key_file("preshared-key", "/dev/null", key);
	tap_capture_end(&cap, errors, sizeof(errors));
	tap_ok(!ret && sodium_is_zero(key, sizeof(key)) && !errors[0],
	       "/dev/null means the all-zero key, no warning");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = make_file(bad[i].name, bad[i].content, 0600);
		tap_capture_begin(&cap);
		ret = parse_key_file("private-key", path, key);
		tap_capture_end(&cap, errors, sizeof(errors));
		tap_ok(ret < 0, "malformed key file %s is rejected", bad[i].name);
		check_error(bad[i].name, path);
	}

	missing = make_file("missing.key", "", 0600);
	unlink(missing);
	tap_capture_begin(&cap);
	ret = parse_key_file("private-key", missing, key);
	tap_capture_end(&cap, errors, sizeof(errors));
	tap_ok(ret < 0 && strstr(errors, "No such file"),
	       "missing key file is rejected with the system's reason");
	check_error("missing key file", missing);

	tap_capture_begin(&cap);
	ret = parse_key_file("private-key", tmpdir, key);
	tap_capture_end(&cap, errors, sizeof(errors));
	tap_ok(ret < 0, "a directory as key file is rejected");
	check_error("directory as key file", tmpdir);

	path = make_file("world.key", KEY "\n", 0644);
	memset(key, 0, sizeof(key));
	tap_capture_begin(&cap);
	ret = parse_key_file("private-key", path, key);
	tap_capture_end(&cap, errors, sizeof(errors));
	tap_ok(!ret && !memcmp(key, want, sizeof(key)),
	       "world-readable key file is still used");
	if (!tap_ok(!strncmp(errors, "ptunctl: warning: ", 18) &&
		    strstr(errors, path) && tap_is_one_line_error(errors),
		    "world-readable key file earns a one-line warning naming it"))
		tap_diag("stderr: %s", errors);

	path = make_file("group.key", KEY "\n", 0640);
	tap_capture_begin(&cap);
	ret = parse_key_file("private-key", path, key);
	tap_capture_end(&cap, errors, sizeof(errors));
	tap_ok(!ret && strstr(errors, "warning") && strstr(errors, path),
	       "group-readable key file earns the warning too");

	path = make_file("private.key", KEY "\n", 0400);
	tap_capture_begin(&cap);
	ret = parse_key_file("private-key", path, key);
	tap_capture_end(&cap, errors, sizeof(errors));
	tap_ok(!ret && !errors[0], "owner-only key file: no warning");
	sodium_memzero(key, sizeof(key));
}

static void remove_tmpdir(void)
{
	char cmd[sizeof(tmpdir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	atexit(remove_tmpdir);
	test_ports();
	test_fwmarks();
	test_ifnames();
	test_keepalives();
	test_public_keys();
	test_key_files();
	return tap_exit_status();
}
