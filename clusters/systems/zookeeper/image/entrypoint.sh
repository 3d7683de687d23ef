#!/bin/sh
# Writes zoo.cfg and myid from ZK_ID and ZK_SERVERS ("1,2,3": hosts zk-1..zk-N on the lockbench
# network), then runs a small-heap ZooKeeper in the foreground.
set -e
: "${ZK_ID:?ZK_ID is required}"
: "${ZK_SERVERS:?ZK_SERVERS is required}"
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
CFG
for id in $(echo "$ZK_SERVERS" | tr ',' ' '); do
  echo "server.$id=zk-$id:2888:3888" >> "$cfg"
done
[ -f /run/lockbench/skew ] || /usr/local/bin/skewctl 0 >/dev/null
exec java -Xms32m -Xmx${ZK_HEAP_MB:-128}m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dzookeeper.log.dir=/var/log/zookeeper -Dzookeeper.root.logger=INFO,CONSOLE \
  -cp '/etc/zookeeper/conf:/usr/share/java/*:/usr/share/zookeeper/*' \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$cfg"
