// Search normalisation: Ukrainian words found in their inflected forms, apostrophe variants,
// Persian letter variants, half-spaces, diacritics and digits — checked in PostgreSQL itself,
// where the stored vector meets the query.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createDb, type Db } from '../../db/db.ts';
import { freshDatabase } from '../../test/harness.ts';
import { foldText, queryText, searchQuerySql, searchVectorSql, stemUk, terms } from './search.ts';

describe('search normalisation', () => {
  it('one stem for the inflected forms of a Ukrainian word', () => {
    const groups = [
      ['ремонт', 'ремонту', 'ремонтом', 'ремонти', 'ремонтів', 'ремонтами', 'ремонтах'],
      ['вулиця', 'вулиці', 'вулицю', 'вулицею', 'вулицях'],
      ['дорога', 'дороги', 'дорогу', 'дорогою'],
      ['школа', 'школи', 'школу', 'школою', 'школах'],
      ['освітлення', 'освітленням', 'освітленні'],
      ['безбарєрність', 'безбарєрності', 'безбарєрністю'],
      ['зупинковий', 'зупинкового', 'зупинковому', 'зупинкові', 'зупинкових'],
    ];
    for (const g of groups) assert.equal(new Set(g.map(stemUk)).size, 1, `${g.join(', ')} → ${g.map(stemUk).join(', ')}`);
    assert.notEqual(stemUk('парк'), stemUk('пар'), 'a short word is not cut to nothing');
  });

  it('apostrophe variants and case fold to one word', () => {
    assert.deepEqual(terms("Безбар'єрність", false), terms('безбарʼєрність', false));
    assert.deepEqual(terms('безбар’єрність', false), terms('БЕЗБАРЄРНІСТЬ', false));
  });

  it('Persian letters, diacritics and digits fold', () => {
    assert.equal(foldText('شهرداري'), 'شهرداری', 'Arabic yeh → Persian yeh');
    assert.equal(foldText('كتاب'), 'کتاب', 'Arabic kaf → Persian keheh');
    assert.equal(foldText('مدرسة'), 'مدرسه', 'teh marbuta → heh');
    assert.equal(foldText('كِتَابٌ'), 'کتاب', 'harakat removed');
    assert.equal(foldText('۱۴۰۳ و ١٤٠٣'), '1403 و 1403');
  });

  it('a Persian half-space: joined, and in documents its parts too', () => {
    assert.deepEqual(terms('می‌شود', false), ['میشود']);
    assert.deepEqual(terms('می‌شود', true), ['میشود', 'می', 'شود']);
    assert.equal(queryText('کتاب‌ها'), 'کتاب', 'a joined plural is stemmed');
  });

  it('a query without words gives no query; operators cannot be injected', () => {
    assert.equal(queryText('  !!! ... '), null);
    assert.equal(searchQuerySql('uk', '&|!():*'), null);
    assert.equal(queryText("ремонт & !дорога | (x:*)"), 'ремонт & дорог & x');
  });
});

describe('search in PostgreSQL', () => {
  let db: Db;
  let drop: () => Promise<void>;
  before(async () => {
    const fresh = await freshDatabase();
    drop = fresh.drop;
    db = createDb(fresh.url, 2).db;
  });
  after(async () => {
    await db?.destroy();
    await drop?.();
  });

  const matches = async (doc: { title: string; lead?: string; body?: string }, q: string, lang: 'uk' | 'fa' | 'en' = 'uk') => {
    const query = searchQuerySql(lang, q);
    if (!query) return false;
    const r = await sql<{ ok: boolean }>`select (${searchVectorSql(lang, doc.title, doc.lead ?? '', doc.body ?? '')}) @@ ${query} as ok`.execute(db);
    return r.rows[0].ok;
  };

  it('finds Ukrainian words in other forms than written', async () => {
    const doc = { title: 'Ремонт дороги на вулиці Шевченка', lead: 'Дорожники оновлюють покриття та тротуари.', body: 'Рух транспорту обмежено до завершення робіт.' };
    assert.ok(await matches(doc, 'ремонтами'));
    assert.ok(await matches(doc, 'вулицях Шевченка'));
    assert.ok(await matches(doc, 'дорогою'));
    assert.ok(await matches(doc, 'тротуарів'));
    assert.ok(!(await matches(doc, 'школа')));
    assert.ok(!(await matches(doc, 'ремонт школи')), 'every word must be found');
  });

  it("finds «безбар'єрність» whatever apostrophe either side typed", async () => {
    const doc = { title: 'Рух без барʼєрів', lead: 'Безбар’єрність — це зручність для кожного.' };
    assert.ok(await matches(doc, "безбар'єрності"));
    assert.ok(await matches(doc, 'безбарєрність'));
  });

  it('finds Persian words regardless of letter variants and half-spaces', async () => {
    const doc = { title: 'آسفالت‌ریزی خیابان امام آغاز شد', lead: 'شهرداری خمین از آغاز عملیات خبر داد و کار تا ۱۴۰۳ ادامه می‌یابد.' };
    assert.ok(await matches(doc, 'شهرداري', 'fa'), 'Arabic yeh in the query');
    assert.ok(await matches(doc, 'آسفالتریزی', 'fa'), 'typed without the half-space');
    assert.ok(await matches(doc, 'آسفالت ریزی', 'fa'), 'typed with a space');
    assert.ok(await matches(doc, 'ادامه میيابد', 'fa'));
    assert.ok(await matches(doc, '1403', 'fa'), 'Latin digits find Persian ones');
    const arabic = { title: 'كتابخانة مركزي' };
    assert.ok(await matches(arabic, 'کتابخانه مرکزی', 'fa'), 'a document typed on an Arabic keyboard');
  });
});
