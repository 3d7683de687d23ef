#!/bin/sh
# Writes zoo.cfg and myid from ZK_ID, ZK_SERVERS ("1,2,3": hosts zk-1..zk-N on the lockbench
# network) and ZK_FORCE_SYNC (yes|no, the cluster's durability profile), then runs ZooKeeper in the
# foreground with the JVM settings its own scripts and administrator's guide give:
# - heap: -Xmx1000m, zkEnv.sh's default ZK_SERVER_HEAP. The guide's rule is to keep the heap well
#   below the memory ZooKeeper has so it never swaps ("a 3G heap for a 4G machine"); the container
#   gets 1.5 GiB (zookeeper/driver.ts), so heap plus metaspace, code cache and thread stacks fit
#   with room to spare. Memory budget on the 24 GiB, 2-core lab machine: 5 members × 1.5 GiB =
#   7.5 GiB at most, plus 5 Redis masters × 256 MiB, under 9 GiB; the machine has no swap at all.
# - JIT: the JVM's default (tiered C1 + C2); nothing limits it.
# - GC: the guide gives no GC advice and zkServer.sh sets no collector, so ZooKeeper gets the JDK's
#   default for a server, G1. It is named here because inside a container under 1792 MiB the JVM's
#   ergonomics would pick SerialGC instead, which no server-class deployment runs.
# - zkServer.sh's and the guide's OutOfMemoryError handling: dump the heap and die (fail fast).
set -e
: "${ZK_ID:?ZK_ID is required}"
: "${ZK_SERVERS:?ZK_SERVERS is required}"
case "${ZK_FORCE_SYNC:-yes}" in
  yes|no) ;;
  *) echo "ZK_FORCE_SYNC must be yes or no, got '${ZK_FORCE_SYNC}'" >&2; exit 2 ;;
esac
mkdir -p /var/lib/zk/data
echo "$ZK_ID" > /var/lib/zk/data/myid
cfg=/var/lib/zk/zoo.cfg
cat > "$cfg" <<CFG
tickTime=${ZK_TICK_MS:-500}
initLimit=10
syncLimit=5
dataDir=/var/lib/zk/data
clientPort=2181
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,mntr,stat,conf
quorumListenOnAllIPs=true
forceSync=${ZK_FORCE_SYNC:-yes}
CFG
for id in $(echo "$ZK_SERVERS" | tr ',' ' '); do
  echo "server.$id=zk-$id:2888:3888" >> "$cfg"
done
[ -f /run/lockbench/skew ] || /usr/local/bin/skewctl 0 >/dev/null
# ZK_JVM_FLAGS replaces the flags above, for experiments that compare JVM settings (none by default).
exec java ${ZK_JVM_FLAGS:--Xmx${ZK_HEAP_MB:-1000}m -XX:+UseG1GC} \
  -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/var/log/zookeeper -XX:OnOutOfMemoryError='kill -9 %p' \
  -Dzookeeper.log.dir=/var/log/zookeeper -Dzookeeper.root.logger=INFO,CONSOLE \
  -cp '/etc/zookeeper/conf:/usr/share/java/*:/usr/share/zookeeper/*' \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$cfg"
