// The feed documents' shape: well-formed XML with the elements RSS 2.0 and Atom (RFC 4287)
// require, and JSON Feed 1.1's required fields. Texts with markup, quotes, control characters
// and right-to-left script must come through intact and never break the XML.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SaxesParser } from 'saxes';
import { atom, jsonFeed, rss, type Feed } from './feeds.ts';

type El = { name: string; attrs: Record<string, string>; text: string; children: El[] };

/** A strict XML parse (saxes throws on anything not well-formed) into a small tree. */
function parseXml(s: string): El {
  const parser = new SaxesParser({ xmlns: false });
  const root: El = { name: '#root', attrs: {}, text: '', children: [] };
  const stack = [root];
  parser.on('opentag', (t) => {
    const el: El = { name: t.name, attrs: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, String(v)])), text: '', children: [] };
    stack.at(-1)!.children.push(el);
    stack.push(el);
  });
  parser.on('text', (x) => (stack.at(-1)!.text += x));
  parser.on('closetag', () => void stack.pop());
  parser.write(s).close();
  return root.children[0];
}
const child = (e: El, name: string) => e.children.find((c) => c.name === name);
const children = (e: El, name: string) => e.children.filter((c) => c.name === name);

const feed: Feed = {
  title: 'Зеленодольськ: новини & <оголошення>',
  description: 'Офіційні новини',
  lang: 'uk',
  homeUrl: 'https://city.example/uk/news',
  feedUrl: 'https://city.example/uk/feed.rss',
  author: 'Зеленодольськ',
  items: [
    {
      id: 'urn:uuid:0b6c3a57-3b43-4a59-9d43-7e5d6c1d2a10', url: 'https://city.example/uk/news/%D1%80%D0%B5%D0%BC%D0%BE%D0%BD%D1%82-1',
      title: 'Ремонт "водогону" на вулиці Шевченка <терміново>\u0007', summary: 'Воду відновлять до 18:00 & раніше', contentHtml: '<p>Текст <b>тут</b></p>',
      published: new Date('2026-05-01T07:00:00Z'), updated: new Date('2026-05-02T08:30:00Z'), categories: ['Комунальні послуги'],
      image: { url: 'https://city.example/media/x/w1280.jpg', type: 'image/jpeg' },
    },
    {
      id: 'urn:uuid:1c7d4b68-4c54-4b6a-8e54-8f6e7d2e3b21', url: 'https://city.example/fa/news/2', title: 'آسفالت‌ریزی خیابان امام', summary: '',
      published: new Date('2026-04-01T07:00:00Z'), updated: new Date('2026-04-01T07:00:00Z'), categories: [],
    },
  ],
};

describe('feeds', () => {
  it('RSS 2.0: well-formed, channel title/link/description, items with title, link, guid, pubDate', () => {
    const doc = parseXml(rss(feed));
    assert.equal(doc.name, 'rss');
    assert.equal(doc.attrs.version, '2.0');
    const channel = child(doc, 'channel')!;
    assert.equal(child(channel, 'title')!.text, feed.title);
    assert.equal(child(channel, 'link')!.text, feed.homeUrl);
    assert.ok(child(channel, 'description'));
    assert.equal(child(channel, 'language')!.text, 'uk');
    assert.equal(child(channel, 'atom:link')!.attrs.href, feed.feedUrl);
    const items = children(channel, 'item');
    assert.equal(items.length, 2);
    assert.equal(child(items[0], 'title')!.text, 'Ремонт "водогону" на вулиці Шевченка <терміново>', 'escaped, control character dropped');
    assert.equal(child(items[0], 'guid')!.text, feed.items[0].id);
    assert.equal(child(items[0], 'pubDate')!.text, 'Fri, 01 May 2026 07:00:00 GMT');
    assert.equal(child(items[0], 'enclosure')!.attrs.url, feed.items[0].image!.url);
    assert.equal(child(items[1], 'title')!.text, 'آسفالت‌ریزی خیابان امام', 'the half-space survives');
  });

  it('Atom: well-formed, feed id/title/updated/author/self link; entries with id, title, updated, alternate link', () => {
    const doc = parseXml(atom({ ...feed, feedUrl: 'https://city.example/uk/feed.atom' }));
    assert.equal(doc.name, 'feed');
    assert.equal(doc.attrs.xmlns, 'http://www.w3.org/2005/Atom');
    assert.equal(child(doc, 'id')!.text, 'https://city.example/uk/feed.atom');
    assert.equal(child(doc, 'updated')!.text, '2026-05-02T08:30:00.000Z', 'the newest entry\'s update');
    assert.ok(child(child(doc, 'author')!, 'name')!.text);
    assert.ok(children(doc, 'link').some((l) => l.attrs.rel === 'self' && l.attrs.href === 'https://city.example/uk/feed.atom'));
    const entries = children(doc, 'entry');
    assert.equal(entries.length, 2);
    for (const e of entries) {
      for (const name of ['id', 'title', 'updated']) assert.ok(child(e, name)?.text, `entry has ${name}`);
      assert.ok(children(e, 'link').some((l) => l.attrs.rel === 'alternate' && l.attrs.href.startsWith('https://')));
    }
    assert.equal(child(entries[0], 'content')!.text, '<p>Текст <b>тут</b></p>', 'HTML content is escaped text');
  });

  it('JSON Feed 1.1: version, title, items with id and content; dates in RFC 3339', () => {
    const doc = JSON.parse(jsonFeed({ ...feed, feedUrl: 'https://city.example/uk/feed.json' }));
    assert.equal(doc.version, 'https://jsonfeed.org/version/1.1');
    assert.equal(doc.title, feed.title);
    assert.equal(doc.feed_url, 'https://city.example/uk/feed.json');
    assert.equal(doc.language, 'uk');
    assert.ok(Array.isArray(doc.authors) && doc.authors[0].name);
    assert.equal(doc.items.length, 2);
    for (const item of doc.items) {
      assert.equal(typeof item.id, 'string');
      assert.ok(typeof item.content_html === 'string' || typeof item.content_text === 'string', 'content_html or content_text');
      assert.ok(!Number.isNaN(Date.parse(item.date_published)));
    }
    assert.equal(doc.items[1].content_text, 'آسفالت‌ریزی خیابان امام', 'an empty lead falls back to the title');
  });

  it('an empty feed is still valid', () => {
    const empty = { ...feed, items: [] };
    assert.equal(child(parseXml(rss(empty)), 'channel')!.children.filter((c) => c.name === 'item').length, 0);
    assert.ok(child(parseXml(atom(empty)), 'updated')!.text);
    assert.deepEqual(JSON.parse(jsonFeed(empty)).items, []);
  });
});
