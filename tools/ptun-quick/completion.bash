# SPDX-License-Identifier: GPL-2.0
# bash completion for ptun-quick(8): commands, then config names or files.

_ptun_quick() {
	local cur=${COMP_WORDS[COMP_CWORD]} names
	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W 'up down save strip exec' -- "$cur")
	elif [ "$COMP_CWORD" -eq 2 ]; then
		case ${COMP_WORDS[1]} in
		down | save)
			names=$(ls /run/ptun-quick 2>/dev/null) ;;
		*)
			names=$(find /etc/ptun -maxdepth 1 -name '*.conf' -printf '%f\n' 2>/dev/null |
				sed 's/\.conf$//') ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur"; compgen -f -X '!*.conf' -- "$cur")
	elif [ "${COMP_WORDS[1]}" = exec ] && [ "$COMP_CWORD" -eq 3 ]; then
		COMPREPLY=(--)
	elif [ "${COMP_WORDS[1]}" = exec ] && [ "$COMP_CWORD" -ge 4 ]; then
		mapfile -t COMPREPLY < <(compgen -c -- "$cur")
	fi
}
complete -o filenames -F _ptun_quick ptun-quick
