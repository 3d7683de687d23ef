#!/bin/sh
# Creates the skew file before the node starts, so the shim maps it on the first clock read, then
# runs the node's own command.
set -e
[ -f /run/lockbench/skew ] || /usr/local/bin/skewctl 0 >/dev/null
exec "$@"
