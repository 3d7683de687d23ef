// The etcd locks' pure parts: when a session lease must be presumed expired (the 1 × TTL rule
// that etcd3's 2 × TTL 'lost' misses), the session TTL, key names, myRev from the acquire txn, and
// what an etcd3 error says about an operation's outcome. The locks themselves run against real
// etcd in test/docker/etcd-locks.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdLeaseInvalidError, GRPCDeadlineExceededError, GRPCInvalidArgumentError, GRPCUnavailableError, type ITxnResponse } from 'etcd3';
import { classifyEtcdError, etcdClientOptions, etcdHosts, isLeaseGone, leaseIdHex, sessionTtlSec } from '../../../locks/etcd-connection.ts';
import { LeaseDeadline, lockPrefix, ownRevision, ownerOf } from '../../../locks/etcd-lock.ts';
import { etcd3LockKey } from '../../../locks/etcd3-lock.ts';

describe('LeaseDeadline: TTL after the send time of the last answered keep-alive', () => {
  test('before any keep-alive, the grant request starts the TTL', () => {
    const d = new LeaseDeadline(1000, 4000);
    assert.equal(d.deadlineMs, 5000);
  });

  test('an answer moves the deadline to TTL after its request was sent, not after the answer came', () => {
    const d = new LeaseDeadline(0, 4000);
    d.sent(1300);
    d.answered(4);
    assert.equal(d.deadlineMs, 5300);
  });

  test('answers are matched to sends oldest first, so a slow stream never moves the deadline too far', () => {
    const d = new LeaseDeadline(0, 3000);
    d.sent(1000);
    d.sent(2000);
    d.answered(3);
    assert.equal(d.deadlineMs, 4000, 'the first answer is for the send at 1000');
    d.answered(3);
    assert.equal(d.deadlineMs, 5000);
  });

  test('sends on a broken stream are never answered: the next answer is for a send after the break', () => {
    const d = new LeaseDeadline(0, 3000);
    d.sent(1000);
    d.sent(2000);
    d.streamBroke();
    d.sent(2500);
    d.answered(3);
    assert.equal(d.deadlineMs, 5500);
  });

  test('an answer with nothing recorded as sent does not move the deadline', () => {
    const d = new LeaseDeadline(100, 2000);
    d.answered(2);
    assert.equal(d.deadlineMs, 2100);
  });

  test('the TTL the server reports replaces the requested one (etcd rounds short TTLs up)', () => {
    const d = new LeaseDeadline(0, 1000);
    d.sent(10);
    d.answered(2);
    assert.equal(d.ttlMsNow, 2000);
    assert.equal(d.deadlineMs, 2010);
    d.answered(0);
    assert.equal(d.ttlMsNow, 2000, 'a TTL of 0 (lease gone) is not a TTL');
  });
});

describe('session TTL and names', () => {
  test('the session timeout rounded up to whole seconds, at least etcd\'s 2 s minimum', () => {
    assert.equal(sessionTtlSec(4000), 4);
    assert.equal(sessionTtlSec(4001), 5);
    assert.equal(sessionTtlSec(1000), 2);
    assert.equal(sessionTtlSec(10_000), 10);
  });

  test('keys: one prefix per lock key, our lease id in hex as Go names it', () => {
    assert.equal(lockPrefix('a/b c'), '/lockbench/locks/a%2Fb%20c/');
    assert.equal(leaseIdHex('7587869937447352331'), '694d87817f6a380b');
    assert.equal(ownerOf('694d87817f6a380b', 42n), '694d87817f6a380b@42');
    assert.equal(etcd3LockKey('k/1'), '/lockbench/etcd3-lock/k%2F1');
  });

  test('a revision beyond 2^53 stays exact (revisions are int64 strings)', () => {
    const txn = { header: { revision: '9007199254740993' }, succeeded: true, responses: [] } as unknown as ITxnResponse;
    assert.equal(ownRevision(txn), 9007199254740993n);
  });
});

describe('myRev from the acquire txn', () => {
  const kv = (createRevision: string): unknown => ({ key: Buffer.from('k'), create_revision: createRevision, mod_revision: createRevision, version: '1', value: Buffer.from(''), lease: '1' });
  const range = (...kvs: unknown[]): unknown => ({ response_range: { header: { revision: '50' }, kvs, more: false, count: String(kvs.length) } });

  test('the put ran: myRev is the txn revision', () => {
    const txn = { header: { revision: '50' }, succeeded: true, responses: [{ response_put: {} }, range(kv('50'))] } as unknown as ITxnResponse;
    assert.equal(ownRevision(txn), 50n);
  });

  test('our key existed (a retried txn): myRev is its create revision, not the txn revision', () => {
    const txn = { header: { revision: '50' }, succeeded: false, responses: [range(kv('41')), range(kv('12'))] } as unknown as ITxnResponse;
    assert.equal(ownRevision(txn), 41n);
  });

  test('neither: undefined', () => {
    const txn = { header: { revision: '50' }, succeeded: false, responses: [range(), range()] } as unknown as ITxnResponse;
    assert.equal(ownRevision(txn), undefined);
  });
});

describe('etcd3 client options and errors', () => {
  test('every member as a URL; a deadline on each unary attempt, none on streams', () => {
    const o = etcdClientOptions([{ host: '127.0.0.1', port: 23791 }, { host: '127.0.0.1', port: 23792 }], { callTimeoutMs: 1000 });
    assert.deepEqual(o.hosts, ['http://127.0.0.1:23791', 'http://127.0.0.1:23792']);
    assert.deepEqual(etcdHosts([{ host: 'h', port: 1 }]), ['http://h:1']);
    const factory = o.defaultCallOptions;
    assert.equal(typeof factory, 'function');
    if (typeof factory !== 'function') return;
    const before = Date.now();
    const unary = factory({ service: 'KV', method: 'txn', params: {}, isStream: false });
    assert.ok(typeof unary.deadline === 'number' && unary.deadline >= before + 1000);
    assert.equal(factory({ service: 'Watch', method: 'watch', isStream: true }).deadline, undefined);
    assert.throws(() => etcdClientOptions([], { callTimeoutMs: 1000 }), /at least one etcd member/);
  });

  test('a recoverable error may have been applied; a refusal was not; an open circuit sent nothing', () => {
    assert.equal(classifyEtcdError(new GRPCDeadlineExceededError('deadline')), 'unknown');
    assert.equal(classifyEtcdError(new GRPCUnavailableError('unavailable')), 'unknown');
    assert.equal(classifyEtcdError(new GRPCInvalidArgumentError('bad')), 'rejected');
    // cockatiel's BrokenCircuitError (etcd3's breaker) marks itself so.
    const broken = Object.assign(new Error('Execution prevented because the circuit breaker is open'), { isBrokenCircuitError: true });
    assert.equal(classifyEtcdError(broken), 'not-sent');
    assert.ok(isLeaseGone(new EtcdLeaseInvalidError('1')));
    assert.ok(!isLeaseGone(new GRPCUnavailableError('x')));
  });
});
