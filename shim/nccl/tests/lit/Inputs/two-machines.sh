#!/bin/sh
# Runs `mpirun -np 2 COMMAND...` across two "machines": network namespaces of their own, each
# joined to a bridge that mpirun reaches them through, each with an Open MPI daemon of its own
# (started the way mpirun starts daemons on other hosts, through an rsh agent: here one that
# enters the namespace instead of logging in). The ranks share nothing but the bridge, so Open
# MPI moves their data over TCP. Needs root (CI runs as root).
#
#   two-machines.sh COMMAND [ARGS...]
set -eu
if [ "${1:-}" = "--agent" ]; then
  # mpirun calls the agent as `AGENT HOST REMOTE-COMMAND...`.
  host="$2"
  shift 2
  case "$host" in
  *.1) exec ip netns exec "${TWO_MACHINES_TAG}a" sh -c "$*" ;;
  *) exec ip netns exec "${TWO_MACHINES_TAG}b" sh -c "$*" ;;
  esac
fi
# The bridge's subnet lives in the root namespace, so two runs at once (parallel test runs in
# two checkouts) would route each other's ranks: one run at a time. mpirun does not get the
# lock's descriptor (with it, its daemons never reported back and the run hung).
exec 9>/tmp/drawbridge-two-machines.lock
flock 9
TWO_MACHINES_TAG="db$$"
export TWO_MACHINES_TAG
tag="$TWO_MACHINES_TAG"
cleanup() {
  ip netns del "${tag}a" 2>/dev/null || true
  ip netns del "${tag}b" 2>/dev/null || true
  ip link del "${tag}br" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip link add "${tag}br" type bridge
ip addr add 10.211.0.254/24 dev "${tag}br"
ip link set "${tag}br" up
number=1
for machine in a b; do
  ns="${tag}${machine}"
  ip netns add "$ns"
  ip link add "${tag}${machine}0" type veth peer name "${tag}${machine}1"
  ip link set "${tag}${machine}0" master "${tag}br" up
  ip link set "${tag}${machine}1" netns "$ns"
  ip -n "$ns" addr add "10.211.0.${number}/24" dev "${tag}${machine}1"
  ip -n "$ns" link set "${tag}${machine}1" up
  ip -n "$ns" link set lo up
  number=$((number + 1))
done
mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 --map-by node \
  --host 10.211.0.1:1,10.211.0.2:1 \
  --mca plm_rsh_agent "$(readlink -f "$0") --agent" --mca plm_rsh_no_tree_spawn 1 \
  --mca oob_tcp_if_include 10.211.0.0/24 --mca btl tcp,self \
  --mca btl_tcp_if_include 10.211.0.0/24 "$@" 9>&-
