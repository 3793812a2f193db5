// SPDX-License-Identifier: GPL-2.0
/*
 * `show' and `set' run whole against a fake kernel (fake_ipc.c): the exact
 * output wg(8) would print for the same configuration, and the requests set
 * makes, or does not make.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "encoding.h"
#include "fake_ipc.h"
#include "json.h"
#include "subcommands.h"
#include "tap.h"
#include "terminal.h"

#define PRIV	"sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo="
#define PUB	"TjjzMgj46kez5jlOhNemBbp44W/mCeIyZnzC2Jx20So="
#define PEER_A	"hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI="
#define PEER_B	"//////////////////////////////////////////8="
#define PEER_C	"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define PSK	PRIV

/*
 * The clock of show's full view, fixed so that handshake ages are exact:
 * this replaces libc's time() for the code under test.
 */
#define NOW	1700000000

time_t time(time_t *t)
{
	if (t)
		*t = NOW;
	return NOW;
}

/* show.c and set.c report usage errors through main.c, not linked here. */
void subcommand_usage_error(const struct subcommand *cmd)
{
	ptun_err("usage: %s %s", PROG_NAME, cmd->usage);
}

static struct ptun_device devices[3];
static struct ptun_peer peers[3];
static struct ptun_allowedip peer_b_ips[1], peer_a_ips[2];

static const struct ipc_link two_links[] = {
	{ 5, "pt0" }, { 7, "pt1" },
};

static const struct ipc_link peer_links[] = {
	{ 5, "pt0" }, { 8, "pt2" },
};

/* "gone" is listed, then vanishes before it is read. */
static const struct ipc_link three_links[] = {
	{ 5, "pt0" }, { 6, "gone" }, { 7, "pt1" },
};

static const struct subcommand *find_command(const char *name)
{
	static const struct subcommand *const commands[] = {
		&show_command, &set_command, &setconf_command,
		&addconf_command, &syncconf_command, &showconf_command,
	};
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	}
	abort();
}

struct outcome {
	int status;
	char out[8192], err[4096], log[4096];
};

static void read_back(FILE *file, char *buf, size_t size)
{
	size_t n;

	rewind(file);
	n = fread(buf, 1, size - 1, file);
	buf[n] = '\0';
	fclose(file);
}

/*
 * Runs one subcommand in a child, as if from the command line, with the
 * given PTUN_COLOR_MODE and PTUN_HIDE_KEYS (NULL: unset).  A child also
 * gives each run fresh caches, such as the colour decision.
 */
static void run(struct outcome *o, const char *colour, const char *hide,
		const char *const *args)
{
	FILE *out = tmpfile(), *err = tmpfile(), *log = tmpfile();
	const struct subcommand *cmd;
	const char *argv[64];
	int argc = 0, status;
	pid_t pid;

	if (!out || !err || !log)
		abort();
	while (args[argc]) {
		if (argc == 63)
			abort();
		argv[argc] = args[argc];
		argc++;
	}
	argv[argc] = NULL;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		if (colour)
			setenv("PTUN_COLOR_MODE", colour, 1);
		else
			unsetenv("PTUN_COLOR_MODE");
		if (hide)
			setenv("PTUN_HIDE_KEYS", hide, 1);
		else
			unsetenv("PTUN_HIDE_KEYS");
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(err), STDERR_FILENO);
		fake_ipc.log = log;
		setvbuf(log, NULL, _IONBF, 0);
		cmd = find_command(argv[0]);
		status = cmd->run(cmd, argc, argv);
		fflush(stdout);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		abort();
	o->status = WEXITSTATUS(status);
	read_back(out, o->out, sizeof(o->out));
	read_back(err, o->err, sizeof(o->err));
	read_back(log, o->log, sizeof(o->log));
}

static void diag_text(const char *name, const char *text)
{
	const char *line = text, *end;

	while (*line) {
		end = strchrnul(line, '\n');
		tap_diag("%s: %.*s", name, (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
}

/* Passes when status and stdout are exactly as given and stderr is empty. */
static void expect(const char *what, const char *colour, const char *hide,
		   const char *const *args, const char *want)
{
	struct outcome o;

	run(&o, colour, hide, args);
	if (!tap_ok(!o.status && !strcmp(o.out, want) && !o.err[0],
		    "%s", what)) {
		tap_diag("status %d", o.status);
		diag_text("got", o.out);
		diag_text("want", want);
		diag_text("stderr", o.err);
	}
}

static void use_links(const struct ipc_link *links, size_t nr)
{
	fake_ipc.links = links;
	fake_ipc.nr_links = nr;
}

#define PT0_VIEW \
	"interface: pt0\n" \
	"  public key: " PUB "\n" \
	"  private key: (hidden)\n" \
	"  listening port: 51820\n" \
	"  fwmark: 0x20\n"

static void test_show_views(void)
{
	use_links(two_links, 2);

	expect("show: both devices, wg's full view", NULL, NULL,
	       (const char *[]){ "show", NULL },
	       PT0_VIEW
	       "\n"
	       "interface: pt1\n");
	expect("show all is show", NULL, NULL,
	       (const char *[]){ "show", "all", NULL },
	       PT0_VIEW
	       "\n"
	       "interface: pt1\n");
	expect("show pt1: unset fields are left out", NULL, NULL,
	       (const char *[]){ "show", "pt1", NULL },
	       "interface: pt1\n");
	expect("PTUN_HIDE_KEYS=never shows the private key", "never", "never",
	       (const char *[]){ "show", "pt0", NULL },
	       "interface: pt0\n"
	       "  public key: " PUB "\n"
	       "  private key: " PRIV "\n"
	       "  listening port: 51820\n"
	       "  fwmark: 0x20\n");
	expect("PTUN_COLOR_MODE=always: wg's colours", "always", NULL,
	       (const char *[]){ "show", "pt0", NULL },
	       "\x1b[0m\x1b[32m\x1b[1minterface\x1b[0m: \x1b[32mpt0\x1b[0m\n"
	       "  \x1b[1mpublic key\x1b[0m: " PUB "\n"
	       "  \x1b[1mprivate key\x1b[0m: (hidden)\n"
	       "  \x1b[1mlistening port\x1b[0m: 51820\n"
	       "  \x1b[1mfwmark\x1b[0m: 0x20\n");
	expect("PTUN_COLOR_MODE=auto on a file: no colours", "auto", NULL,
	       (const char *[]){ "show", "pt1", NULL },
	       "interface: pt1\n");
	expect("dump and fields never use colour", "always", NULL,
	       (const char *[]){ "show", "pt1", "dump", NULL },
	       "(none)\t(none)\t0\toff\n");
}

static void test_show_fields(void)
{
	use_links(two_links, 2);

	expect("show all dump", NULL, NULL,
	       (const char *[]){ "show", "all", "dump", NULL },
	       "pt0\t" PRIV "\t" PUB "\t51820\t0x20\n"
	       "pt1\t(none)\t(none)\t0\toff\n");
	expect("show pt0 dump: no interface column", NULL, NULL,
	       (const char *[]){ "show", "pt0", "dump", NULL },
	       PRIV "\t" PUB "\t51820\t0x20\n");
	expect("show all public-key", NULL, NULL,
	       (const char *[]){ "show", "all", "public-key", NULL },
	       "pt0\t" PUB "\npt1\t(none)\n");
	expect("show all private-key", NULL, NULL,
	       (const char *[]){ "show", "all", "private-key", NULL },
	       "pt0\t" PRIV "\npt1\t(none)\n");
	expect("show all listen-port", NULL, NULL,
	       (const char *[]){ "show", "all", "listen-port", NULL },
	       "pt0\t51820\npt1\t0\n");
	expect("show all fwmark", NULL, NULL,
	       (const char *[]){ "show", "all", "fwmark", NULL },
	       "pt0\t0x20\npt1\toff\n");
	expect("show pt0 fwmark", NULL, NULL,
	       (const char *[]){ "show", "pt0", "fwmark", NULL }, "0x20\n");
	expect("show pt1 private-key", NULL, NULL,
	       (const char *[]){ "show", "pt1", "private-key", NULL },
	       "(none)\n");
	expect("show pt0 listen-port", NULL, NULL,
	       (const char *[]){ "show", "pt0", "listen-port", NULL },
	       "51820\n");
	expect("show interfaces", NULL, NULL,
	       (const char *[]){ "show", "interfaces", NULL }, "pt0 pt1\n");
}

static void test_show_failures(void)
{
	struct outcome o;

	use_links(two_links, 2);
	run(&o, NULL, NULL, (const char *[]){ "show", "nosuch", NULL });
	if (!tap_ok(o.status == 1 && !o.out[0] &&
		    !strcmp(o.err, "ptunctl: show nosuch: no device of that name (No such device)\n"),
		    "show of a missing device: one line with the kernel's reason"))
		diag_text("stderr", o.err);

	use_links(three_links, 3);
	run(&o, NULL, NULL, (const char *[]){ "show", "all", "dump", NULL });
	tap_ok(!o.status && !strcmp(o.out, "pt0\t" PRIV "\t" PUB "\t51820\t0x20\n"
				    "pt1\t(none)\t(none)\t0\toff\n") &&
	       !strcmp(o.err, "ptunctl: show gone: no device of that name (No such device)\n"),
	       "a device that vanishes is reported, the others shown, exit 0 (as wg)");

	use_links(three_links + 1, 1);
	run(&o, NULL, NULL, (const char *[]){ "show", NULL });
	tap_ok(o.status == 1 && !o.out[0] && tap_is_one_line_error(o.err),
	       "show fails when no listed device can be read");

	use_links(NULL, 0);
	run(&o, NULL, NULL, (const char *[]){ "show", NULL });
	if (!tap_ok(!o.status && !o.out[0] && !o.err[0] &&
		    !strcmp(o.log, "list\n"),
		    "no ptun device: show prints nothing and never opens genl"))
		diag_text("stderr", o.err);
	run(&o, NULL, NULL, (const char *[]){ "show", "interfaces", NULL });
	tap_ok(!o.status && !o.out[0], "no ptun device: show interfaces prints nothing");

	use_links(two_links, 2);
	fake_ipc.no_module = true;
	run(&o, NULL, NULL, (const char *[]){ "show", "pt0", NULL });
	fake_ipc.no_module = false;
	if (!tap_ok(o.status == 1 && !o.out[0] &&
		    !strcmp(o.err, "ptunctl: show pt0: ptun module not loaded (no \"ptun\" generic netlink family)\n"),
		    "no module: one line saying so"))
		diag_text("stderr", o.err);

	run(&o, NULL, NULL, (const char *[]){ "show", "pt0", "bogus", NULL });
	tap_ok(o.status == 1 && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "bogus") && !o.log[0],
	       "show with an unknown field fails before any request");
}

/* dir/name, holding key, readable by its owner alone. */
static void write_key_file(char path[static 256], const char *dir,
			   const char *name, const char *key)
{
	FILE *file;

	snprintf(path, 256, "%s/%s", dir, name);
	file = fopen(path, "w");
	if (!file || fprintf(file, "%s\n", key) < 0 || fclose(file) ||
	    chmod(path, 0600))
		abort();
}

static void test_set(const char *dir)
{
	char keyfile[256], want[512];
	struct outcome o;

	write_key_file(keyfile, dir, "key", PRIV);

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "listen-port", "1",
		"fwmark", "off", "private-key", keyfile, NULL });
	snprintf(want, sizeof(want),
		 "open\nset pt0 flags 0x%x port 1 fwmark 0x0 key " PRIV "\nclose\n",
		 PTUN_DEVICE_HAS_LISTEN_PORT | PTUN_DEVICE_HAS_FWMARK |
		 PTUN_DEVICE_HAS_PRIVATE_KEY);
	if (!tap_ok(!o.status && !strcmp(o.log, want) && !o.out[0] && !o.err[0],
		    "set sends one request with exactly the given settings"))
		diag_text("log", o.log);

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "fwmark", "0x10",
		NULL });
	snprintf(want, sizeof(want),
		 "open\nset pt0 flags 0x%x port 0 fwmark 0x10 key -\nclose\n",
		 PTUN_DEVICE_HAS_FWMARK);
	tap_ok(!o.status && !strcmp(o.log, want),
	       "set fwmark alone sends nothing else");

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "private-key",
		"/dev/null", NULL });
	snprintf(want, sizeof(want),
		 "open\nset pt0 flags 0x%x port 0 fwmark 0x0 key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nclose\n",
		 PTUN_DEVICE_HAS_PRIVATE_KEY);
	tap_ok(!o.status && !strcmp(o.log, want),
	       "set private-key /dev/null sends the all-zero key");

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "fwmark", "1",
		"listen-port", "70000", NULL });
	tap_ok(o.status == 1 && !o.log[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "70000"),
	       "set with a bad value after a good one sends nothing");

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", NULL });
	tap_ok(o.status == 1 && !o.log[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "usage"), "set without settings sends nothing");

	fake_ipc.set_error = "the device is not a ptun device (Operation not supported)";
	run(&o, NULL, NULL, (const char *[]){ "set", "lo", "fwmark", "1", NULL });
	fake_ipc.set_error = NULL;
	if (!tap_ok(o.status == 1 &&
		    !strcmp(o.err, "ptunctl: set lo: the device is not a ptun device (Operation not supported)\n"),
		    "a refused set: one line with the kernel's reason, exit 1"))
		diag_text("stderr", o.err);

	fake_ipc.no_module = true;
	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "fwmark", "1", NULL });
	fake_ipc.no_module = false;
	tap_ok(o.status == 1 && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "set pt0: ptun module not loaded") &&
	       !strstr(o.log, "set "), "set without the module: one line, no request");
	unlink(keyfile);
}

static void set_key(uint8_t key[PTUN_KEY_LEN], const char *base64)
{
	if (!key_from_base64(key, base64, strlen(base64)))
		abort();
}

static void set_ip(struct ptun_allowedip *ip, int family, const char *addr,
		   uint8_t cidr)
{
	ip->family = (uint16_t)family;
	ip->cidr = cidr;
	if (inet_pton(family, addr, &ip->ip6) != 1)
		abort();
}

/*
 * pt2: three peers in the kernel's order B, A, C.  A had the latest
 * handshake, 62 seconds ago; C one 25 hours ago; B never.
 */
static void make_peer_device(struct ptun_device *dev)
{
	struct ptun_peer *a = &peers[1], *b = &peers[0], *c = &peers[2];

	strcpy(dev->name, "pt2");
	dev->ifindex = 8;
	dev->flags = PTUN_DEVICE_HAS_PRIVATE_KEY | PTUN_DEVICE_HAS_PUBLIC_KEY |
		     PTUN_DEVICE_HAS_LISTEN_PORT | PTUN_DEVICE_HAS_FWMARK;
	set_key(dev->private_key, PRIV);
	set_key(dev->public_key, PUB);
	dev->listen_port = 51821;
	dev->peers = peers;
	dev->nr_peers = 3;

	set_key(b->public_key, PEER_B);
	b->flags = PTUN_PEER_HAS_KEEPALIVE;
	b->endpoint.addr6.sin6_family = AF_INET6;
	b->endpoint.addr6.sin6_port = htons(51821);
	inet_pton(AF_INET6, "2001:db8::1", &b->endpoint.addr6.sin6_addr);
	set_ip(&peer_b_ips[0], AF_INET6, "fd00::", 64);
	b->allowedips = peer_b_ips;
	b->nr_allowedips = 1;

	set_key(a->public_key, PEER_A);
	set_key(a->preshared_key, PSK);
	a->flags = PTUN_PEER_HAS_PRESHARED_KEY | PTUN_PEER_HAS_KEEPALIVE;
	a->endpoint.addr4.sin_family = AF_INET;
	a->endpoint.addr4.sin_port = htons(51820);
	inet_pton(AF_INET, "192.0.2.1", &a->endpoint.addr4.sin_addr);
	a->keepalive = 25;
	a->last_handshake_ns = (NOW - 62) * NSEC_PER_SEC + 5;
	a->rx_bytes = 1239;
	a->tx_bytes = 3565158;
	set_ip(&peer_a_ips[0], AF_INET, "10.0.0.0", 24);
	set_ip(&peer_a_ips[1], AF_INET, "10.1.0.1", 32);
	a->allowedips = peer_a_ips;
	a->nr_allowedips = 2;

	set_key(c->public_key, PEER_C);
	c->flags = PTUN_PEER_HAS_KEEPALIVE;
	c->keepalive = 3600;
	c->last_handshake_ns = (NOW - 90001) * NSEC_PER_SEC;
	c->tx_bytes = 100;
}

#define PT2_INTERFACE \
	"interface: pt2\n" \
	"  public key: " PUB "\n" \
	"  private key: (hidden)\n" \
	"  listening port: 51821\n"
#define PT2_PEER_A(psk) \
	"peer: " PEER_A "\n" \
	"  preshared key: " psk "\n" \
	"  endpoint: 192.0.2.1:51820\n" \
	"  allowed ips: 10.0.0.0/24, 10.1.0.1/32\n" \
	"  latest handshake: 1 minute, 2 seconds ago\n" \
	"  transfer: 1.21 KiB received, 3.40 MiB sent\n" \
	"  persistent keepalive: every 25 seconds\n"
#define PT2_PEER_C \
	"peer: " PEER_C "\n" \
	"  allowed ips: (none)\n" \
	"  latest handshake: 1 day, 1 hour, 1 second ago\n" \
	"  transfer: 0 B received, 100 B sent\n" \
	"  persistent keepalive: every 1 hour\n"
#define PT2_PEER_B \
	"peer: " PEER_B "\n" \
	"  endpoint: [2001:db8::1]:51821\n" \
	"  allowed ips: fd00::/64\n"

static void test_show_peers(void)
{
	use_links(peer_links, 2);

	expect("full view: peers by latest handshake, wg's lines", NULL, NULL,
	       (const char *[]){ "show", "pt2", NULL },
	       PT2_INTERFACE "\n" PT2_PEER_A("(hidden)") "\n" PT2_PEER_C "\n"
	       PT2_PEER_B);
	expect("full view, PTUN_HIDE_KEYS=never: the preshared key shows",
	       NULL, "never", (const char *[]){ "show", "pt2", NULL },
	       "interface: pt2\n"
	       "  public key: " PUB "\n"
	       "  private key: " PRIV "\n"
	       "  listening port: 51821\n"
	       "\n" PT2_PEER_A(PSK) "\n" PT2_PEER_C "\n" PT2_PEER_B);
	expect("show all: a device without peers, then one with", NULL, NULL,
	       (const char *[]){ "show", "all", NULL },
	       PT0_VIEW
	       "\n" PT2_INTERFACE "\n" PT2_PEER_A("(hidden)") "\n" PT2_PEER_C
	       "\n" PT2_PEER_B);
	expect("full view in colour: wg's yellow peers and cyan units",
	       "always", NULL, (const char *[]){ "show", "pt2", NULL },
	       "\x1b[0m\x1b[32m\x1b[1minterface\x1b[0m: \x1b[32mpt2\x1b[0m\n"
	       "  \x1b[1mpublic key\x1b[0m: " PUB "\n"
	       "  \x1b[1mprivate key\x1b[0m: (hidden)\n"
	       "  \x1b[1mlistening port\x1b[0m: 51821\n"
	       "\n"
	       "\x1b[33m\x1b[1mpeer\x1b[0m: \x1b[33m" PEER_A "\x1b[0m\n"
	       "  \x1b[1mpreshared key\x1b[0m: (hidden)\n"
	       "  \x1b[1mendpoint\x1b[0m: 192.0.2.1:51820\n"
	       "  \x1b[1mallowed ips\x1b[0m: 10.0.0.0\x1b[36m/\x1b[0m24, "
	       "10.1.0.1\x1b[36m/\x1b[0m32\n"
	       "  \x1b[1mlatest handshake\x1b[0m: 1 \x1b[36mminute\x1b[0m, "
	       "2 \x1b[36mseconds\x1b[0m ago\n"
	       "  \x1b[1mtransfer\x1b[0m: 1.21 \x1b[36mKiB\x1b[0m received, "
	       "3.40 \x1b[36mMiB\x1b[0m sent\n"
	       "  \x1b[1mpersistent keepalive\x1b[0m: every 25 "
	       "\x1b[36mseconds\x1b[0m\n"
	       "\n"
	       "\x1b[33m\x1b[1mpeer\x1b[0m: \x1b[33m" PEER_C "\x1b[0m\n"
	       "  \x1b[1mallowed ips\x1b[0m: (none)\n"
	       "  \x1b[1mlatest handshake\x1b[0m: 1 \x1b[36mday\x1b[0m, "
	       "1 \x1b[36mhour\x1b[0m, 1 \x1b[36msecond\x1b[0m ago\n"
	       "  \x1b[1mtransfer\x1b[0m: 0 \x1b[36mB\x1b[0m received, "
	       "100 \x1b[36mB\x1b[0m sent\n"
	       "  \x1b[1mpersistent keepalive\x1b[0m: every 1 "
	       "\x1b[36mhour\x1b[0m\n"
	       "\n"
	       "\x1b[33m\x1b[1mpeer\x1b[0m: \x1b[33m" PEER_B "\x1b[0m\n"
	       "  \x1b[1mendpoint\x1b[0m: [2001:db8::1]:51821\n"
	       "  \x1b[1mallowed ips\x1b[0m: fd00::\x1b[36m/\x1b[0m64\n");
}

/* Every peer field, for pt2 alone and, with its name, under `all'. */
static void test_show_peer_fields(void)
{
	static const struct {
		const char *field, *lines[3];
	} fields[] = {
		{ "peers", { PEER_B, PEER_A, PEER_C } },
		{ "preshared-keys", { PEER_B "\t(none)", PEER_A "\t" PSK,
				      PEER_C "\t(none)" } },
		{ "endpoints", { PEER_B "\t[2001:db8::1]:51821",
				 PEER_A "\t192.0.2.1:51820", PEER_C "\t(none)" } },
		{ "allowed-ips", { PEER_B "\tfd00::/64",
				   PEER_A "\t10.0.0.0/24 10.1.0.1/32",
				   PEER_C "\t(none)" } },
		{ "latest-handshakes", { PEER_B "\t0", PEER_A "\t1699999938",
					 PEER_C "\t1699909999" } },
		{ "transfer", { PEER_B "\t0\t0", PEER_A "\t1239\t3565158",
				PEER_C "\t0\t100" } },
		{ "persistent-keepalive", { PEER_B "\toff", PEER_A "\t25",
					    PEER_C "\t3600" } },
	};
	char one[1024], all[1024], what[96];
	size_t i, j, a, b;

	use_links(peer_links, 2);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		one[0] = all[0] = '\0';
		for (j = 0, a = b = 0; j < 3; j++) {
			a += snprintf(one + a, sizeof(one) - a, "%s\n",
				      fields[i].lines[j]);
			b += snprintf(all + b, sizeof(all) - b, "pt2\t%s\n",
				      fields[i].lines[j]);
		}
		snprintf(what, sizeof(what), "show pt2 %s", fields[i].field);
		expect(what, NULL, NULL,
		       (const char *[]){ "show", "pt2", fields[i].field, NULL },
		       one);
		snprintf(what, sizeof(what),
			 "show all %s: pt0 has no peer lines", fields[i].field);
		expect(what, NULL, NULL,
		       (const char *[]){ "show", "all", fields[i].field, NULL },
		       all);
	}
	expect("show pt2 dump: the interface, then a line per peer", NULL, NULL,
	       (const char *[]){ "show", "pt2", "dump", NULL },
	       PRIV "\t" PUB "\t51821\toff\n"
	       PEER_B "\t(none)\t[2001:db8::1]:51821\tfd00::/64\t0\t0\t0\toff\n"
	       PEER_A "\t" PSK "\t192.0.2.1:51820\t10.0.0.0/24,10.1.0.1/32\t"
	       "1699999938\t1239\t3565158\t25\n"
	       PEER_C "\t(none)\t(none)\t(none)\t1699909999\t0\t100\t3600\n");
	expect("show all dump: every line starts with the interface", NULL,
	       NULL, (const char *[]){ "show", "all", "dump", NULL },
	       "pt0\t" PRIV "\t" PUB "\t51820\t0x20\n"
	       "pt2\t" PRIV "\t" PUB "\t51821\toff\n"
	       "pt2\t" PEER_B "\t(none)\t[2001:db8::1]:51821\tfd00::/64\t0\t0\t0\toff\n"
	       "pt2\t" PEER_A "\t" PSK "\t192.0.2.1:51820\t10.0.0.0/24,10.1.0.1/32\t"
	       "1699999938\t1239\t3565158\t25\n"
	       "pt2\t" PEER_C "\t(none)\t(none)\t(none)\t1699909999\t0\t100\t3600\n");
	expect("show pt0 peers: a device without peers prints nothing", NULL,
	       NULL, (const char *[]){ "show", "pt0", "peers", NULL }, "");
}

static void test_set_peers(const char *dir)
{
	char pskfile[256], want[1024];
	struct outcome o;

	write_key_file(pskfile, dir, "psk", PSK);

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "listen-port",
		"51820", "peer", PEER_A, "preshared-key", pskfile, "endpoint",
		"[2001:db8::1]:51820", "persistent-keepalive", "25",
		"allowed-ips", "10.0.0.1/24,fd00::/64", "peer", PEER_B, "remove",
		"peer", PEER_C, "allowed-ips", "+10.2.0.0/16,-10.3.0.0/16",
		"persistent-keepalive", "off", NULL });
	snprintf(want, sizeof(want),
		 "open\n"
		 "set pt0 flags 0x%x port 51820 fwmark 0x0 key -\n"
		 "  peer " PEER_A " flags 0x%x psk " PSK " endpoint [2001:db8::1]:51820 keepalive 25 allowed-ips +10.0.0.0/24,+fd00::/64\n"
		 "  peer " PEER_B " flags 0x%x psk - endpoint - keepalive - allowed-ips -\n"
		 "  peer " PEER_C " flags 0x%x psk - endpoint - keepalive 0 allowed-ips +10.2.0.0/16,-10.3.0.0/16\n"
		 "close\n",
		 PTUN_DEVICE_HAS_LISTEN_PORT,
		 PTUN_PEER_HAS_PRESHARED_KEY | PTUN_PEER_HAS_KEEPALIVE |
		 PTUN_PEER_REPLACE_ALLOWEDIPS, PTUN_PEER_REMOVE,
		 PTUN_PEER_HAS_KEEPALIVE);
	if (!tap_ok(!o.status && !strcmp(o.log, want) && !o.out[0] &&
		    !strcmp(o.err, "ptunctl: warning: allowed IP `10.0.0.1/24' has host bits set; using 10.0.0.0/24\n"),
		    "set with three peers: one change, each peer as given"))
		diag_text("log", o.log);

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "peer", PEER_A,
		"allowed-ips", "10.0.0.0/8", "peer", PEER_B, "endpoint",
		"192.0.2.1", NULL });
	tap_ok(o.status == 1 && !o.log[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "192.0.2.1"),
	       "a bad endpoint of the second peer: nothing is sent, not even the first");

	fake_ipc.set_error = "peer has too many allowed IPs (No space left on device)";
	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "peer", PEER_A,
		"allowed-ips", "10.0.0.0/8", NULL });
	fake_ipc.set_error = NULL;
	tap_ok(o.status == 1 &&
	       !strcmp(o.err, "ptunctl: set pt0: peer has too many allowed IPs (No space left on device)\n"),
	       "a refused peer: one line with the kernel's reason");
	unlink(pskfile);
}

#define PT2_SHOWCONF \
	"[Interface]\n" \
	"ListenPort = 51821\n" \
	"PrivateKey = " PRIV "\n" \
	"\n" \
	"[Peer]\n" \
	"PublicKey = " PEER_B "\n" \
	"AllowedIPs = fd00::/64\n" \
	"Endpoint = [2001:db8::1]:51821\n" \
	"\n" \
	"[Peer]\n" \
	"PublicKey = " PEER_A "\n" \
	"PresharedKey = " PSK "\n" \
	"AllowedIPs = 10.0.0.0/24, 10.1.0.1/32\n" \
	"Endpoint = 192.0.2.1:51820\n" \
	"PersistentKeepalive = 25\n" \
	"\n" \
	"[Peer]\n" \
	"PublicKey = " PEER_C "\n" \
	"PersistentKeepalive = 3600\n"

#define ZERO_KEY "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static void test_conf_files(const char *dir)
{
	char path[256], want[2048];
	struct outcome o;

	expect("showconf: wg's file format, peers in the kernel's order", NULL,
	       NULL, (const char *[]){ "showconf", "pt2", NULL }, PT2_SHOWCONF);

	write_key_file(path, dir, "pt2.conf", PT2_SHOWCONF);
	run(&o, NULL, NULL, (const char *[]){ "setconf", "pt2", path, NULL });
	if (!tap_ok(!o.status && !o.err[0] && strstr(o.log, "set pt2 flags 0x1d port 51821 fwmark 0x0 key " PRIV "\n") &&
		    strstr(o.log, "  peer " PEER_C " flags 0xa psk - endpoint - keepalive 3600 allowed-ips -\n"),
		    "setconf: the whole configuration, peers replaced"))
		diag_text("log", o.log);

	run(&o, NULL, NULL, (const char *[]){ "addconf", "pt2", path, NULL });
	tap_ok(!o.status && strstr(o.log, "set pt2 flags 0x5 port 51821 fwmark 0x0 key " PRIV "\n") &&
	       strstr(o.log, "  peer " PEER_C " flags 0x2 psk - endpoint - keepalive 3600 allowed-ips -\n"),
	       "addconf: only what the file names");

	run(&o, NULL, NULL, (const char *[]){ "syncconf", "pt2", path, NULL });
	if (!tap_ok(!o.status && !o.err[0] &&
		    !strcmp(o.log, "open\nget pt2\nclose\n"),
		    "syncconf with the device's own showconf: nothing is sent"))
		diag_text("log", o.log);

	/* C gone, B's keepalive and A's preshared key changed, PUB new. */
	write_key_file(path, dir, "pt2.conf",
		       "[Interface]\nPrivateKey = " PRIV "\n"
		       "[Peer]\nPublicKey = " PEER_B "\nAllowedIPs = fd00::/64\n"
		       "PersistentKeepalive = 10\n"
		       "[Peer]\nPublicKey = " PEER_A "\n"
		       "AllowedIPs = 10.1.0.1/32, 10.0.0.0/24\n"
		       "[Peer]\nPublicKey = " PUB "\nAllowedIPs = 10.9.0.0/16\n");
	run(&o, NULL, NULL, (const char *[]){ "syncconf", "pt2", path, NULL });
	snprintf(want, sizeof(want),
		 "open\nget pt2\nset pt2 flags 0x0 port 0 fwmark 0x0 key -\n"
		 "  peer " PEER_C " flags 0x%x psk - endpoint - keepalive - allowed-ips -\n"
		 "  peer " PEER_B " flags 0x%x psk - endpoint - keepalive 10 allowed-ips -\n"
		 "  peer " PEER_A " flags 0x%x psk " ZERO_KEY " endpoint - keepalive 0 allowed-ips -\n"
		 "  peer " PUB " flags 0x%x psk - endpoint - keepalive - allowed-ips +10.9.0.0/16\n"
		 "close\n", PTUN_PEER_REMOVE, PTUN_PEER_HAS_KEEPALIVE,
		 PTUN_PEER_HAS_PRESHARED_KEY | PTUN_PEER_HAS_KEEPALIVE,
		 PTUN_PEER_REPLACE_ALLOWEDIPS);
	if (!tap_ok(!o.status && !o.err[0] && !strcmp(o.log, want),
		    "syncconf sends only the differences; unchanged peers and settings are not named"))
		diag_text("log", o.log);

	write_key_file(path, dir, "pt2.conf",
		       "[Interface]\nListenPort = 51822\nFwMark = 3\n");
	run(&o, NULL, NULL, (const char *[]){ "syncconf", "pt2", path, NULL });
	/* All three of pt2's peers, in the kernel's order, and nothing more. */
	snprintf(want, sizeof(want),
		 "open\nget pt2\nset pt2 flags 0x%x port 51822 fwmark 0x3 key " ZERO_KEY "\n"
		 "  peer " PEER_B " flags 0x%x psk - endpoint - keepalive - allowed-ips -\n"
		 "  peer " PEER_A " flags 0x%x psk - endpoint - keepalive - allowed-ips -\n"
		 "  peer " PEER_C " flags 0x%x psk - endpoint - keepalive - allowed-ips -\n"
		 "close\n",
		 PTUN_DEVICE_HAS_PRIVATE_KEY | PTUN_DEVICE_HAS_LISTEN_PORT |
		 PTUN_DEVICE_HAS_FWMARK, PTUN_PEER_REMOVE, PTUN_PEER_REMOVE,
		 PTUN_PEER_REMOVE);
	if (!tap_ok(!o.status && !strcmp(o.log, want),
		    "syncconf: interface changes, the missing private key cleared, every peer removed"))
		diag_text("log", o.log);

	write_key_file(path, dir, "pt2.conf", "[Interface]\nListenPort = 1\n[Peer]\n");
	run(&o, NULL, NULL, (const char *[]){ "syncconf", "pt2", path, NULL });
	tap_ok(o.status == 1 && !o.log[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "pt2.conf:3: "),
	       "syncconf of a bad file: one line naming it, nothing asked of the kernel");
	run(&o, NULL, NULL, (const char *[]){ "setconf", "pt2", path, NULL });
	tap_ok(o.status == 1 && !o.log[0] && tap_is_one_line_error(o.err),
	       "setconf of a bad file: nothing is sent");

	run(&o, NULL, NULL, (const char *[]){ "setconf", "pt2", NULL });
	tap_ok(o.status == 1 && !o.log[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "usage: ptunctl setconf <interface> <configuration filename>"),
	       "setconf without a file: usage");
	run(&o, NULL, NULL, (const char *[]){ "showconf", "nope", NULL });
	tap_ok(o.status == 1 && !o.out[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "showconf nope: "), "showconf of a missing device: one line");
	unlink(path);
}

/* What show --json says of counters that are all zero, at an indentation. */
#define JSON_ZERO_DROPS(ind) \
	ind "\"drops\": {\n" \
	ind "  \"no_peer\": 0,\n" \
	ind "  \"no_endpoint\": 0,\n" \
	ind "  \"no_session\": 0,\n" \
	ind "  \"staged_full\": 0,\n" \
	ind "  \"send_failed\": 0,\n" \
	ind "  \"queue_full\": 0,\n" \
	ind "  \"malformed\": 0,\n" \
	ind "  \"mac1_invalid\": 0,\n" \
	ind "  \"mac2_needed\": 0,\n" \
	ind "  \"unknown_peer\": 0,\n" \
	ind "  \"handshake_invalid\": 0,\n" \
	ind "  \"timestamp_stale\": 0,\n" \
	ind "  \"ratelimited\": 0,\n" \
	ind "  \"unknown_receiver\": 0,\n" \
	ind "  \"key_expired\": 0,\n" \
	ind "  \"decrypt_failed\": 0,\n" \
	ind "  \"replayed\": 0,\n" \
	ind "  \"source_not_allowed\": 0,\n" \
	ind "  \"inner_malformed\": 0,\n" \
	ind "  \"other\": 0,\n" \
	ind "  \"handshake_late\": 0\n" \
	ind "}"

#define JSON_ZERO_HANDSHAKES(ind) \
	ind "\"handshakes\": {\n" \
	ind "  \"initiations_sent\": 0,\n" \
	ind "  \"responses_received\": 0,\n" \
	ind "  \"timeouts\": 0,\n" \
	ind "  \"gave_up\": 0,\n" \
	ind "  \"initiations_received\": 0,\n" \
	ind "  \"responses_sent\": 0,\n" \
	ind "  \"cookies_received\": 0\n" \
	ind "}"

#define JSON_ZERO_PEER_COUNTERS \
	",\n" JSON_ZERO_DROPS("          ") ",\n" JSON_ZERO_HANDSHAKES("          ")

#define PT2_JSON_PEER_A_C(handshake_a, handshake_c) \
	"        {\n" \
	"          \"public_key\": \"" PEER_A "\",\n" \
	"          \"preshared_key\": \"" PSK "\",\n" \
	"          \"endpoint\": \"192.0.2.1:51820\",\n" \
	"          \"allowed_ips\": [\n" \
	"            \"10.0.0.0/24\",\n" \
	"            \"10.1.0.1/32\"\n" \
	"          ],\n" \
	"          \"persistent_keepalive\": 25" handshake_a "\n" \
	"        },\n" \
	"        {\n" \
	"          \"public_key\": \"" PEER_C "\",\n" \
	"          \"preshared_key\": null,\n" \
	"          \"endpoint\": null,\n" \
	"          \"allowed_ips\": [],\n" \
	"          \"persistent_keepalive\": 3600" handshake_c "\n" \
	"        }\n"

#define PT2_JSON(ifindex, b_runtime, a_runtime, c_runtime) \
	"{\n" \
	"  \"version\": 1,\n" \
	"  \"interfaces\": [\n" \
	"    {\n" \
	"      \"name\": \"pt2\",\n" \
	ifindex \
	"      \"public_key\": \"" PUB "\",\n" \
	"      \"private_key\": \"" PRIV "\",\n" \
	"      \"listen_port\": 51821,\n" \
	"      \"fwmark\": 0,\n" \
	"      \"peers\": [\n" \
	"        {\n" \
	"          \"public_key\": \"" PEER_B "\",\n" \
	"          \"preshared_key\": null,\n" \
	"          \"endpoint\": \"[2001:db8::1]:51821\",\n" \
	"          \"allowed_ips\": [\n" \
	"            \"fd00::/64\"\n" \
	"          ],\n" \
	"          \"persistent_keepalive\": 0" b_runtime "\n" \
	"        },\n" \
	PT2_JSON_PEER_A_C(a_runtime, c_runtime) \
	"      ]\n" \
	"    }\n" \
	"  ]\n" \
	"}\n"

/* Passes when /usr/bin/python3 finds text valid against the schema. */
static bool schema_valid(const char *dir, const char *text, bool runtime)
{
	char path[256], command[1024];
	FILE *file;

	snprintf(path, sizeof(path), "%s/out.json", dir);
	file = fopen(path, "w");
	if (!file || fputs(text, file) < 0 || fclose(file))
		abort();
	/* Its complaints as TAP comments. */
	snprintf(command, sizeof(command),
		 "out=$(/usr/bin/python3 %s/validate-json %s %s 2>&1); s=$?; "
		 "[ -z \"$out\" ] || echo \"$out\" | sed 's/^/# /'; exit $s",
		 UNIT_DIR, runtime ? "--runtime" : "", path);
	fflush(stdout);
	return system(command) == 0;
}

/* Names are bytes: whatever they hold, the document stays valid JSON. */
static void test_json_strings(void)
{
	FILE *file = tmpfile();
	struct json json;
	char text[256];
	size_t n;

	if (!file)
		abort();
	json_begin(&json, file);
	json_array_begin(&json);
	json_string(&json, "q\"b\\n\nt\tc\x01h\xc3\xa9");
	json_object_begin(&json);
	json_object_end(&json);
	json_array_begin(&json);
	json_array_end(&json);
	json_array_end(&json);
	json_end(&json);
	rewind(file);
	n = fread(text, 1, sizeof(text) - 1, file);
	text[n] = '\0';
	fclose(file);
	if (!tap_ok(!strcmp(text, "[\n  \"q\\\"b\\\\n\\nt\\tc\\u0001h\\u00c3\\u00a9\",\n  {},\n  []\n]\n"),
		    "JSON strings: quotes, backslashes, control and high bytes escaped"))
		diag_text("got", text);
}

static void test_json(const char *dir)
{
	struct outcome o;

	expect("show --json: every field, the documented layout", NULL, NULL,
	       (const char *[]){ "show", "pt2", "--json", NULL },
	       PT2_JSON("      \"ifindex\": 8,\n" JSON_ZERO_DROPS("      ") ",\n",
			",\n          \"latest_handshake\": null,\n"
			"          \"rx_bytes\": 0,\n"
			"          \"tx_bytes\": 0" JSON_ZERO_PEER_COUNTERS,
			",\n          \"latest_handshake\": {\n"
			"            \"epoch_seconds\": 1699999938,\n"
			"            \"iso8601\": \"2023-11-14T22:12:18Z\"\n"
			"          },\n"
			"          \"rx_bytes\": 1239,\n"
			"          \"tx_bytes\": 3565158" JSON_ZERO_PEER_COUNTERS,
			",\n          \"latest_handshake\": {\n"
			"            \"epoch_seconds\": 1699909999,\n"
			"            \"iso8601\": \"2023-11-13T21:13:19Z\"\n"
			"          },\n"
			"          \"rx_bytes\": 0,\n"
			"          \"tx_bytes\": 100" JSON_ZERO_PEER_COUNTERS));
	run(&o, NULL, NULL, (const char *[]){ "show", "--json", "pt2", NULL });
	tap_ok(!o.status && schema_valid(dir, o.out, true),
	       "show --json pt2 is valid against the schema, run-time members included");

	expect("showconf --json: the configuration alone", NULL, NULL,
	       (const char *[]){ "showconf", "pt2", "--json", NULL },
	       PT2_JSON("", "", "", ""));
	run(&o, NULL, NULL, (const char *[]){ "showconf", "--json", "pt2", NULL });
	tap_ok(!o.status && schema_valid(dir, o.out, false),
	       "showconf --json is valid against the schema, without run-time members");

	tap_ok(!schema_valid(dir, "{\"version\": 1, \"interfaces\": [{\"name\": \"pt0\"}]}", false) &&
	       !schema_valid(dir, PT2_JSON("", "", "", ""), true),
	       "the schema check refuses missing members, and run-time members missing");

	use_links(three_links, 3);
	run(&o, NULL, NULL, (const char *[]){ "show", "all", "--json", NULL });
	tap_ok(o.status == 0 && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "show gone: ") && strstr(o.out, "\"pt0\"") &&
	       strstr(o.out, "\"pt1\"") && schema_valid(dir, o.out, true),
	       "show all --json: one valid document, a vanished device reported and skipped");
	use_links(NULL, 0);
	run(&o, NULL, NULL, (const char *[]){ "show", "--json", NULL });
	tap_ok(!o.status && !strcmp(o.out, "{\n  \"version\": 1,\n  \"interfaces\": []\n}\n") &&
	       schema_valid(dir, o.out, true),
	       "show --json without devices: an empty list");
	run(&o, NULL, NULL, (const char *[]){ "show", "pt2", "peers", "--json", NULL });
	tap_ok(o.status == 1 && !o.out[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "usage"), "--json with a field: a usage error");
	run(&o, NULL, NULL, (const char *[]){ "show", "interfaces", "--json", NULL });
	tap_ok(o.status == 1 && !o.out[0] && tap_is_one_line_error(o.err),
	       "show interfaces --json: a usage error");
}

int main(void)
{
	char dir[] = "/tmp/ptunctl-commands.XXXXXX";

	strcpy(devices[0].name, "pt0");
	devices[0].ifindex = 5;
	devices[0].flags = PTUN_DEVICE_HAS_PRIVATE_KEY |
			   PTUN_DEVICE_HAS_PUBLIC_KEY |
			   PTUN_DEVICE_HAS_LISTEN_PORT | PTUN_DEVICE_HAS_FWMARK;
	key_from_base64(devices[0].private_key, PRIV, strlen(PRIV));
	key_from_base64(devices[0].public_key, PUB, strlen(PUB));
	devices[0].listen_port = 51820;
	devices[0].fwmark = 0x20;
	strcpy(devices[1].name, "pt1");
	devices[1].ifindex = 7;
	devices[1].flags = PTUN_DEVICE_HAS_LISTEN_PORT | PTUN_DEVICE_HAS_FWMARK;
	make_peer_device(&devices[2]);
	fake_ipc.devices = devices;
	fake_ipc.nr_devices = 3;

	if (!mkdtemp(dir))
		abort();
	test_show_views();
	test_show_fields();
	test_show_failures();
	test_show_peers();
	test_show_peer_fields();
	test_set(dir);
	test_set_peers(dir);
	test_conf_files(dir);
	test_json_strings();
	test_json(dir);
	rmdir(dir);
	return tap_exit_status();
}
