// The lanes' pacing (lanes.ts: Pacer): evenly spaced at the rate, catching up on slots a busy
// machine lost, and never more sends than the rate in any window of one second.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from './lanes.ts';

/** A lane's loop in simulated time: each send's slot, then `work(i)` ms of claiming before the next. */
function simulate(rate: number, until: number, work: (i: number) => number): number[] {
  const pacer = new Pacer(rate);
  const sent: number[] = [];
  let now = 0;
  for (let i = 0; now < until && i < 100_000; i++) {
    const at = pacer.take(now);
    assert.ok(at >= now, 'never before now');
    if (at >= until) break;
    sent.push(at);
    now = at + work(i);
  }
  return sent;
}

/** The most sends in any window of `ms` milliseconds. */
function busiest(sent: number[], ms: number): number {
  let most = 0;
  for (let a = 0, b = 0; b < sent.length; b++) {
    while (sent[b] - sent[a] >= ms - 1e-6) a++; // (simulated times are fractions: no rounding noise)
    most = Math.max(most, b - a + 1);
  }
  return most;
}

describe('pacing a lane', () => {
  it('spaces sends evenly at the rate when the lane keeps up', () => {
    const sent = simulate(10, 3000, () => 1);
    assert.deepEqual(sent.slice(0, 5), [0, 100, 200, 300, 400]);
    assert.equal(sent.length, 30);
  });

  it('catches up on slots lost to a stall, within the rate of any one-second window', () => {
    // 100 a second; every 50th claim takes 100 ms (a busy machine), the others 2 ms. Spacing
    // on from the late send loses the stalled slots for good: 850 sends in 10 s. Within the
    // one-second rule a slot lost now can come back only as older sends leave the window, so
    // not all of them do.
    const sent = simulate(100, 10_000, (i) => (i % 50 === 49 ? 100 : 2));
    assert.ok(sent.length >= 930, `${sent.length} sends in 10 s at 100/s`);
    assert.ok(busiest(sent, 1000) <= 100, `at most 100 in any second, was ${busiest(sent, 1000)}`);
  });

  it('never goes over the rate in any second, whatever the timing', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (const rate of [4, 30, 100]) {
      const sent = simulate(rate, 20_000, () => (random() < 0.1 ? random() * 1500 : random() * 3));
      assert.ok(busiest(sent, 1000) <= rate, `rate ${rate}: ${busiest(sent, 1000)} in one second`);
    }
  });

  it('a rate under one a second: one send per 1/rate seconds', () => {
    const sent = simulate(0.5, 10_000, () => 0);
    assert.deepEqual(sent, [0, 2000, 4000, 6000, 8000]);
  });

  it('a provider’s pause (Retry-After) holds the next send until then, and the spacing goes on from there', () => {
    const pacer = new Pacer(10);
    assert.equal(pacer.take(0), 0);
    assert.equal(pacer.take(100, 5000), 5000);
    assert.equal(pacer.take(5000), 5100);
  });
});
