# SPDX-License-Identifier: MIT
# topology.bash: common/topology, read for bash (sourced by common/lab,
# common/demo, common/bench and grading/lib.bash).  Builtins only: it is
# read at every start of the lab's script and of each graded test.
#
#   topology_load FILE   sets:
#     TOPO_HOSTS            the hosts "lab up" makes, in order
#     TOPO_OPTIONAL         the hosts only "lab up +NAME" adds
#     TOPO_LINKS, TOPO_OPTIONAL_LINKS
#                           "HOST LAN ADDRESS/PREFIX" of each
#     TOPO_LANS             every LAN, in order of first mention
#     TOPO_ADDR[HOST LAN]   HOST's address there, without its prefix
#     TOPO_ADDR[HOST]       HOST's address on its first LAN
#     TOPO_LAN[HOST]        HOST's first LAN
#     TOPO_ROUTER, TOPO_UNREACHABLE, TOPO_PORT
#     TOPO_CLIENT, TOPO_SERVER              the hosts of the VPN's ends
#     TOPO_CLIENT_TUN, TOPO_SERVER_TUN      their TUN ADDRESS/PREFIX
#     TOPO_SERVER_ADDR      the server as the client reaches it
#     TOPO_PRIVATE_LAN      the server's LAN behind the tunnel (lab1)
#     TOPO_PRIVATE_HOSTS    the hosts on it, the server apart
#     TOPO_PRIVATE_NET, TOPO_TUNNEL_NET     their networks (10.1.1.0/24)

# net_of ADDRESS/PREFIX: NET, its network (for /8, /16 and /24 prefixes,
# the lab's).
net_of() {
	local addr=${1%/*} len=${1#*/} a b c d
	IFS=. read -r a b c d <<<"$addr"
	case $len in
	8) NET=$a.0.0.0/8 ;;
	16) NET=$a.$b.0.0/16 ;;
	24) NET=$a.$b.$c.0/24 ;;
	*) NET=$1 ;;
	esac
}

topology_load() {
	local kind a b c optional=" " host
	TOPO_HOSTS=() TOPO_OPTIONAL=() TOPO_LINKS=() TOPO_OPTIONAL_LINKS=() TOPO_LANS=()
	declare -gA TOPO_ADDR=() TOPO_LAN=()
	while read -r kind a b c; do
		case $kind in
		"" | "#"*) ;;
		host)
			if [[ $b == optional ]]; then
				TOPO_OPTIONAL+=("$a") optional+="$a "
			else
				TOPO_HOSTS+=("$a")
			fi ;;
		link)
			if [[ $optional == *" $a "* ]]; then
				TOPO_OPTIONAL_LINKS+=("$a $b $c")
			else
				TOPO_LINKS+=("$a $b $c")
			fi
			[[ " ${TOPO_LANS[*]} " == *" $b "* ]] || TOPO_LANS+=("$b")
			TOPO_ADDR[$a $b]=${c%/*}
			[[ -n ${TOPO_LAN[$a]-} ]] || TOPO_LAN[$a]=$b TOPO_ADDR[$a]=${c%/*} ;;
		router) TOPO_ROUTER=$a ;;
		unreachable) TOPO_UNREACHABLE=$a ;;
		role) [[ $a == client ]] && TOPO_CLIENT=$b || TOPO_SERVER=$b ;;
		tunnel) [[ $a == client ]] && TOPO_CLIENT_TUN=$b || TOPO_SERVER_TUN=$b ;;
		port) TOPO_PORT=$a ;;
		*) echo "topology: $1: unknown line '$kind $a $b $c'" >&2; return 1 ;;
		esac
	done <"$1"
	TOPO_SERVER_ADDR=${TOPO_ADDR[$TOPO_SERVER ${TOPO_LAN[$TOPO_CLIENT]}]}
	# The private LAN: the server's LAN that the client is not on, and
	# the router is not on.
	TOPO_PRIVATE_LAN="" TOPO_PRIVATE_HOSTS=()
	for a in "${TOPO_LANS[@]}"; do
		[[ -n ${TOPO_ADDR[$TOPO_SERVER $a]-} && -z ${TOPO_ADDR[$TOPO_CLIENT $a]-} &&
			-z ${TOPO_ADDR[router $a]-} ]] && { TOPO_PRIVATE_LAN=$a; break; }
	done
	for host in "${TOPO_HOSTS[@]}"; do
		[[ $host != "$TOPO_SERVER" && -n ${TOPO_ADDR[$host $TOPO_PRIVATE_LAN]-} ]] &&
			TOPO_PRIVATE_HOSTS+=("$host")
	done
	for c in "${TOPO_LINKS[@]}"; do
		read -r host a b <<<"$c"
		[[ $host == "$TOPO_SERVER" && $a == "$TOPO_PRIVATE_LAN" ]] && { net_of "$b"; TOPO_PRIVATE_NET=$NET; }
	done
	net_of "$TOPO_CLIENT_TUN"
	TOPO_TUNNEL_NET=$NET
	return 0
}
