// SPDX-License-Identifier: GPL-2.0
/*
 * Endpoints and allowed IPs: what is accepted, what it becomes, how it is
 * written back, and the resolver's retries.  getaddrinfo() and nanosleep()
 * are replaced here, so names resolve without a network and retries take
 * no time.
 */
#include <dlfcn.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "tap.h"

static char errors[4096];

/* The fake resolver: names only, when faking; literals go to libc's. */
static struct {
	bool on;
	int again;		/* EAI_AGAIN answers before the last */
	int last;		/* 0: the name is 192.0.2.7 */
	unsigned int calls, sleeps;
	long slept_ms, longest_ms;
	bool addrconfig;	/* every name lookup had AI_ADDRCONFIG */
} fake;

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	int (*real)(const char *, const char *, const struct addrinfo *,
		    struct addrinfo **) = dlsym(RTLD_NEXT, "getaddrinfo");
	struct addrinfo numeric;

	if (!real)
		abort();
	if (!fake.on || hints->ai_flags & AI_NUMERICHOST)
		return real(node, service, hints, res);
	fake.calls++;
	fake.addrconfig &= !!(hints->ai_flags & AI_ADDRCONFIG);
	if (fake.again) {
		fake.again--;
		return EAI_AGAIN;
	}
	if (fake.last)
		return fake.last;
	numeric = *hints;
	numeric.ai_flags = AI_NUMERICHOST;
	return real("192.0.2.7", service, &numeric, res);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	long ms = req->tv_sec * 1000 + req->tv_nsec / 1000000;

	(void)rem;
	fake.sleeps++;
	fake.slept_ms += ms;
	if (ms > fake.longest_ms)
		fake.longest_ms = ms;
	return 0;
}

static void fake_resolver(int again, int last)
{
	memset(&fake, 0, sizeof(fake));
	fake.on = true;
	fake.addrconfig = true;
	fake.again = again;
	fake.last = last;
}

#define parse_endpoint(arg, endpoint) \
	tap_captured(errors, address_parse_endpoint(arg, endpoint))
#define parse_allowedip(arg, ip) \
	tap_captured(errors, address_parse_allowedip(arg, ip))

static unsigned int lines(const char *text)
{
	unsigned int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static void test_endpoints(void)
{
	static const struct {
		const char *arg, *text;
		int family;
	} good[] = {
		{ "192.0.2.1:51820", "192.0.2.1:51820", AF_INET },
		{ "192.0.2.1:00080", "192.0.2.1:80", AF_INET },
		{ "255.255.255.255:65535", "255.255.255.255:65535", AF_INET },
		{ "[2001:db8::1]:51820", "[2001:db8::1]:51820", AF_INET6 },
		{ "[2001:DB8:0:0::1]:1", "[2001:db8::1]:1", AF_INET6 },
		{ "[::ffff:192.0.2.1]:1", "[::ffff:192.0.2.1]:1", AF_INET6 },
		{ "[fe80::1%lo]:51820", "[fe80::1%lo]:51820", AF_INET6 },
		{ "[fe80::1%1]:51820", "[fe80::1%lo]:51820", AF_INET6 },
	};
	static const struct {
		const char *arg, *culprit;
	} bad[] = {
		{ "", "no :port" },
		{ "192.0.2.1", "no :port" },
		{ "192.0.2.1:", "no :port" },
		{ "192.0.2.1:0", "port `0'" },
		{ "192.0.2.1:65536", "port `65536'" },
		{ "192.0.2.1:-1", "port `-1'" },
		{ "192.0.2.1: 80", "port ` 80'" },
		{ "192.0.2.1:http", "port `http'" },
		{ ":51820", "no usable host" },
		{ "[2001:db8::1]", "no :port" },
		{ "[2001:db8::1]:", "no :port" },
		{ "[2001:db8::1]51820", "no :port" },
		{ "[2001:db8::1:51820", "no closing bracket" },
		{ "[]:51820", "no usable host" },
		{ "2001:db8::1:51820", "brackets" },
		{ "::1", "brackets" },
		{ "[192.0.2.1]:51820", "not an IPv6 address" },
		{ "[fe80::1%nosuchif0]:1", "not an IPv6 address" },
		{ "[2001:db8::g]:1", "not an IPv6 address" },
	};
	union ptun_endpoint endpoint;
	char text[ENDPOINT_TEXT_SIZE];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&endpoint, 0xa5, sizeof(endpoint));
		ret = parse_endpoint(good[i].arg, &endpoint);
		text[0] = '\0';
		if (!ret)
			address_endpoint_text(text, &endpoint);
		if (!tap_ok(!ret && !errors[0] &&
			    endpoint.addr.sa_family == good[i].family &&
			    !strcmp(text, good[i].text),
			    "endpoint `%s' is read, and written as wg does: %s",
			    good[i].arg, good[i].text))
			tap_diag("ret %d, text `%s', stderr %s", ret, text,
				 errors);
	}
	tap_ok(!parse_endpoint("[fe80::1%lo]:51820", &endpoint) &&
	       endpoint.addr6.sin6_scope_id == if_nametoindex("lo") &&
	       endpoint.addr6.sin6_port == htons(51820),
	       "a scope by name becomes the interface's index");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ret = parse_endpoint(bad[i].arg, &endpoint);
		if (!tap_ok(ret < 0 && tap_is_one_line_error(errors) &&
			    strstr(errors, bad[i].arg) &&
			    strstr(errors, bad[i].culprit),
			    "endpoint `%s' is refused: %s", bad[i].arg,
			    bad[i].culprit))
			tap_diag("stderr: %s", errors);
	}
}

static void test_names(void)
{
	union ptun_endpoint endpoint;
	char text[ENDPOINT_TEXT_SIZE];
	int ret;

	unsetenv("PTUN_ENDPOINT_RESOLUTION_RETRIES");
	fake_resolver(0, 0);
	ret = parse_endpoint("vpn.example:51820", &endpoint);
	address_endpoint_text(text, &endpoint);
	tap_ok(!ret && !errors[0] && !strcmp(text, "192.0.2.7:51820") &&
	       fake.calls == 1 && fake.addrconfig,
	       "a name is resolved once, with AI_ADDRCONFIG");

	fake_resolver(0, 0);
	parse_endpoint("192.0.2.1:1", &endpoint);
	parse_endpoint("[2001:db8::1]:1", &endpoint);
	tap_ok(!fake.calls, "literals never reach the resolver");

	fake_resolver(2, 0);
	ret = parse_endpoint("vpn.example:51820", &endpoint);
	if (!tap_ok(!ret && fake.calls == 3 && fake.sleeps == 2 &&
		    fake.slept_ms == 1000 + 1200 && lines(errors) == 2 &&
		    strstr(errors, "ptunctl: warning: endpoint `vpn.example:51820': ") &&
		    strstr(errors, "trying again in 1.00 seconds\n") &&
		    strstr(errors, "trying again in 1.20 seconds\n"),
		    "EAI_AGAIN twice: retried after 1 s and 1.2 s, one warning each"))
		tap_diag("calls %u sleeps %u ms %ld stderr %s", fake.calls,
			 fake.sleeps, fake.slept_ms, errors);

	fake_resolver(100, 0);
	ret = parse_endpoint("vpn.example:51820", &endpoint);
	if (!tap_ok(ret < 0 && fake.calls == 16 && fake.sleeps == 15 &&
	       fake.longest_ms == 12825 && lines(errors) == 16 &&
	       strstr(errors, "\nptunctl: endpoint `vpn.example:51820': Temporary failure in name resolution\n"),
	       "15 retries by default, waits growing by a fifth, then one error line"))
		tap_diag("calls %u sleeps %u longest %ld lines %u", fake.calls,
			 fake.sleeps, fake.longest_ms, lines(errors));

	setenv("PTUN_ENDPOINT_RESOLUTION_RETRIES", "1", 1);
	fake_resolver(100, 0);
	ret = parse_endpoint("vpn.example:51820", &endpoint);
	tap_ok(ret < 0 && fake.calls == 2 && fake.sleeps == 1,
	       "PTUN_ENDPOINT_RESOLUTION_RETRIES=1: one retry");

	setenv("PTUN_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
	fake_resolver(100, 0);
	ret = parse_endpoint("vpn.example:51820", &endpoint);
	tap_ok(ret < 0 && fake.calls == 1 && !fake.sleeps &&
	       tap_is_one_line_error(errors),
	       "PTUN_ENDPOINT_RESOLUTION_RETRIES=0: no retry, one line");

	setenv("PTUN_ENDPOINT_RESOLUTION_RETRIES", "infinity", 1);
	fake_resolver(40, 0);
	ret = parse_endpoint("vpn.example:51820", &endpoint);
	tap_ok(!ret && fake.calls == 41 && fake.longest_ms == 20000,
	       "PTUN_ENDPOINT_RESOLUTION_RETRIES=infinity: until it works, waits capped at 20 s");

	setenv("PTUN_ENDPOINT_RESOLUTION_RETRIES", "lots", 1);
	fake_resolver(0, 0);
	ret = parse_endpoint("vpn.example:51820", &endpoint);
	tap_ok(ret < 0 && !fake.calls && tap_is_one_line_error(errors) &&
	       strstr(errors, "PTUN_ENDPOINT_RESOLUTION_RETRIES `lots'"),
	       "a bad PTUN_ENDPOINT_RESOLUTION_RETRIES is refused, naming it");
	unsetenv("PTUN_ENDPOINT_RESOLUTION_RETRIES");

	fake_resolver(0, EAI_NONAME);
	ret = parse_endpoint("nosuch.example:51820", &endpoint);
	tap_ok(ret < 0 && fake.calls == 1 && tap_is_one_line_error(errors) &&
	       strstr(errors, "nosuch.example:51820"),
	       "an unknown name: no retry, one line naming it");
	fake.on = false;

	ret = parse_endpoint("localhost:51820", &endpoint);
	address_endpoint_text(text, &endpoint);
	if (ret)
		tap_ok(true, "localhost resolves # SKIP no resolver here: %s",
		       errors);
	else
		tap_ok(!strcmp(text, "127.0.0.1:51820") ||
		       !strcmp(text, "[::1]:51820"),
		       "localhost:51820 resolves to a loopback endpoint (%s)",
		       text);
}

static void test_allowedips(void)
{
	static const struct {
		const char *arg, *text;
		uint8_t cidr;
		int family;
		bool warns;
	} good[] = {
		{ "10.0.0.0/8", "10.0.0.0", 8, AF_INET, false },
		{ "10.0.0.1", "10.0.0.1", 32, AF_INET, false },
		{ "0.0.0.0/0", "0.0.0.0", 0, AF_INET, false },
		{ "10.0.0.0/024", "10.0.0.0", 24, AF_INET, false },
		{ "2001:db8::/32", "2001:db8::", 32, AF_INET6, false },
		{ "2001:db8::1", "2001:db8::1", 128, AF_INET6, false },
		{ "::/0", "::", 0, AF_INET6, false },
		{ "::ffff:10.0.0.1/128", "::ffff:10.0.0.1", 128, AF_INET6, false },
		{ "10.0.0.1/24", "10.0.0.0", 24, AF_INET, true },
		{ "10.255.255.255/9", "10.128.0.0", 9, AF_INET, true },
		{ "1.2.3.4/0", "0.0.0.0", 0, AF_INET, true },
		{ "2001:db8::1/64", "2001:db8::", 64, AF_INET6, true },
		{ "fe80::ffff:1:2:3/65", "fe80::8000:0:0:0", 65, AF_INET6, true },
		{ "2001:db8::1/127", "2001:db8::", 127, AF_INET6, true },
	};
	static const char *const bad[] = {
		"", "/24", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/",
		"10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0",
		"10.0.0.256", "garbage", "10.0.0.0/ 8", " 10.0.0.0/8", "::1::2",
		"10.0.0.1%eth0", "2001:db8::/0x20", "10.0.0.0/8x",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
	};
	struct ptun_allowedip ip;
	char text[INET6_ADDRSTRLEN], want[128];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ret = parse_allowedip(good[i].arg, &ip);
		address_ip_text(text, &ip);
		snprintf(want, sizeof(want),
			 "ptunctl: warning: allowed IP `%s' has host bits set; using %s/%u\n",
			 good[i].arg, good[i].text, good[i].cidr);
		if (!tap_ok(!ret && ip.family == good[i].family &&
			    ip.cidr == good[i].cidr && !ip.flags &&
			    !strcmp(text, good[i].text) &&
			    !strcmp(errors, good[i].warns ? want : ""),
			    "allowed IP `%s' is %s/%u%s", good[i].arg,
			    good[i].text, good[i].cidr,
			    good[i].warns ? ", with one warning line" : ""))
			tap_diag("ret %d text %s/%u stderr %s", ret, text,
				 ip.cidr, errors);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ret = parse_allowedip(bad[i], &ip);
		if (!tap_ok(ret < 0 && tap_is_one_line_error(errors) &&
			    strstr(errors, "allowed IP") && strstr(errors, bad[i]),
			    "allowed IP `%s' is refused with one line naming it",
			    bad[i]))
			tap_diag("stderr: %s", errors);
	}
}

int main(void)
{
	test_endpoints();
	test_names();
	test_allowedips();
	return tap_exit_status();
}
