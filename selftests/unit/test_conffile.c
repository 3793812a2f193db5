// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration files: what wg(8) accepts is read the same way, what
 * showconf writes reads back to the same device, and every refusal is one
 * line naming the file and the line (both lines, for a repeat).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "address.h"
#include "conffile.h"
#include "encoding.h"
#include "tap.h"

#define PRIV	"sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo="
#define PEER_A	"TjjzMgj46kez5jlOhNemBbp44W/mCeIyZnzC2Jx20So="
#define PEER_B	"hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI="
#define PSK	"//////////////////////////////////////////8="

/* As `wg showconf' prints it. */
#define WG_SHOWCONF \
	"[Interface]\n" \
	"ListenPort = 51820\n" \
	"FwMark = 0x20\n" \
	"PrivateKey = " PRIV "\n" \
	"\n" \
	"[Peer]\n" \
	"PublicKey = " PEER_A "\n" \
	"PresharedKey = " PSK "\n" \
	"AllowedIPs = 10.0.0.0/24, 2001:db8::/32\n" \
	"Endpoint = 192.0.2.1:51820\n" \
	"PersistentKeepalive = 25\n" \
	"\n" \
	"[Peer]\n" \
	"PublicKey = " PEER_B "\n" \
	"AllowedIPs = 10.1.0.1/32\n" \
	"Endpoint = [2001:db8::1]:51821\n"

static char errors[4096];

static int parse(const char *text, enum conffile_mode mode,
		 struct ptun_device *dev)
{
	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, "pt0");
	return tap_captured(errors, conffile_parse("t.conf", text, strlen(text),
						   mode, dev));
}

static bool is_key(const uint8_t key[PTUN_KEY_LEN], const char *base64)
{
	uint8_t want[PTUN_KEY_LEN];

	return key_from_base64(want, base64, strlen(base64)) &&
	       !memcmp(key, want, PTUN_KEY_LEN);
}

static const char *ips_text(const struct ptun_peer *peer)
{
	static char text[1024];
	char ip[INET6_ADDRSTRLEN];
	size_t len = 0, i;

	text[0] = '\0';
	for (i = 0; i < peer->nr_allowedips && len < sizeof(text) - 64; i++) {
		address_ip_text(ip, &peer->allowedips[i]);
		len += snprintf(text + len, sizeof(text) - len, "%s%s/%u",
				i ? " " : "", ip, peer->allowedips[i].cidr);
	}
	return text;
}

static const char *endpoint_text(const struct ptun_peer *peer)
{
	static char text[ENDPOINT_TEXT_SIZE];

	if (peer->endpoint.addr.sa_family == AF_UNSPEC)
		return "-";
	address_endpoint_text(text, &peer->endpoint);
	return text;
}

/* What showconf prints for dev, read back from a temporary file. */
static const char *printed(const struct ptun_device *dev)
{
	static char text[8192];
	FILE *file = tmpfile();
	int saved = dup(STDOUT_FILENO);
	size_t n;

	if (!file || saved < 0)
		abort();
	fflush(stdout);
	dup2(fileno(file), STDOUT_FILENO);
	conffile_print(dev);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(file);
	n = fread(text, 1, sizeof(text) - 1, file);
	text[n] = '\0';
	fclose(file);
	return text;
}

static void test_wg_file(void)
{
	const struct ptun_peer *a, *b;
	struct ptun_device dev;
	int ret;

	ret = parse(WG_SHOWCONF, CONFFILE_SET, &dev);
	a = dev.peers;
	b = dev.peers + 1;
	if (!tap_ok(!ret && !errors[0] && dev.nr_peers == 2 &&
		    dev.flags == (PTUN_DEVICE_REPLACE_PEERS |
				  PTUN_DEVICE_HAS_PRIVATE_KEY |
				  PTUN_DEVICE_HAS_LISTEN_PORT |
				  PTUN_DEVICE_HAS_FWMARK) &&
		    is_key(dev.private_key, PRIV) && dev.listen_port == 51820 &&
		    dev.fwmark == 0x20 && !strcmp(dev.name, "pt0") &&
		    is_key(a->public_key, PEER_A) &&
		    is_key(a->preshared_key, PSK) &&
		    a->flags == (PTUN_PEER_HAS_PRESHARED_KEY |
				 PTUN_PEER_HAS_KEEPALIVE |
				 PTUN_PEER_REPLACE_ALLOWEDIPS) &&
		    a->keepalive == 25 &&
		    !strcmp(ips_text(a), "10.0.0.0/24 2001:db8::/32") &&
		    !strcmp(endpoint_text(a), "192.0.2.1:51820") &&
		    is_key(b->public_key, PEER_B) &&
		    b->flags == PTUN_PEER_REPLACE_ALLOWEDIPS &&
		    !strcmp(ips_text(b), "10.1.0.1/32") &&
		    !strcmp(endpoint_text(b), "[2001:db8::1]:51821"),
		    "a file of wg showconf: every setting read"))
		tap_diag("ret %d, stderr %s", ret, errors);

	if (!tap_ok(!strcmp(printed(&dev), WG_SHOWCONF),
		    "showconf prints it back byte for byte as wg showconf"))
		tap_diag("printed:\n%s", printed(&dev));
	ptun_device_wipe(&dev);

	ret = parse("[Interface]\n", CONFFILE_SET, &dev);
	tap_ok(!ret && !dev.nr_peers &&
	       sodium_is_zero(dev.private_key, PTUN_KEY_LEN) &&
	       dev.flags & PTUN_DEVICE_HAS_PRIVATE_KEY && !dev.listen_port &&
	       !dev.fwmark && dev.flags & PTUN_DEVICE_REPLACE_PEERS,
	       "setconf: what the file leaves out is cleared");
	tap_ok(!strcmp(printed(&dev), "[Interface]\n\n"),
	       "showconf of an empty device: as wg, a blank line after [Interface]");
	ptun_device_wipe(&dev);

	ret = parse("[Peer]\nPublicKey = " PEER_A "\nEndpoint = 192.0.2.1:1\n",
		    CONFFILE_ADD, &dev);
	tap_ok(!ret && !dev.flags && dev.nr_peers == 1 && !dev.peers[0].flags,
	       "addconf: only what the file names is flagged");
	ptun_device_wipe(&dev);
}

static void test_syntax(void)
{
	struct ptun_device dev;
	int ret;

	ret = parse("# a comment\r\n"
		    "  [INTERFACE]  # the device\r\n"
		    "listenport=1\r\n"
		    "LISTENPORT = 2\r\n"
		    "fwmark = off\n"
		    "\t\n"
		    "[peer]\n"
		    "publickey = " PEER_B "\n"
		    "publickey = " PEER_A "\n"
		    "allowedips = 10.0.0.1 , 10.0.0.2/32\n"
		    "AllowedIPs = fd00::1/128\n"
		    "persistentkeepalive = off\n"
		    "[Interface]\n"
		    "FwMark = 7", CONFFILE_ADD, &dev);
	if (!tap_ok(!ret && !errors[0] && dev.listen_port == 2 &&
		    dev.fwmark == 7 && dev.nr_peers == 1 &&
		    is_key(dev.peers[0].public_key, PEER_A) &&
		    !strcmp(ips_text(&dev.peers[0]),
			    "10.0.0.1/32 10.0.0.2/32 fd00::1/128") &&
		    dev.peers[0].flags == (PTUN_PEER_HAS_KEEPALIVE |
					   PTUN_PEER_REPLACE_ALLOWEDIPS) &&
		    !dev.peers[0].keepalive,
		    "wg's syntax: any case, comments, CRLF, spaces, repeats (last wins, AllowedIPs add up), no final newline"))
		tap_diag("ret %d, stderr %s", ret, errors);
	ptun_device_wipe(&dev);

	ret = parse("[Peer]\nPublicKey = " PEER_A "\nAllowedIPs =\n",
		    CONFFILE_ADD, &dev);
	tap_ok(!ret && dev.peers[0].flags == PTUN_PEER_REPLACE_ALLOWEDIPS &&
	       !dev.peers[0].nr_allowedips,
	       "an empty AllowedIPs clears the peer's");
	ptun_device_wipe(&dev);

	ret = parse("[Peer]\nPublicKey = " PEER_A "\nAllowedIPs = 10.0.0.1/24, 10.0.0.0/24\n",
		    CONFFILE_SET, &dev);
	tap_ok(!ret && !strcmp(ips_text(&dev.peers[0]), "10.0.0.0/24 10.0.0.0/24") &&
	       tap_is_one_line_error(errors) &&
	       strstr(errors, "t.conf:3: warning: ") &&
	       strstr(errors, "10.0.0.1/24") && strstr(errors, "10.0.0.0/24"),
	       "host bits: cleared, with a warning naming file and line");
	ptun_device_wipe(&dev);

	ret = parse("[Peer]\nPublicKey = " PEER_A "\n[Peer]\nPublicKey = " PEER_B "\n",
		    CONFFILE_SET, &dev);
	tap_ok(!ret && dev.nr_peers == 2 &&
	       dev.peers[1].flags == PTUN_PEER_REPLACE_ALLOWEDIPS,
	       "a peer without AllowedIPs is fine");
	ptun_device_wipe(&dev);
}

static void test_errors(void)
{
	static const struct {
		const char *what, *text, *want[3];
	} cases[] = {
		{ "a key outside any section", "ListenPort = 1\n",
		  { "t.conf:1: ", "ListenPort", "[Interface]" } },
		{ "an unknown section", "[Interface]\n[Peers]\n",
		  { "t.conf:2: ", "[Peers]" } },
		{ "an unknown key", "[Interface]\nListenPrt = 1\n",
		  { "t.conf:2: ", "ListenPrt" } },
		{ "a peer's key under [Interface]",
		  "[Interface]\nEndpoint = 192.0.2.1:1\n",
		  { "t.conf:2: ", "Endpoint", "[Peer]" } },
		{ "a line without =", "[Interface]\nListenPort 1\n",
		  { "t.conf:2: ", "ListenPort1" } },
		{ "a port out of range", "[Interface]\nListenPort = 65536\n",
		  { "t.conf:2: ", "65536", "0-65535" } },
		{ "a port that is a name", "[Interface]\nListenPort = http\n",
		  { "t.conf:2: ", "http" } },
		{ "a fwmark out of range", "[Interface]\nFwMark = 4294967296\n",
		  { "t.conf:2: ", "4294967296", "0xffffffff" } },
		{ "a keepalive out of range",
		  "[Peer]\nPublicKey = " PEER_A "\nPersistentKeepalive = 65536\n",
		  { "t.conf:3: ", "65536", "0-65535" } },
		{ "a bad private key", "[Interface]\nPrivateKey = abc\n",
		  { "t.conf:2: ", "PrivateKey" } },
		{ "a bad public key", "[Peer]\nPublicKey = abc=\n",
		  { "t.conf:2: ", "PublicKey", "abc=" } },
		{ "a bad preshared key",
		  "[Peer]\nPublicKey = " PEER_A "\nPresharedKey = x\n",
		  { "t.conf:3: ", "PresharedKey" } },
		{ "a peer without a public key",
		  "[Interface]\n\n[Peer]\nAllowedIPs = 10.0.0.1\n[Peer]\nPublicKey = " PEER_A "\n",
		  { "t.conf:3: ", "PublicKey" } },
		{ "a bad allowed IP",
		  "[Peer]\nPublicKey = " PEER_A "\nAllowedIPs = 10.0.0.0/33\n",
		  { "t.conf:3: ", "10.0.0.0/33" } },
		{ "an incremental allowed IP",
		  "[Peer]\nPublicKey = " PEER_A "\nAllowedIPs = +10.0.0.1\n",
		  { "t.conf:3: ", "+10.0.0.1" } },
		{ "an empty allowed IP item",
		  "[Peer]\nPublicKey = " PEER_A "\nAllowedIPs = 10.0.0.1,,10.0.0.2\n",
		  { "t.conf:3: ", "empty" } },
		{ "an endpoint without a port",
		  "[Peer]\nPublicKey = " PEER_A "\nEndpoint = 192.0.2.1\n",
		  { "t.conf:3: ", "192.0.2.1", ":port" } },
		{ "an IPv6 endpoint without brackets",
		  "[Peer]\nPublicKey = " PEER_A "\nEndpoint = 2001:db8::1:51820\n",
		  { "t.conf:3: ", "brackets" } },
		{ "the same peer twice",
		  "[Peer]\nPublicKey = " PEER_A "\n\n[Peer]\nPublicKey = " PEER_B
		  "\n[Peer]\n# again\nPublicKey = " PEER_A "\n",
		  { "t.conf:8: ", PEER_A, "line 2" } },
		{ "the same allowed IP under two peers",
		  "[Peer]\nPublicKey = " PEER_A "\nAllowedIPs = 10.0.0.0/24\n"
		  "[Peer]\nPublicKey = " PEER_B "\nAllowedIPs = 10.0.0.0/24\n",
		  { "t.conf:6: ", "10.0.0.0/24", "line 3" } },
		{ "wg-quick settings, all named",
		  "[Interface]\nAddress = 10.0.0.1/24\nPrivateKey = " PRIV
		  "\nDNS = 1.1.1.1\nMTU = 1420\n",
		  { "Address (line 2), DNS (line 4), MTU (line 5)",
		    "ptun-quick strip", "t.conf" } },
		{ "a NUL byte", "[Interface]\nListenPort = 1\0\n",
		  { "t.conf:2: ", "NUL" } },
	};
	struct ptun_device dev;
	size_t i, j, len;
	bool ok;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&dev, 0, sizeof(dev));
		len = strlen(cases[i].text);
		/* The NUL case: the text goes on past its NUL. */
		if (strstr(cases[i].what, "NUL"))
			len += 1;
		ret = tap_captured(errors, conffile_parse("t.conf",
							  cases[i].text, len,
							  CONFFILE_SET, &dev));
		ok = ret < 0 && tap_is_one_line_error(errors);
		for (j = 0; ok && j < 3 && cases[i].want[j]; j++)
			ok = strstr(errors, cases[i].want[j]);
		if (!tap_ok(ok, "refused, one line naming file and line: %s",
			    cases[i].what))
			tap_diag("ret %d, stderr %s", ret, errors);
		ptun_device_wipe(&dev);
	}
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) < 0 || fchmod(fd, mode) ||
	    close(fd))
		abort();
}

static void test_files(void)
{
	char dir[] = "/tmp/ptunctl-conffile.XXXXXX", path[64];
	struct ptun_device dev;
	int ret;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/wg0.conf", dir);

	write_file(path, WG_SHOWCONF, 0600);
	memset(&dev, 0, sizeof(dev));
	ret = tap_captured(errors, conffile_read(path, CONFFILE_SET, &dev));
	tap_ok(!ret && !errors[0] && dev.nr_peers == 2,
	       "a private file is read silently");
	ptun_device_wipe(&dev);

	write_file(path, WG_SHOWCONF, 0644);
	memset(&dev, 0, sizeof(dev));
	ret = tap_captured(errors, conffile_read(path, CONFFILE_SET, &dev));
	if (!tap_ok(!ret && tap_is_one_line_error(errors) &&
		    strstr(errors, "warning") && strstr(errors, path) &&
		    strstr(errors, "chmod 600"),
		    "a file holding keys that others can read: a warning"))
		tap_diag("stderr %s", errors);
	ptun_device_wipe(&dev);

	write_file(path, "[Peer]\nPublicKey = " PEER_A "\n", 0644);
	memset(&dev, 0, sizeof(dev));
	ret = tap_captured(errors, conffile_read(path, CONFFILE_ADD, &dev));
	tap_ok(!ret && !errors[0], "a readable file without keys: no warning");
	ptun_device_wipe(&dev);

	unlink(path);
	memset(&dev, 0, sizeof(dev));
	ret = tap_captured(errors, conffile_read(path, CONFFILE_SET, &dev));
	tap_ok(ret < 0 && tap_is_one_line_error(errors) && strstr(errors, path) &&
	       strstr(errors, "No such file"), "a missing file: one line naming it");
	ptun_device_wipe(&dev);
	rmdir(dir);
}

/* What showconf prints, setconf reads back to the same configuration. */
static void test_round_trip(void)
{
	struct ptun_device dev, again;
	char first[8192];
	int ret;

	ret = parse("[Interface]\nPrivateKey=" PRIV "\n[Peer]\nPublicKey=" PEER_B
		    "\nAllowedIPs=fd00::/8,0.0.0.0/0\nPersistentKeepalive=1\n"
		    "Endpoint=[fe80::1]:9\n[Peer]\nPublicKey=" PEER_A "\n",
		    CONFFILE_SET, &dev);
	snprintf(first, sizeof(first), "%s", printed(&dev));
	ret |= parse(first, CONFFILE_SET, &again);
	if (!tap_ok(!ret && !strcmp(first, printed(&again)) &&
		    again.nr_peers == 2 && again.peers[0].keepalive == 1,
		    "showconf's output reads back to what it was printed from"))
		tap_diag("first:\n%s\nagain:\n%s", first, printed(&again));
	ptun_device_wipe(&dev);
	ptun_device_wipe(&again);
}

int main(void)
{
	test_wg_file();
	test_syntax();
	test_errors();
	test_files();
	test_round_trip();
	return tap_exit_status();
}
