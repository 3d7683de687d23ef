// A tiny worker process for test/unit/core/worker-process.test.ts: answers pings, can answer
// malformed, can stay silent, can print, can crash, and can refuse to exit (to test the SIGKILL).
import { ParentChannel } from '../../core/worker-process.ts';
import { excerpt } from '../../core/message-shape.ts';
import { parseEchoRequest, type EchoAnswer, type EchoRequest } from './echo-protocol.ts';

const parent = new ParentChannel<EchoAnswer, EchoRequest>('echo worker', parseEchoRequest);
let stubborn = false;

process.on('SIGTERM', () => {
  if (!stubborn) process.exit(0);
});
process.on('disconnect', () => {
  if (!stubborn) process.exit(0);
});

parent.onMessage(
  (m) => {
    switch (m.type) {
      case 'ping':
        parent.send({ type: 'pong', n: m.n });
        return;
      case 'bad':
        // Deliberately outside the protocol: the parent's validator must catch it.
        process.send?.({ type: 'pong', n: 'not a number' });
        return;
      case 'silent':
        return;
      case 'say':
        process.stdout.write(`${m.text}\n`);
        process.stderr.write(`err: ${m.text}`); // no newline: the helper must still deliver it
        parent.send({ type: 'said' });
        return;
      case 'stubborn':
        stubborn = true;
        parent.send({ type: 'said' });
        return;
      case 'crash':
        process.exit(3);
        return;
      case 'exit':
        if (!stubborn) process.exit(0);
        return;
    }
  },
  (err, raw) => parent.send({ type: 'refused', error: `${err.message} (${excerpt(raw, 40)})` }),
);
