// The Eitaa adapter against the fake eitaayar API (shape: see adapters/eitaa.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakeEitaa } from '../../test/fakes/eitaa.ts';
import { eitaa } from './adapters/eitaa.ts';
import { httpClient } from './http.ts';
import { ChannelError, type AdapterCtx, type Publication } from './types.ts';

const pub = (over: Partial<Publication> = {}): Publication => ({
  sourceType: 'material', sourceId: '00000000-0000-0000-0000-0000000000e1', version: 1, lang: 'fa', title: 'تعمیر پل', lead: 'شهرداری',
  bodyHtml: '', bodyText: 'کار از امروز آغاز شد.', url: 'https://city.example/fa/news/bridge', images: [], tags: ['شهر'], urgent: false, ...over,
});

describe('Eitaa adapter (eitaayar.ir API)', () => {
  let ei: Awaited<ReturnType<typeof fakeEitaa>>;
  const ctx = (config: Record<string, unknown>): AdapterCtx => ({ config: { base_url: ei.url, ...config }, http: httpClient(5000), communityId: 'c', deliveryId: 'd', origin: 'https://city.example', db: null as never });
  const noProgress = () => ({ progress: {}, save: async () => {} });

  before(async () => {
    ei = await fakeEitaa('EITAA-T');
  });
  after(async () => {
    await ei.close();
  });

  it('sendMessage: chat_id, text with headline and link, title as the panel label; the link comes from result.chat.username', async () => {
    const p = pub();
    const sent = await eitaa.publish(ctx({ token: 'EITAA-T', chat_id: 'zelenodolsk' }), p, noProgress());
    const req = ei.log.at(-1)!;
    assert.equal(req.path, '/api/EITAA-T/sendMessage');
    assert.equal(req.method, 'POST');
    const post = ei.posts.at(-1)!;
    assert.equal(post.chat_id, 'zelenodolsk');
    assert.equal(post.title, p.title);
    assert.ok(post.text.startsWith(p.title) && post.text.includes(p.url) && post.text.includes('#شهر'));
    assert.equal(sent.externalId, String(post.message_id));
    assert.equal(sent.externalUrl, `https://eitaa.com/zelenodolsk/${post.message_id}`);
    assert.deepEqual(sent.result.chat, { id: 9001, type: 'public', username: 'zelenodolsk' });
  });

  it('a numeric chat id has no public link', async () => {
    const sent = await eitaa.publish(ctx({ token: 'EITAA-T', chat_id: '123456' }), pub(), noProgress());
    assert.equal(sent.externalUrl, null);
  });

  it('a refusal is permanent with eitaayar\'s own words, in either failure shape; a 5xx is retried', async () => {
    for (const shape of ['description', 'error'] as const) {
      ei.errorShape(shape);
      await assert.rejects(eitaa.publish(ctx({ token: 'WRONG', chat_id: 'zelenodolsk' }), pub(), noProgress()), (e: unknown) =>
        e instanceof ChannelError && e.kind === 'permanent' && /invalid token/.test(e.message));
    }
    ei.errorShape('description');
    ei.fail({ kind: '500' });
    await assert.rejects(eitaa.publish(ctx({ token: 'EITAA-T', chat_id: 'zelenodolsk' }), pub(), noProgress()), (e: unknown) => e instanceof ChannelError && e.kind === 'transient');
  });

  it('a long text goes as several messages; a retry continues after the saved ones', async () => {
    const p = pub({ bodyText: 'جملهٔ بلند درباره پل. '.repeat(400) });
    const before = ei.posts.length;
    let saved: Record<string, unknown> = {};
    ei.fail({ kind: '500' }, (r) => r.path.endsWith('/sendMessage') && ei.posts.length === before + 1);
    const step = { progress: {}, save: async (s: Record<string, unknown>) => void (saved = s) };
    await assert.rejects(eitaa.publish(ctx({ token: 'EITAA-T', chat_id: 'zelenodolsk' }), p, step));
    assert.equal((saved.messages as number[]).length, 1);
    const sent = await eitaa.publish(ctx({ token: 'EITAA-T', chat_id: 'zelenodolsk' }), p, { progress: saved, save: async () => {} });
    const mine = ei.posts.slice(before);
    assert.ok(mine.length >= 2 && mine.length === (sent.result.messages as number[]).length, 'every part posted once');
    assert.equal(sent.externalId, String(mine[0].message_id));
  });

  it('test connection is getMe; edit and delete are not offered (no such methods)', async () => {
    assert.equal(await eitaa.test!(ctx({ token: 'EITAA-T', chat_id: 'zelenodolsk' })), 'city_bot');
    assert.equal(eitaa.update, undefined);
    assert.equal(eitaa.remove, undefined);
  });
});
