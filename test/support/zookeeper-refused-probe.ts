// A ZooKeeper client, made as lockbench makes them, pointed at a port nobody listens on for a
// second and a half: the C client retries and fails every few hundred milliseconds, which is
// when the native binding would print its errors. The test reads what reached stdout and stderr.
import { createServer } from 'node:net';
import { newZooKeeperClient } from '../../core/zookeeper-client.ts';

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('no port');
await new Promise<void>((resolve) => server.close(() => resolve()));

const zk = newZooKeeperClient({ connect: `127.0.0.1:${address.port}`, sessionTimeoutMs: 2000 });
zk.init({});
await new Promise((resolve) => setTimeout(resolve, 1500));
zk.close();
