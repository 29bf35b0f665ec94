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
# Holding the lock, any namespace or bridge of ours (named db<pid>, or dbtm<pid> since) belongs
# to a run that was killed before it could clean up; its bridge would still hold 10.211.0.254
# and swallow this run's daemons' replies, so mpirun would wait for them forever.
for stale in $(ip netns list | awk '/^db(tm)?[0-9]+[ab]( |$)/ {print $1}'); do
  ip netns pids "$stale" | xargs -r kill -9 2>/dev/null || true
  ip netns del "$stale"
done
for stale in $(ip -o link show type bridge | awk -F': ' '$2 ~ /^db(tm)?[0-9]+br$/ {print $2}'); do
  ip link del "$stale"
done
if [ -n "$(ip -o addr show to 10.211.0.0/24)" ]; then
  echo "two-machines.sh: 10.211.0.0/24 is already in use here ($(ip -o addr show to 10.211.0.0/24 |
    awk '{print $2}')); free it to run the two-machine tests" >&2
  exit 1
fi
TWO_MACHINES_TAG="dbtm$$"
export TWO_MACHINES_TAG
tag="$TWO_MACHINES_TAG"
cleanup() {
  for machine in a b; do
    ip netns pids "${tag}${machine}" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "${tag}${machine}" 2>/dev/null || true
  done
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
# A run that loses its daemons would otherwise wait forever; two small ranks take seconds.
limit="${DRAWBRIDGE_TWO_MACHINES_TIMEOUT:-180}"
status=0
timeout --kill-after=10 "$limit" \
  mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 --map-by node \
  --host 10.211.0.1:1,10.211.0.2:1 \
  --mca plm_rsh_agent "$(readlink -f "$0") --agent" --mca plm_rsh_no_tree_spawn 1 \
  --mca oob_tcp_if_include 10.211.0.0/24 --mca btl tcp,self \
  --mca btl_tcp_if_include 10.211.0.0/24 "$@" 9>&- || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "two-machines.sh: stopped mpirun after ${limit} s (DRAWBRIDGE_TWO_MACHINES_TIMEOUT);" \
    "ranks that never start mean a daemon could not reach mpirun over the bridge" >&2
fi
exit "$status"
