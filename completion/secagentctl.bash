# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for secagentctl(8)

__secagentctl_policy_names()
{
	# From the policy directory, with the shared parser: works without root and without a daemon.
	secagentctl "$@" policy list --offline 2>/dev/null | awk 'NR > 1 && $1 != "(no" { print $1 }'
}

_secagentctl()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local global_opts='-h --help --version -j --json --policy-dir --control-socket'
	local verbs='policy status events containers reload exec'
	local policy_verbs='validate apply list show delete export'

	case $prev in
	--policy-dir)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--control-socket)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac

	# Find the verb (and sub-verb), skipping global options and their values; keep the global
	# options that change where policies are read from.
	local i verb='' sub='' dir_opts=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--policy-dir | --control-socket)
			dir_opts+=("${words[i]}" "${words[i + 1]}")
			((i++))
			;;
		--policy-dir=* | --control-socket=*)
			dir_opts+=("${words[i]}")
			;;
		-*) ;;
		*)
			if [[ -z $verb ]]; then
				verb=${words[i]}
			elif [[ $verb == policy && -z $sub ]]; then
				sub=${words[i]}
			fi
			;;
		esac
	done

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		return
	fi

	case $verb in
	status)
		COMPREPLY=($(compgen -W '-h --help -j --json' -- "$cur"))
		;;
	reload)
		COMPREPLY=($(compgen -W '-h --help' -- "$cur"))
		;;
	exec)
		# After '--': the command and its arguments.
		for ((i = 1; i < cword; i++)); do
			if [[ ${words[i]} == -- ]]; then
				COMPREPLY=($(compgen -c -- "$cur"))
				return
			fi
		done
		case $prev in
		-p | --policy)
			COMPREPLY=($(compgen -W "$(__secagentctl_policy_names "${dir_opts[@]}")" -- "$cur"))
			return
			;;
		esac
		COMPREPLY=($(compgen -W '-h --help -p --policy --' -- "$cur"))
		;;
	events)
		case $prev in
		-n | --lines)
			COMPREPLY=($(compgen -W '10 20 50 100' -- "$cur"))
			return
			;;
		-p | --policy)
			COMPREPLY=($(compgen -W "$(__secagentctl_policy_names "${dir_opts[@]}")" -- "$cur"))
			return
			;;
		esac
		COMPREPLY=($(compgen -W '-h --help -f --follow -j --json -n --lines -p --policy' \
			-- "$cur"))
		;;
	policy)
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "$policy_verbs -h --help" -- "$cur"))
			return
		fi
		case $sub in
		validate | apply)
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W '-h --help' -- "$cur"))
			elif declare -F _filedir >/dev/null; then
				_filedir '@(yaml|yml)'
			else
				compopt -o filenames 2>/dev/null
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			;;
		list)
			COMPREPLY=($(compgen -W '-h --help -j --json --offline' -- "$cur"))
			;;
		export)
			if [[ $prev == -f || $prev == --format ]]; then
				COMPREPLY=($(compgen -W 'oci-seccomp' -- "$cur"))
			elif [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W '-h --help -f --format' -- "$cur"))
			else
				COMPREPLY=($(compgen -W "$(__secagentctl_policy_names "${dir_opts[@]}")" \
					-- "$cur"))
			fi
			;;
		show | delete)
			if [[ $cur == -* ]]; then
				local opts='-h --help'
				[[ $sub == show ]] && opts+=' -j --json'
				COMPREPLY=($(compgen -W "$opts" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "$(__secagentctl_policy_names "${dir_opts[@]}")" \
					-- "$cur"))
			fi
			;;
		esac
		;;
	esac
}

complete -F _secagentctl secagentctl
