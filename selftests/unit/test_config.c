// SPDX-License-Identifier: GPL-2.0
/*
 * The arguments of `ptunctl set', as wg(8) reads them: what each peer gets,
 * the rule of + and - in allowed-ips, and that every refusal is one line
 * naming what was wrong.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "address.h"
#include "config.h"
#include "encoding.h"
#include "tap.h"

#define PRIV	"sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo="
#define PEER_A	"TjjzMgj46kez5jlOhNemBbp44W/mCeIyZnzC2Jx20So="
#define PEER_B	"hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI="
#define PEER_C	"//////////////////////////////////////////8="

static char tmpdir[] = "/tmp/ptunctl-config.XXXXXX";
static char keyfile[64], pskfile[64];
static char errors[4096];

static void write_file(char *path, const char *name, const char *content)
{
	int fd;

	snprintf(path, 64, "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, content, strlen(content)) < 0 || close(fd))
		abort();
}

/* Parses "pt0" and args (NULL-terminated), stderr into errors. */
static int parse(struct ptun_device *dev, const char *const *args)
{
	const char *argv[64] = { "pt0" };
	int argc = 1;

	while (*args)
		argv[argc++] = *args++;
	return tap_captured(errors, config_parse_set_args(argc, argv, dev));
}

static bool is_key(const uint8_t key[PTUN_KEY_LEN], const char *base64)
{
	uint8_t want[PTUN_KEY_LEN];

	return key_from_base64(want, base64, strlen(base64)) &&
	       !memcmp(key, want, PTUN_KEY_LEN);
}

/* The peer's allowed IPs as text: "+10.0.0.1/32 -10.0.0.2/32". */
static const char *ips_text(const struct ptun_peer *peer)
{
	static char text[4096];
	char ip[INET6_ADDRSTRLEN];
	size_t len = 0, i;

	text[0] = '\0';
	for (i = 0; i < peer->nr_allowedips && len < sizeof(text) - 64; i++) {
		address_ip_text(ip, &peer->allowedips[i]);
		len += snprintf(text + len, sizeof(text) - len, "%s%c%s/%u",
				i ? " " : "",
				peer->allowedips[i].flags ? '-' : '+', ip,
				peer->allowedips[i].cidr);
	}
	return text;
}

static void test_device(void)
{
	struct ptun_device dev;
	int ret;

	ret = parse(&dev, (const char *[]){ "listen-port", "51820", "fwmark",
		"0x20", "private-key", keyfile, NULL });
	tap_ok(!ret && !strcmp(dev.name, "pt0") &&
	       dev.flags == (PTUN_DEVICE_HAS_LISTEN_PORT |
			     PTUN_DEVICE_HAS_FWMARK |
			     PTUN_DEVICE_HAS_PRIVATE_KEY) &&
	       dev.listen_port == 51820 && dev.fwmark == 0x20 &&
	       is_key(dev.private_key, PRIV) && !dev.nr_peers && !errors[0],
	       "interface settings parse into the device, silently");
	ptun_device_wipe(&dev);

	ret = parse(&dev, (const char *[]){ "listen-port", "1", "listen-port",
		"2", NULL });
	tap_ok(!ret && dev.listen_port == 2, "a repeated setting: the last wins");
	ptun_device_wipe(&dev);

	ret = parse(&dev, (const char *[]){ "listen-port", "0", NULL });
	tap_ok(!ret && dev.flags == PTUN_DEVICE_HAS_LISTEN_PORT &&
	       !dev.listen_port, "listen-port 0 is sent, not dropped");
	ptun_device_wipe(&dev);

	ret = parse(&dev, (const char *[]){ NULL });
	tap_ok(!ret && !dev.flags && !dev.nr_peers,
	       "no settings: nothing flagged");
	ptun_device_wipe(&dev);
}

static void test_peers(void)
{
	const struct ptun_peer *p;
	char text[ENDPOINT_TEXT_SIZE] = "";
	struct ptun_device dev;
	int ret;

	ret = parse(&dev, (const char *[]){ "fwmark", "1", "peer", PEER_A,
		"preshared-key", pskfile, "endpoint", "192.0.2.1:51820",
		"persistent-keepalive", "25", "allowed-ips",
		"10.0.0.1/32,2001:db8::/32", NULL });
	p = dev.peers;
	if (!ret && dev.nr_peers == 1)
		address_endpoint_text(text, &p->endpoint);
	if (!tap_ok(!ret && dev.nr_peers == 1 && !errors[0] &&
		    dev.flags == PTUN_DEVICE_HAS_FWMARK &&
		    is_key(p->public_key, PEER_A) &&
		    is_key(p->preshared_key, PRIV) &&
		    p->flags == (PTUN_PEER_HAS_PRESHARED_KEY |
				 PTUN_PEER_HAS_KEEPALIVE |
				 PTUN_PEER_REPLACE_ALLOWEDIPS) &&
		    p->keepalive == 25 && !strcmp(text, "192.0.2.1:51820") &&
		    !strcmp(ips_text(p), "+10.0.0.1/32 +2001:db8::/32"),
		    "a peer with every setting"))
		tap_diag("ret %d, %zu peers, stderr %s", ret, dev.nr_peers,
			 errors);
	ptun_device_wipe(&dev);

	ret = parse(&dev, (const char *[]){ "listen-port", "1", "peer", PEER_A,
		"peer", PEER_B, "remove", "peer", PEER_C, "allowed-ips", "",
		"peer", PEER_A, "endpoint", "[2001:db8::1]:1", NULL });
	tap_ok(!ret && dev.nr_peers == 4 &&
	       is_key(dev.peers[0].public_key, PEER_A) && !dev.peers[0].flags &&
	       dev.peers[0].endpoint.addr.sa_family == AF_UNSPEC &&
	       is_key(dev.peers[1].public_key, PEER_B) &&
	       dev.peers[1].flags == PTUN_PEER_REMOVE &&
	       dev.peers[2].flags == PTUN_PEER_REPLACE_ALLOWEDIPS &&
	       !dev.peers[2].nr_allowedips &&
	       is_key(dev.peers[3].public_key, PEER_A) &&
	       dev.peers[3].endpoint.addr.sa_family == AF_INET6,
	       "several peers, each with its own settings; a key twice is two entries");
	ptun_device_wipe(&dev);

	ret = parse(&dev, (const char *[]){ "peer", PEER_A, "preshared-key",
		"/dev/null", "persistent-keepalive", "off", NULL });
	tap_ok(!ret && dev.peers[0].flags == (PTUN_PEER_HAS_PRESHARED_KEY |
					      PTUN_PEER_HAS_KEEPALIVE) &&
	       sodium_is_zero(dev.peers[0].preshared_key, PTUN_KEY_LEN) &&
	       !dev.peers[0].keepalive,
	       "preshared-key /dev/null clears it (zero key); keepalive off is 0");
	ptun_device_wipe(&dev);

	ret = parse(&dev, (const char *[]){ "peer", PEER_A, "remove",
		"preshared-key", pskfile, NULL });
	tap_ok(!ret && dev.peers[0].flags == (PTUN_PEER_REMOVE |
					      PTUN_PEER_HAS_PRESHARED_KEY),
	       "remove may stand anywhere among the peer's settings");
	ptun_device_wipe(&dev);
}

static void test_allowedips(void)
{
	static const struct {
		const char *what, *args[6], *ips;
		bool replace;
	} cases[] = {
		{ "a plain list replaces", { "10.0.0.1,10.0.0.2/31" },
		  "+10.0.0.1/32 +10.0.0.2/31", true },
		{ "\"\" clears", { "" }, "", true },
		{ "+ and - change", { "+10.0.0.1,-10.0.0.2" },
		  "+10.0.0.1/32 -10.0.0.2/32", false },
		{ "one +item makes the list a change", { "10.0.0.1,+10.0.0.2" },
		  "+10.0.0.1/32 +10.0.0.2/32", false },
		{ "two plain lists add up and replace", { "10.0.0.1", "10.0.0.2" },
		  "+10.0.0.1/32 +10.0.0.2/32", true },
		{ "the last list decides: plain", { "+10.0.0.1", "10.0.0.2" },
		  "+10.0.0.1/32 +10.0.0.2/32", true },
		{ "the last list decides: a change", { "10.0.0.1", "-10.0.0.2" },
		  "+10.0.0.1/32 -10.0.0.2/32", false },
		{ "\"\" after a change replaces", { "-10.0.0.1", "" },
		  "-10.0.0.1/32", true },
		{ "spaces anywhere are dropped", { " 10.0.0.1/32 , - 2001:db8::/32 " },
		  "+10.0.0.1/32 -2001:db8::/32", false },
		{ "host bits are cleared", { "10.0.0.1/24" }, "+10.0.0.0/24", true },
	};
	const char *args[16];
	struct ptun_device dev;
	size_t i, j, n;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		args[0] = "peer";
		args[1] = PEER_A;
		for (n = 2, j = 0; cases[i].args[j]; j++) {
			args[n++] = "allowed-ips";
			args[n++] = cases[i].args[j];
		}
		args[n] = NULL;
		ret = parse(&dev, args);
		if (!tap_ok(!ret && dev.nr_peers == 1 &&
			    !strcmp(ips_text(&dev.peers[0]), cases[i].ips) &&
			    !!(dev.peers[0].flags & PTUN_PEER_REPLACE_ALLOWEDIPS) ==
			    cases[i].replace,
			    "allowed-ips: %s", cases[i].what))
			tap_diag("ret %d ips `%s' flags 0x%x stderr %s", ret,
				 dev.nr_peers ? ips_text(&dev.peers[0]) : "",
				 dev.nr_peers ? dev.peers[0].flags : 0, errors);
		ptun_device_wipe(&dev);
	}

	ret = parse(&dev, (const char *[]){ "peer", PEER_A, "allowed-ips",
		"10.0.0.1/24", NULL });
	tap_ok(!ret && !strcmp(errors, "ptunctl: warning: allowed IP `10.0.0.1/24' has host bits set; using 10.0.0.0/24\n"),
	       "host bits: one warning line, the set goes on");
	ptun_device_wipe(&dev);
}

static void test_many_allowedips(void)
{
	static char list[20000];
	struct ptun_device dev;
	size_t len = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < 1000; i++)
		len += snprintf(list + len, sizeof(list) - len, "%s10.%u.%u.0/24",
				i ? "," : "", i / 256, i % 256);
	ret = parse(&dev, (const char *[]){ "peer", PEER_A, "allowed-ips", list,
		NULL });
	for (i = 0; !ret && i < dev.peers[0].nr_allowedips; i++) {
		const struct ptun_allowedip *ip = &dev.peers[0].allowedips[i];

		if (ip->family != AF_INET || ip->cidr != 24 ||
		    ip->ip4.s_addr != htonl(0x0a000000 | i << 8))
			break;
	}
	tap_ok(!ret && dev.peers[0].nr_allowedips == 1000 && i == 1000,
	       "a list of 1000 allowed IPs is read whole, in order");
	ptun_device_wipe(&dev);
}

static void test_errors(void)
{
	static const struct {
		const char *what, *args[10], *culprit;
	} cases[] = {
		{ "an unknown keyword", { "bogus", "1" }, "bogus" },
		{ "an unknown keyword after a peer", { "peer", PEER_A, "bogus" },
		  "bogus" },
		{ "an interface setting after a peer",
		  { "peer", PEER_A, "listen-port", "1" }, "listen-port" },
		{ "a peer setting before any peer", { "endpoint", "192.0.2.1:1" },
		  "endpoint" },
		{ "remove before any peer", { "remove" }, "remove" },
		{ "peer without a key", { "peer" }, "peer" },
		{ "a bad peer key", { "peer", "notakey" }, "notakey" },
		{ "listen-port without a value", { "listen-port" }, "listen-port" },
		{ "allowed-ips without a value", { "peer", PEER_A, "allowed-ips" },
		  "allowed-ips" },
		{ "an empty allowed IP", { "peer", PEER_A, "allowed-ips",
		  "10.0.0.1,,10.0.0.2" }, "10.0.0.1,,10.0.0.2" },
		{ "a trailing comma", { "peer", PEER_A, "allowed-ips", "10.0.0.1," },
		  "10.0.0.1," },
		{ "a lone +", { "peer", PEER_A, "allowed-ips", "+" }, "+" },
		{ "+- together", { "peer", PEER_A, "allowed-ips", "+-10.0.0.1" },
		  "-10.0.0.1" },
		{ "a bad mask", { "peer", PEER_A, "allowed-ips", "10.0.0.0/33" },
		  "10.0.0.0/33" },
		{ "a bad item among good ones", { "peer", PEER_A, "allowed-ips",
		  "10.0.0.0/8,bogus,10.1.0.0/16" }, "bogus" },
		{ "a bad endpoint", { "peer", PEER_A, "endpoint", "192.0.2.1" },
		  "192.0.2.1" },
		{ "a bad keepalive", { "peer", PEER_A, "persistent-keepalive",
		  "70000" }, "70000" },
		{ "a missing preshared key file", { "peer", PEER_A,
		  "preshared-key", "/nonexistent/psk" }, "/nonexistent/psk" },
		{ "a bad port among good settings", { "fwmark", "1", "listen-port",
		  "70000", "private-key", keyfile }, "70000" },
		{ "a bad fwmark", { "fwmark", "0x1g" }, "0x1g" },
		{ "a bad setting of the second peer", { "peer", PEER_A,
		  "allowed-ips", "10.0.0.0/8", "peer", PEER_B,
		  "persistent-keepalive", "x" }, "persistent-keepalive" },
	};
	const char *argv[2] = { "abcdefghijklmnopq", "fwmark" };
	struct ptun_device dev;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = parse(&dev, cases[i].args);
		if (!tap_ok(ret < 0 && tap_is_one_line_error(errors) &&
			    strstr(errors, cases[i].culprit),
			    "%s is refused with one line naming it",
			    cases[i].what))
			tap_diag("ret %d stderr %s", ret, errors);
		ptun_device_wipe(&dev);
	}

	ret = tap_captured(errors, config_parse_set_args(2, argv, &dev));
	tap_ok(ret < 0 && tap_is_one_line_error(errors) &&
	       strstr(errors, argv[0]),
	       "an overlong interface name is refused");
	ptun_device_wipe(&dev);
}

static void remove_tmpdir(void)
{
	unlink(keyfile);
	unlink(pskfile);
	rmdir(tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		abort();
	atexit(remove_tmpdir);
	write_file(keyfile, "private.key", PRIV "\n");
	write_file(pskfile, "psk", PRIV "\n");
	test_device();
	test_peers();
	test_allowedips();
	test_many_allowedips();
	test_errors();
	return tap_exit_status();
}
