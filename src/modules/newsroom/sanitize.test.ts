import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bodyText, sanitizeBody } from './sanitize.ts';
import { availableActions, canAct, canEdit } from './workflow.ts';

describe('body sanitiser', () => {
  it('removes scripts, event handlers, javascript: links and foreign images', () => {
    const out = sanitizeBody('<p onclick="steal()">Hi<script>alert(1)</script><img src="x" onerror="alert(1)"> <a href="javascript:alert(1)">bad</a> <a href=" https://kyiv.example/a " target="_blank" style="color:red">ok</a></p>');
    assert.equal(out, '<p>Hi bad <a href="https://kyiv.example/a" rel="noopener noreferrer">ok</a></p>');
    assert.equal(sanitizeBody('<a href="data:text/html,x">d</a><a href="//evil.example">p</a><a href="mailto:press@city.example">m</a>'),
      'dp<a href="mailto:press@city.example" rel="noopener noreferrer">m</a>');
  });

  it('keeps images only from our own media paths, with their alt text', () => {
    assert.equal(sanitizeBody('<figure><img src="/media/1b2c/w640.jpg" alt="Сквер" onload="x()"><figcaption>Сквер</figcaption></figure>'),
      '<figure><img src="/media/1b2c/w640.jpg" alt="Сквер" /><figcaption>Сквер</figcaption></figure>');
    assert.equal(sanitizeBody('<p>a<img src="/c/khomein/media/1b2c/original.jpg" alt=""></p>'), '<p>a<img src="/c/khomein/media/1b2c/original.jpg" alt="" /></p>');
    assert.equal(sanitizeBody('<p>a<img src="https://tracker.example/p.gif"><img src="/media/../etc/passwd"></p>'), '<p>a</p>');
  });

  it('cleans a Word paste: classes, mso- styles, <o:p>, XML islands and conditional comments go; bold stays', () => {
    const word = `<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->
<p class=MsoNormal style='margin-bottom:0cm;mso-line-height-alt:12.0pt'><span lang=UK style='font-size:12.0pt;mso-fareast-font-family:"Times New Roman"'>Ремонт <b style='mso-bidi-font-weight:normal'>вулиці</b> Шевченка<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal><span style='font-weight:bold'>Терміни</span>: <i>до травня</i></p>`;
    assert.equal(sanitizeBody(word), '<p>Ремонт <strong>вулиці</strong> Шевченка</p>\n\n<p><strong>Терміни</strong>: <em>до травня</em></p>');
  });

  it('cleans a Google Docs paste: the whole-document <b> wrapper is not bold', () => {
    const gdocs = '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1a2b"><h1 dir="ltr"><span style="font-size:20pt">Заголовок</span></h1><p dir="ltr"><span style="font-weight:700">Важливо</span> <span style="font-style:italic">курсив</span></p></b>';
    assert.equal(sanitizeBody(gdocs), '<h2>Заголовок</h2><p><strong>Важливо</strong> <em>курсив</em></p>');
  });

  it('drops unknown and dangerous tags, keeping readable text; collapses empty paragraphs', () => {
    assert.equal(sanitizeBody('<marquee>old</marquee><iframe src="https://x"></iframe><style>p{}</style><p> </p><p>&nbsp;</p><p><br></p><custom-el>text</custom-el>'), 'oldtext');
    assert.equal(sanitizeBody('<table><tr><td colspan="2" style="x">a</td></tr></table>'), '<table><tr><td colspan="2">a</td></tr></table>');
  });

  it('gives plain text with one line per block', () => {
    assert.equal(bodyText(sanitizeBody('<h2>Про ремонт</h2><p>Вода &amp; тепло</p><ul><li>одне</li><li>друге</li></ul>')), 'Про ремонт\nВода & тепло\nодне\nдруге');
  });
});

describe('workflow rules', () => {
  const author = { permissions: new Set(['news.write']) };
  const editor = { permissions: new Set(['news.write', 'news.publish']) };
  it('authors write and send for review; editors do the rest', () => {
    assert.deepEqual(availableActions(author, 'draft', false), ['submit']);
    assert.deepEqual(availableActions(author, 'in_review', true), []);
    assert.deepEqual(availableActions(editor, 'in_review', false), ['return', 'approve', 'archive']);
    assert.deepEqual(availableActions(editor, 'approved', false), ['return', 'schedule', 'publish', 'archive']);
    assert.ok(canAct(editor, 'publish', 'draft', true), 'urgent: at once');
    assert.ok(!canAct(editor, 'publish', 'draft', false));
    assert.ok(!canAct(author, 'publish', 'draft', true));
    assert.ok(canEdit(author, 'draft') && !canEdit(author, 'in_review') && !canEdit(editor, 'published'));
  });
});
