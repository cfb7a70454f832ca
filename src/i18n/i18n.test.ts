import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { catalogs, formatDate, pick, t } from './i18n.ts';

const { en, uk, fa } = catalogs;

const placeholders = (m: unknown) => new Set(JSON.stringify(m).match(/\{\w+\}/g) ?? []);

describe('languages', () => {
  it('every catalog has every key with the same placeholders', () => {
    for (const [name, cat] of Object.entries({ uk, fa })) {
      for (const key of Object.keys(en) as Array<keyof typeof en>) {
        assert.ok(cat[key], `${name} lacks ${key}`);
        assert.deepEqual(placeholders(cat[key]), placeholders(en[key]), `${name} ${key}`);
      }
    }
  });

  it('Ukrainian has four plural forms', () => {
    const forms = [1, 2, 5, 21, 22, 25, 11].map((n) => t('uk', 'users.count', { count: n }));
    assert.equal(new Set(forms.map((f) => f.replace(/[\d\s]/g, ''))).size, 3, forms.join(' | ')); // one, few, many among integers
    assert.notEqual(forms[0], forms[1]);
    assert.equal(forms[0].replace(/\d+/, ''), forms[3].replace(/\d+/, '')); // 1 and 21 share a form
  });

  it('Persian shows Persian digits and Solar Hijri dates; Ukrainian dates read the Ukrainian way', () => {
    const d = new Date('2026-11-22T10:00:00Z');
    assert.equal(formatDate(d, 'fa', 'Asia/Tehran', 'persian'), '۱ آذر ۱۴۰۵');
    assert.equal(formatDate(d, 'uk', 'Europe/Kyiv', 'gregorian'), '22 листопада 2026 р.');
    assert.match(t('fa', 'users.count', { count: 12 }), /۱۲/);
  });

  it('content falls back to the community’s default language', () => {
    assert.equal(pick({ uk: 'Водоканал' }, 'en', 'uk'), 'Водоканал');
    assert.equal(pick({ uk: 'Водоканал', en: 'Water utility' }, 'en', 'uk'), 'Water utility');
  });
});
