#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# verify.sh: Step 0 of the lab — is the topology right before any tunnel?
#
# From useru and from userv: the server answers a ping, it is one hop away,
# and the other private LAN is unreachable, with "Destination Host
# Unreachable" coming from the router.  One line per check, PASS or FAIL
# with what was seen; exit 0 only if every check passes.
#
#   step0-verify/verify.sh                  the lab of common/lab
#   step0-verify/verify.sh -p g1-           ... built with LAB_PREFIX=g1-
#   step0-verify/verify.sh -l useru         on a real testbed: the checks
#                                           from this machine, which is useru
set -uo pipefail

PREFIX=${LAB_PREFIX-}
LAB=$(cd "$(dirname "$0")/../common" && pwd)/lab
LOCAL_HOST=""
ROUTER=192.168.1.254
failures=0

usage() {
	echo "usage: verify.sh [-p prefix] [-r router-address] [-l useru|userv]" >&2
	exit 2
}

while getopts hl:p:r: opt; do
	case $opt in
	l) LOCAL_HOST=$OPTARG ;;
	p) PREFIX=$OPTARG ;;
	r) ROUTER=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
(($# == 0)) || usage
case $LOCAL_HOST in
"" | useru | userv) ;;
*) usage ;;
esac

# Run a command on host $1: inside its namespace, or right here with -l.
on() {
	local host=$1
	shift
	if [[ -n $LOCAL_HOST ]]; then
		"$@"
	else
		LAB_PREFIX=$PREFIX "$LAB" "$host" "$@"
	fi
}

report() {
	local verdict=$1 host=$2 check=$3 seen=$4

	[[ $verdict == PASS ]] || failures=$((failures + 1))
	printf '%s  %-6s %-32s %s\n' "$verdict" "$host:" "$check" "$seen"
}

check_ping_server() {
	local host=$1 out

	if out=$(on "$host" ping -c1 -W2 server 2>&1); then
		report PASS "$host" "ping server" "$(grep -m1 'bytes from' <<<"$out")"
	else
		report FAIL "$host" "ping server" "no reply: $(tail -n +2 <<<"$out" | grep -m1 .)"
	fi
}

# The server's ICMP errors are rate-limited (about one a second per host,
# in bursts of a few): a traceroute right after another may see "*" where
# the server is.  So one probe at a time (-N1), and a few tries, a second
# apart, before the verdict: the same answer however often this runs.
check_one_hop() {
	local host=$1 out hops try

	for try in 1 2 3 4; do
		out=$(on "$host" traceroute -N1 -q1 -w1 -m5 server 2>&1)
		hops=$(grep -cE '^ *[0-9]+ ' <<<"$out")
		if [[ $hops == 1 ]] && ! grep -qE '^ *1 +\*' <<<"$out"; then
			report PASS "$host" "traceroute server: one hop" "$(grep -m1 -E '^ *1 ' <<<"$out" | sed 's/^ *//')"
			return
		fi
		# A reply from farther than one hop is a wrong topology, not
		# a rate limit: no need to ask again.
		grep -qE '^ *[2-9] +[^*]' <<<"$out" && break
		sleep 1
	done
	report FAIL "$host" "traceroute server: one hop" "$hops hops: $(grep -E '^ *[0-9]+ ' <<<"$out" | tr -s ' ' | paste -sd'|')"
}

# The router's "Destination Host Unreachable" is rate-limited too, and on
# a busy machine one was seen not to come within ping's 2 s: silence (no
# reply, no ICMP error: ping's status 1 and no "From" line) is asked
# again, a second apart, before it is a verdict; anything else is one at
# once, ping's own error (status 2) quoted.
check_unreachable() {
	local host=$1 target=$2 out from try status

	for try in 1 2 3; do
		out=$(on "$host" ping -c1 -W2 "$target" 2>&1) && status=0 || status=$?
		if ((status == 0)); then
			report FAIL "$host" "$target unreachable" "it answered — the two LANs are connected, the setup is wrong"
			return
		fi
		((status == 1)) && ! grep -q '^From ' <<<"$out" || break
		((try < 3)) && sleep 1
	done
	from=$(grep -m1 'Destination Host Unreachable' <<<"$out")
	if ((status != 1)); then
		report FAIL "$host" "$target unreachable" "ping failed: $(grep -v -m1 -e '^PING ' -e '^---' -e '^$' <<<"$out")"
	elif [[ -z $from ]]; then
		report FAIL "$host" "$target unreachable" "no Destination Host Unreachable: $(grep -m1 '^From ' <<<"$out" ||
			echo "no reply and no ICMP error in 3 tries of 2 s (the router drops it: a blackhole route?)")"
	elif [[ -z $LOCAL_HOST && $from != *"($ROUTER)"* && $from != "From $ROUTER "* ]]; then
		report FAIL "$host" "$target unreachable" "not from the router $ROUTER: $from"
	else
		report PASS "$host" "$target unreachable" "$from"
	fi
}

verify_from() {
	local host=$1 target=$2

	check_ping_server "$host"
	check_one_hop "$host"
	check_unreachable "$host" "$target"
}

peer_of() { [[ $1 == useru ]] && echo userv || echo useru; }

if [[ -n $LOCAL_HOST ]]; then
	verify_from "$LOCAL_HOST" "$(peer_of "$LOCAL_HOST")"
else
	if ! LAB_PREFIX=$PREFIX "$LAB" status >/dev/null 2>&1; then
		echo "ERROR: the lab is not up — start it with 'common/lab up'${PREFIX:+ (LAB_PREFIX=$PREFIX)}" >&2
		exit 1
	fi
	verify_from useru userv
	verify_from userv useru
fi

if ((failures)); then
	echo "Step 0: $failures check(s) failed"
	exit 1
fi
echo "Step 0: all checks passed"
