# SPDX-License-Identifier: GPL-2.0
#
# bash completion for ptunctl(8): subcommands, interface names, fields,
# set's keywords, peers' public keys, and files where a file is wanted.
# Needs nothing but bash; installed into bash-completion's directory.

_ptunctl_interfaces()
{
	ptunctl show interfaces 2>/dev/null
}

# _ptunctl_reply WORDS...: the words that start with the current one.
_ptunctl_reply()
{
	local IFS=$' \t\n'
	COMPREPLY=($(compgen -W "$*" -- "$cur"))
}

_ptunctl_files()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -- "$cur"))
	compopt -o filenames 2>/dev/null
}

_ptunctl_set()
{
	local i in_peer=
	case $prev in
	private-key|preshared-key)
		_ptunctl_files
		return ;;
	peer)
		_ptunctl_reply "$(ptunctl show "${COMP_WORDS[2]}" peers 2>/dev/null)"
		return ;;
	listen-port|fwmark|endpoint|persistent-keepalive|allowed-ips)
		COMPREPLY=()
		return ;;
	esac
	for ((i = 3; i < COMP_CWORD; i++)); do
		[ "${COMP_WORDS[i]}" = peer ] && in_peer=1
	done
	if [ -n "$in_peer" ]; then
		_ptunctl_reply remove preshared-key endpoint persistent-keepalive allowed-ips peer
	else
		_ptunctl_reply listen-port fwmark private-key peer
	fi
}

_ptunctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="show showconf set setconf addconf syncconf monitor genkey genpsk pubkey help"

	if [ "$COMP_CWORD" -eq 1 ]; then
		_ptunctl_reply $commands --help --version
		return
	fi
	case ${COMP_WORDS[1]} in
	help)
		[ "$COMP_CWORD" -eq 2 ] && _ptunctl_reply $commands
		;;
	show)
		if [ "$COMP_CWORD" -eq 2 ]; then
			_ptunctl_reply all interfaces --json "$(_ptunctl_interfaces)"
		elif [ "$COMP_CWORD" -eq 3 ] && [ "$prev" != interfaces ]; then
			_ptunctl_reply public-key private-key listen-port fwmark peers \
				preshared-keys endpoints allowed-ips latest-handshakes \
				transfer persistent-keepalive dump --json
		elif [ "$COMP_CWORD" -eq 4 ] && [ "$prev" = dump ]; then
			_ptunctl_reply --counters
		fi
		;;
	monitor)
		case $prev in
		--reresolve)
			_ptunctl_reply "$(ptunctl show "${COMP_WORDS[2]}" peers 2>/dev/null)" ;;
		monitor)
			_ptunctl_reply "$(_ptunctl_interfaces)" --json ;;
		*)
			# After a --reresolve key comes its host:port.
			[ "${COMP_WORDS[COMP_CWORD - 2]}" = --reresolve ] && COMPREPLY=() ||
				_ptunctl_reply --json --reresolve ;;
		esac
		;;
	showconf)
		if [ "$COMP_CWORD" -eq 2 ]; then
			_ptunctl_reply "$(_ptunctl_interfaces)" --json
		elif [ "$COMP_CWORD" -eq 3 ]; then
			_ptunctl_reply --json
		fi
		;;
	setconf|addconf|syncconf)
		if [ "$COMP_CWORD" -eq 2 ]; then
			_ptunctl_reply "$(_ptunctl_interfaces)"
		elif [ "$COMP_CWORD" -eq 3 ]; then
			_ptunctl_files
		fi
		;;
	set)
		if [ "$COMP_CWORD" -eq 2 ]; then
			_ptunctl_reply "$(_ptunctl_interfaces)"
		else
			_ptunctl_set
		fi
		;;
	esac
}

complete -F _ptunctl ptunctl
