import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataCache } from '../../src/services/caches';

describe('DataCache: reads kept while the database is unchanged', () => {
  const counter = () => {
    let n = 0;
    return () => Promise.resolve(++n);
  };

  it('serves what it kept while the epoch stays, and reads again once it moves', async () => {
    let epoch = 5;
    const cache = new DataCache(() => epoch, 60_000);
    const read = counter();
    assert.equal(await cache.remember('k', read), 1);
    assert.equal(await cache.remember('k', read), 1);
    assert.equal(await cache.remember('other', read), 2, 'another key reads for itself');
    epoch = 6;
    assert.equal(await cache.remember('k', read), 3);
    assert.equal(await cache.remember('k', read), 3);
  });

  it('keeps nothing where the epoch is not known, or with a time of 0', async () => {
    const read = counter();
    const unknown = new DataCache(() => null, 60_000);
    assert.equal(await unknown.remember('k', read), 1);
    assert.equal(await unknown.remember('k', read), 2);
    const off = new DataCache(() => 1, 0);
    assert.equal(await off.remember('k', read), 3);
    assert.equal(await off.remember('k', read), 4);
  });

  it('keeps an entry no longer than its time, even with nothing committed', async () => {
    const cache = new DataCache(() => 1, 20);
    const read = counter();
    assert.equal(await cache.remember('k', read), 1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(await cache.remember('k', read), 2);
  });

  it('lets go of entries past their time or their epoch as new ones come', async () => {
    let epoch = 1;
    const cache = new DataCache(() => epoch, 20);
    for (let i = 0; i < 50; i++) await cache.remember(`user:${i}`, async () => i);
    assert.equal(cache.size, 50);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await cache.remember('fresh', async () => 'x');
    assert.equal(cache.size, 1, 'the 50 past their time are gone');
    epoch = 2;
    await cache.remember('newer', async () => 'y');
    assert.equal(cache.size, 1, 'the one of the old epoch is gone');
  });

  it('does not keep a failed read, and requests at once share one read', async () => {
    const cache = new DataCache(() => 1, 60_000);
    await assert.rejects(
      cache.remember('k', () => Promise.reject(new Error('no such session'))),
      /no such session/,
    );
    let reads = 0;
    const read = () => new Promise<number>((resolve) => setTimeout(() => resolve(++reads), 5));
    const both = await Promise.all([cache.remember('k', read), cache.remember('k', read)]);
    assert.deepEqual(both, [1, 1]);
    assert.equal(reads, 1);
  });

  it('keeps only what `keep` accepts: a made-up key that found nothing is read again and takes no room', async () => {
    const cache = new DataCache(() => 1, 60_000);
    let reads = 0;
    const lookUp = (found: boolean) => async () => ({ found, read: ++reads });
    const keep = (v: { found: boolean }) => v.found;
    for (let i = 0; i < 3; i++) await cache.remember('verify:NOPE', lookUp(false), keep);
    assert.equal(reads, 3, 'a miss is read each time');
    assert.equal(cache.size, 0);
    await cache.remember('verify:REAL', lookUp(true), keep);
    assert.deepEqual(await cache.remember('verify:REAL', lookUp(true), keep), { found: true, read: 4 }, 'a hit is kept');
    assert.equal(cache.size, 1);
  });
});
