#!/bin/sh
# Runs `mpirun -np 2 COMMAND...` across two "machines": network namespaces of their own, each
# joined to a bridge that mpirun reaches them through, each with an Open MPI daemon of its own
# (started the way mpirun starts daemons on other hosts, through an rsh agent: here one that
# enters the namespace instead of logging in). The ranks share nothing but the bridge and the
# file system, so Open MPI moves their data over TCP. Needs root (CI runs as root).
#
#   two-machines.sh COMMAND [ARGS...]
set -eu
if [ "${1:-}" = "--agent" ]; then
  # mpirun calls the agent as `AGENT HOST REMOTE-COMMAND...`.
  case "$2" in
  *.1) machine="${TWO_MACHINES_TAG}a" ;;
  *) machine="${TWO_MACHINES_TAG}b" ;;
  esac
  shift 2
  # Each machine its own session directory, as on real hosts: in a shared one both daemons
  # wrote the same hwloc topology file at once and one of them crashed (about 1 run in 8),
  # leaving mpirun waiting for it.
  mkdir -p "/tmp/$machine"
  OMPI_MCA_orte_tmpdir_base="/tmp/$machine" exec ip netns exec "$machine" sh -c "$*"
fi
# The bridge's subnet lives in the root namespace, so two runs at once (parallel test runs in
# two checkouts) would route each other's ranks: one run at a time. mpirun does not get the
# lock's descriptor (with it, its daemons never reported back and the run hung).
exec 9>/tmp/drawbridge-two-machines.lock
flock 9
# Holding the lock, any namespace or bridge of ours (named db<pid>, or dbtm<pid> since) belongs
# to a run that was killed before it could clean up; its bridge would still hold its subnet
# and swallow this run's daemons' replies, so mpirun would wait for them forever.
for stale in $(ip netns list | awk '/^db(tm)?[0-9]+[ab]( |$)/ {print $1}'); do
  ip netns pids "$stale" | xargs -r kill -9 2>/dev/null || true
  ip netns del "$stale"
  rm -rf "/tmp/$stale"
done
for stale in $(ip -o link show type bridge | awk -F': ' '$2 ~ /^db(tm)?[0-9]+br$/ {print $2}'); do
  ip link del "$stale"
done
# The first 10.211.N.0/24 that nothing here uses: a subnet another interface already holds
# would take the daemons' replies.
subnet=""
for n in $(seq 0 255); do
  if [ -z "$(ip -o addr show to "10.211.$n.0/24")" ]; then
    subnet="10.211.$n"
    break
  fi
done
if [ -z "$subnet" ]; then
  echo "two-machines.sh: every 10.211.N.0/24 is in use here; free one to run this test" >&2
  exit 1
fi
TWO_MACHINES_TAG="dbtm$$"
export TWO_MACHINES_TAG
tag="$TWO_MACHINES_TAG"
cleanup() {
  for machine in a b; do
    ip netns pids "${tag}${machine}" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "${tag}${machine}" 2>/dev/null || true
    rm -rf "/tmp/${tag}${machine}"
  done
  ip link del "${tag}br" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip link add "${tag}br" type bridge
ip addr add "$subnet.254/24" dev "${tag}br"
ip link set "${tag}br" up
number=1
for machine in a b; do
  ns="${tag}${machine}"
  ip netns add "$ns"
  ip link add "${tag}${machine}0" type veth peer name "${tag}${machine}1"
  ip link set "${tag}${machine}0" master "${tag}br" up
  ip link set "${tag}${machine}1" netns "$ns"
  ip -n "$ns" addr add "$subnet.${number}/24" dev "${tag}${machine}1"
  ip -n "$ns" link set "${tag}${machine}1" up
  ip -n "$ns" link set lo up
  number=$((number + 1))
done
# A run that loses its daemons would otherwise wait forever; two small ranks take seconds.
limit="${DRAWBRIDGE_TWO_MACHINES_TIMEOUT:-180}"
status=0
timeout --kill-after=10 "$limit" \
  mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 --map-by node \
  --host "$subnet.1:1,$subnet.2:1" \
  --mca plm_rsh_agent "$(readlink -f "$0") --agent" --mca plm_rsh_no_tree_spawn 1 \
  --mca oob_tcp_if_include "$subnet.0/24" --mca btl tcp,self \
  --mca btl_tcp_if_include "$subnet.0/24" "$@" 9>&- || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "two-machines.sh: stopped mpirun after ${limit} s (DRAWBRIDGE_TWO_MACHINES_TIMEOUT);" \
    "ranks that never start mean a daemon could not reach mpirun over the bridge" >&2
fi
exit "$status"
