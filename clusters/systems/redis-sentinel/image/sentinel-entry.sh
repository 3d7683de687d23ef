#!/bin/sh
# Starts a Sentinel from the config in $SENTINEL_CONF. Sentinel rewrites its config file as it
# learns the topology (current primary, replicas, other Sentinels, epochs), and a restarted
# Sentinel must start from what it had learnt, as one with a persistent config file does. So the
# file is written only at the container's first start; a restart (the crash fault) keeps it.
set -e
[ -f /data/sentinel.conf ] || printf '%s' "$SENTINEL_CONF" > /data/sentinel.conf
exec redis-server /data/sentinel.conf --sentinel
