#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ptunctl run as a user runs it, for everything that needs no ptun module:
# keys, help, and arguments that are refused before any netlink traffic.
# Where wg(8) is installed, keys are checked against it.
#
# PTUNCTL=path/to/ptunctl sh test_cli.sh

PTUNCTL=${PTUNCTL:-$(dirname "$0")/../../tools/ptunctl/ptunctl}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
umask 077
n=0
failed=0

# A private key of `wg genkey' and its `wg pubkey'.
WG_PRIVATE=sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo=
WG_PUBLIC=TjjzMgj46kez5jlOhNemBbp44W/mCeIyZnzC2Jx20So=
# All bytes 0xff, not clamped, and its `wg pubkey'.
FF_PRIVATE=//////////////////////////////////////////8=
FF_PUBLIC=hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=

# result STATUS DESCRIPTION: one TAP line, and on failure the output seen.
result()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
		return
	fi
	echo "not ok $n - $2"
	failed=$((failed + 1))
	echo "# exit status $rc"
	for f in out err; do
		[ -s "$tmp/$f" ] && sed "s/^/# std$f: /" "$tmp/$f"
	done
}

skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# run ARGS...: ptunctl with stdin from $tmp/in, output in $tmp/out and
# $tmp/err, exit status in $rc.
run()
{
	"$PTUNCTL" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# input TEXT: what the next run reads on stdin; \n and \r are expanded.
input()
{
	printf '%b' "$1" >"$tmp/in"
}

# The last run failed with status 1, wrote nothing on stdout and exactly
# one "ptunctl: " line on stderr, which contains every argument given.
failed_one_line()
{
	[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] &&
		[ "$(wc -l <"$tmp/err")" -eq 1 ] || return 1
	case "$(cat "$tmp/err")" in
	"ptunctl: "*) ;;
	*) return 1 ;;
	esac
	for word in "$@"; do
		grep -qF -- "$word" "$tmp/err" || return 1
	done
}

# is_key FILE: exactly one line, a canonical base64 key.
is_key()
{
	[ "$(wc -l <"$1")" -eq 1 ] &&
		grep -Eqx '[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=' "$1"
}

# key_bytes KEY: the decoded bytes in decimal, one per line.
key_bytes()
{
	printf '%s' "$1" | base64 -d | od -An -tu1 -v | tr -s ' ' '\n' |
		grep .
}

is_clamped()
{
	bytes=$(key_bytes "$1")
	first=$(echo "$bytes" | head -n 1)
	last=$(echo "$bytes" | tail -n 1)
	[ "$(echo "$bytes" | wc -l)" -eq 32 ] && [ $((first & 7)) -eq 0 ] &&
		[ $((last & 192)) -eq 64 ]
}

: >"$tmp/in"

# --- genkey, genpsk, pubkey ------------------------------------------------

run genkey
is_key "$tmp/out" && [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]
result $? "genkey prints one canonical base64 key, nothing on stderr"

status=0
i=0
while [ $i -lt 32 ]; do
	key=$("$PTUNCTL" genkey)
	echo "$key" >>"$tmp/keys"
	is_clamped "$key" || { status=1; echo "# not clamped: $key"; }
	i=$((i + 1))
done
result $status "32 genkey keys are clamped Curve25519 private keys"
[ "$(sort -u "$tmp/keys" | wc -l)" -eq 32 ]
result $? "32 genkey keys are all different"

if command -v wg >/dev/null 2>&1; then
	status=0
	while read -r key; do
		mine=$(echo "$key" | "$PTUNCTL" pubkey)
		theirs=$(echo "$key" | wg pubkey)
		if [ -z "$mine" ] || [ "$mine" != "$theirs" ]; then
			status=1
			echo "# $key: $mine vs $theirs"
		fi
	done <"$tmp/keys"
	result $status "genkey | pubkey agrees with wg pubkey for 32 keys"
else
	skip "genkey | pubkey agrees with wg pubkey" "wg not installed"
fi

input "$WG_PRIVATE\n"
run pubkey
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "$WG_PUBLIC" ] && is_key "$tmp/out"
result $? "pubkey of a fixed key is the one wg pubkey gives"

input "$FF_PRIVATE"
run pubkey
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "$FF_PUBLIC" ]
result $? "pubkey clamps an unclamped key as wg pubkey does"

input "\n  $WG_PRIVATE \r\n\n"
run pubkey
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "$WG_PUBLIC" ]
result $? "pubkey accepts whitespace around the key"

run genpsk
is_key "$tmp/out" && [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]
result $? "genpsk prints one canonical base64 key"

status=1
i=0
while [ $i -lt 32 ]; do
	is_clamped "$("$PTUNCTL" genpsk)" || status=0
	i=$((i + 1))
done
result $status "genpsk keys are plain random bytes, not clamped"

for case in "garbage:not a key at all\n" \
	    "empty input:" \
	    "43 characters:sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeE=\n" \
	    "a second word:$WG_PRIVATE $WG_PRIVATE\n" \
	    "a second line:$WG_PRIVATE\nPublicKey\n" \
	    "non-canonical last character:sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEp=" \
	    "no '=':sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEoA" \
	    "URL-safe alphabet:sIYIWy5Yp1FcVuMYc2Pj5H-_2sIQQVqhWvehOwEOeEo="; do
	input "${case#*:}"
	run pubkey
	failed_one_line pubkey
	result $? "pubkey refuses ${case%%:*} with one line"
done

run pubkey extra
failed_one_line usage pubkey
result $? "pubkey with an argument is a one-line usage error"

run genkey extra
failed_one_line usage genkey
result $? "genkey with an argument is a one-line usage error"

(umask 022 && "$PTUNCTL" genkey >"$tmp/world.key" 2>"$tmp/err")
printf 'Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n' >"$tmp/want"
cmp -s "$tmp/err" "$tmp/want" && is_key "$tmp/world.key"
result $? "genkey into a world-readable file warns in wg's words, still writes"

"$PTUNCTL" genkey >"$tmp/private.key" 2>"$tmp/err"
[ ! -s "$tmp/err" ] && is_key "$tmp/private.key"
result $? "genkey under umask 077: no warning"

"$PTUNCTL" genkey <"$tmp/in" >&- 2>"$tmp/err"
rc=$?
: >"$tmp/out"
failed_one_line genkey
result $? "genkey with stdout closed fails with one line"

# --- help ------------------------------------------------------------------

run --help
status=$rc
for cmd in show set genkey genpsk pubkey; do
	grep -q "^  $cmd: " "$tmp/out" || status=1
done
grep -q '^Usage: ptunctl <cmd>' "$tmp/out" || status=1
result $status "--help lists every subcommand, exit 0"

cp "$tmp/out" "$tmp/help"
run help
[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/help"
result $? "help is --help"

# The commands and their syntax are wg's; the sentences describing them are ours.
! grep -q -e '^Available subcommands' -e 'current configuration and device information' \
	-e 'You may pass' -e 'writes it to stdout' "$tmp/help"
result $? "--help describes the commands in ptun's own words, not wg(8)'s"

run help set
[ "$rc" -eq 0 ] && grep -qF 'Usage: ptunctl set <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips [+|-]<ip1>/<cidr1>[,[+|-]<ip2>/<cidr2>]...] ]...' "$tmp/out"
result $? "help set shows wg's set syntax, peers included"

cp "$tmp/out" "$tmp/help"
run set --help
[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/help"
result $? "set --help is help set"

run help show
[ "$rc" -eq 0 ] && grep -qF 'Usage: ptunctl show { <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump [--counters] | --json]' "$tmp/out"
result $? "help show shows wg's show syntax, peer fields included, and --json"

run genkey -h
[ "$rc" -eq 0 ] && grep -q '^Usage: ptunctl genkey$' "$tmp/out"
result $? "genkey -h shows its usage"

run help nosuch
failed_one_line nosuch
result $? "help for an unknown subcommand is a one-line error"

run frobnicate pt0
failed_one_line frobnicate "ptunctl help"
result $? "an unknown subcommand is a one-line error with a hint"

run --version
[ "$rc" -eq 0 ] && grep -q '^ptunctl v[0-9]' "$tmp/out"
result $? "--version prints the version"

# --- set: refused before the kernel is asked --------------------------------

run set nosuchdev listen-port 70000
failed_one_line listen-port 70000 && ! grep -q nosuchdev "$tmp/err"
result $? "set nosuchdev listen-port 70000 complains about the port"

run set nosuchdev listen-port 0x10
failed_one_line listen-port 0x10 decimal
result $? "set listen-port in hex is refused as not decimal"

run set nosuchdev fwmark 0x1g
failed_one_line fwmark 0x1g
result $? "set with a bad fwmark complains about the fwmark"

run set nosuchdev listen-port 1 bogus 2
failed_one_line bogus
result $? "set with an unknown keyword names it"

run set nosuchdev peer "$WG_PUBLIC" listen-port 1
failed_one_line listen-port "first peer"
result $? "set with an interface setting after a peer says where it goes"

run set nosuchdev endpoint 192.0.2.1:51820
failed_one_line endpoint peer
result $? "set with a peer setting before any peer says so"

run set nosuchdev peer not-a-key
failed_one_line not-a-key
result $? "set with a malformed peer key names it"

run set nosuchdev peer "$WG_PUBLIC" allowed-ips 10.0.0.0/8,10.1.0.0/33
failed_one_line 10.1.0.0/33
result $? "set with a bad allowed IP names the item"

run set nosuchdev peer "$WG_PUBLIC" endpoint '2001:db8::1:51820'
failed_one_line '2001:db8::1:51820' brackets
result $? "set with an unbracketed IPv6 endpoint asks for brackets"

run set nosuchdev peer "$WG_PUBLIC" endpoint '[2001:db8::1]'
failed_one_line '[2001:db8::1]' port
result $? "set with an endpoint without port says so"

run set nosuchdev peer "$WG_PUBLIC" persistent-keepalive 65536
failed_one_line persistent-keepalive 65536
result $? "set with a keepalive past 65535 names it"

run set nosuchdev peer "$WG_PUBLIC" preshared-key "$tmp/missing.key"
failed_one_line preshared-key "$tmp/missing.key"
result $? "set with a missing preshared key file names it"

run set nosuchdev peer "$WG_PUBLIC" allowed-ips 10.0.0.1/24 endpoint 192.0.2.1
[ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 2 ] &&
	grep -qxF "ptunctl: warning: allowed IP \`10.0.0.1/24' has host bits set; using 10.0.0.0/24" "$tmp/err" &&
	grep -q "^ptunctl: endpoint \`192.0.2.1' has no :port$" "$tmp/err"
result $? "host bits: one warning line, then the next error stops the set"

run set nosuchdev fwmark
failed_one_line fwmark
result $? "set with a keyword missing its value names it"

run set nosuchdev private-key "$tmp/missing.key"
failed_one_line "$tmp/missing.key" "No such file"
result $? "set with a missing key file names the file"

printf 'PrivateKey = %s\n' "$WG_PRIVATE" >"$tmp/bad.key"
run set nosuchdev private-key "$tmp/bad.key"
failed_one_line "$tmp/bad.key"
result $? "set with a malformed key file names the file"

run set nosuchdev
failed_one_line usage "set <interface>"
result $? "set without settings is a one-line usage error"

run set abcdefghijklmnopq listen-port 1
failed_one_line abcdefghijklmnopq
result $? "set with a 17-character interface name is refused"

run show nosuchdev bogus
failed_one_line bogus
result $? "show with an unknown field names it, before asking the kernel"

run show interfaces dump
failed_one_line usage
result $? "show interfaces takes no field"

run show a b c
failed_one_line usage
result $? "show with too many arguments is a usage error"

run monitor a b
failed_one_line usage
result $? "monitor takes one interface at most"

run monitor --bogus
failed_one_line usage
result $? "monitor with an unknown option is a usage error"

run monitor abcdefghijklmnopq
failed_one_line abcdefghijklmnopq
result $? "monitor with a 17-character interface name is refused"

run monitor tun0 --reresolve notakey host:1
failed_one_line "not a public key"
result $? "monitor --reresolve checks the public key"

run monitor --reresolve HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw= host:1
failed_one_line "needs an interface"
result $? "monitor --reresolve needs an interface"

run monitor tun0 --reresolve HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=
failed_one_line usage
result $? "monitor --reresolve takes a key and an endpoint"

run show --counters a b c
failed_one_line usage
result $? "show --counters with too many arguments is a usage error"

if strace -f -qq -e trace=socket -o /dev/null true 2>/dev/null; then
	strace -f -qq -e trace=socket -o "$tmp/trace" \
		"$PTUNCTL" set nosuchdev fwmark 1 listen-port 70000 2>/dev/null
	status=$?
	strace -f -qq -e trace=socket -o "$tmp/trace2" \
		"$PTUNCTL" set nosuchdev peer "$WG_PUBLIC" allowed-ips 10.0.0.0/8 \
		peer "$FF_PUBLIC" endpoint 192.0.2.1:0 2>/dev/null
	[ $? -eq 1 ] && ! grep -q AF_NETLINK "$tmp/trace2" || status=0
	strace -f -qq -e trace=socket -o "$tmp/control" \
		"$PTUNCTL" show lo >/dev/null 2>&1
	[ $status -eq 1 ] && ! grep -q AF_NETLINK "$tmp/trace" &&
		grep -q AF_NETLINK "$tmp/control"
	result $? "a refused set, of device or peers, opens no netlink socket (show does)"
else
	skip "a refused set opens no netlink socket" "strace unavailable"
fi

# --- show, wherever no ptun device is needed --------------------------------

run show interfaces
status=$rc
names=$(cat "$tmp/out")
for name in $names; do
	[ -e "/sys/class/net/$name" ] || status=1
done
[ "$(wc -l <"$tmp/out")" -le 1 ] && [ ! -s "$tmp/err" ] || status=1
result $status "show interfaces prints at most one line of existing links"

run show all
cp "$tmp/out" "$tmp/all"
all_rc=$rc
run
[ "$rc" -eq "$all_rc" ] && cmp -s "$tmp/out" "$tmp/all"
result $? "ptunctl without arguments is ptunctl show all"

run show lo
failed_one_line "show lo: "
result $? "show of loopback fails with one line (no module, or not ptun)"

run show abcdefghijklmnopq
failed_one_line abcdefghijklmnopq
result $? "show with a 17-character interface name is refused"

# complete WORD...: what bash completion offers for the last word, one
# line, with this ptunctl first in PATH.
COMPLETION=$(dirname "$0")/../../tools/completion/ptunctl.bash
complete_words()
{
	PATH=$(dirname "$PTUNCTL"):$PATH bash -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_ptunctl
		echo "${COMPREPLY[*]}"' complete "$COMPLETION" "$@" 2>"$tmp/err"
}

out=$(bash -c '. "$1" && complete -p ptunctl' load "$COMPLETION" 2>&1)
[ "$out" = "complete -F _ptunctl ptunctl" ]
result $? "the completion script loads in bash and registers for ptunctl"

[ "$(complete_words ptunctl sh)" = "show showconf" ] &&
	[ "$(complete_words ptunctl sync)" = "syncconf" ] &&
	[ "$(complete_words ptunctl help gen)" = "genkey genpsk" ]
result $? "completion: subcommands"

[ "$(complete_words ptunctl show pt0 la)" = "latest-handshakes" ] &&
	[ "$(complete_words ptunctl show pt0 --j)" = "--json" ] &&
	[ "$(complete_words ptunctl showconf pt0 -)" = "--json" ]
result $? "completion: show's fields and --json"

[ "$(complete_words ptunctl set pt0 '')" = "listen-port fwmark private-key peer" ] &&
	[ "$(complete_words ptunctl set pt0 peer "$WG_PUBLIC" per)" = "persistent-keepalive" ] &&
	[ "$(complete_words ptunctl set pt0 listen-port '')" = "" ]
result $? "completion: set's keywords, the interface's before a peer, the peer's after"

touch "$tmp/peers.conf"
[ "$(complete_words ptunctl setconf pt0 "$tmp/peers.c")" = "$tmp/peers.conf" ] &&
	[ "$(complete_words ptunctl set pt0 private-key "$tmp/peers.c")" = "$tmp/peers.conf" ]
result $? "completion: file names where a file is wanted"

# make install: the tool, its man page, schema and completion, staged.
top=$(dirname "$0")/../..
root=$tmp/root
make -s -C "$top" install DESTDIR="$root" PREFIX=/usr >"$tmp/out" 2>&1 &&
	[ -x "$root/usr/sbin/ptunctl" ] &&
	grep -q '^\.TH PTUNCTL 8' "$root/usr/share/man/man8/ptunctl.8" &&
	[ -s "$root/usr/share/ptun/ptunctl-show.schema.json" ] &&
	bash -c '. "$1" && complete -p ptunctl' load \
		"$root/usr/share/bash-completion/completions/ptunctl" >/dev/null
result $? "make install puts ptunctl, ptunctl(8), the schema and the completion under DESTDIR"
make -s -C "$top" uninstall DESTDIR="$root" PREFIX=/usr >"$tmp/out" 2>&1 &&
	[ -z "$(find "$root" -type f)" ]
result $? "make uninstall removes them"

# ptunctl(8) renders cleanly and documents every subcommand there is.
manpage=$(dirname "$0")/../../tools/ptunctl/ptunctl.8
if command -v groff >/dev/null; then
	[ -z "$(groff -man -Tutf8 -ww -z "$manpage" 2>&1)" ]
	result $? "ptunctl(8) renders without a warning"
else
	skip "ptunctl(8) renders without a warning" "no groff"
fi
run help
missing=
for cmd in $(sed -n 's/^  \([a-z]*\): .*/\1/p' "$tmp/out"); do
	grep -q -e "^\\\\fB$cmd\\\\fR" -e "^\\.B $cmd\$" "$manpage" ||
		missing="$missing $cmd"
done
[ -z "$missing" ] && [ "$(grep -c '^  [a-z]*: ' "$tmp/out")" -ge 9 ]
result $? "ptunctl(8) documents every subcommand of ptunctl help${missing:+ (missing:$missing)}"

[ "$failed" -eq 0 ]
