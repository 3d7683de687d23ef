#!/bin/sh
# Starts one etcd member from ETCD_ORDINAL (this member: etcd-<n> on the cluster's network) and
# ETCD_MEMBERS ("1,2,3": every member's ordinal). Each lockbench cluster has a network of its own,
# so members of two clusters never see each other. Everything else is etcd's default: heartbeat 100 ms,
# election timeout 1000 ms, snapshot count, and fsync of every WAL entry.
# The data directory is on the container's own disk, so a crash fault (kill, then start the same
# container) restarts the member with its data, as a restarted server would; the initial-cluster
# flags only matter on the first start.
set -e
: "${ETCD_ORDINAL:?ETCD_ORDINAL is required}"
: "${ETCD_MEMBERS:?ETCD_MEMBERS is required}"
self="etcd-$ETCD_ORDINAL"
initial=""
for id in $(echo "$ETCD_MEMBERS" | tr ',' ' '); do
  initial="${initial:+$initial,}etcd-$id=http://etcd-$id:2380"
done
[ -f /run/lockbench/skew ] || /usr/local/bin/skewctl 0 >/dev/null
exec etcd --name "$self" --data-dir /var/lib/etcd-data \
  --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls "http://$self:2379" \
  --listen-peer-urls http://0.0.0.0:2380 --initial-advertise-peer-urls "http://$self:2380" \
  --initial-cluster "$initial" --initial-cluster-state new --initial-cluster-token lockbench \
  --logger zap --log-outputs stderr
