// Campaigns (a period, goal, tag and channels; publications and deliveries per channel by week)
// and the editors' lists of categories and rubrics.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { withCommunity } from '../../db/db.ts';
import { formatDate, LANGS, pick, t, type Lang } from '../../i18n/i18n.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { notFound } from '../../http/errors.ts';
import type { Texts } from '../../db/types.ts';
import { CHANNELS } from '../../modules/channels/types.ts';
import { campaignStats } from '../../modules/newsroom/campaigns.ts';
import { archiveTerm, createCampaign, listCampaigns, listCategories, listRubrics, saveTerm } from '../../modules/newsroom/taxonomy.ts';
import { isEditor } from '../../modules/newsroom/workflow.ts';
import { textIn } from '../text.ts';
import { consoleBase, consoleLang, hidden, sendConsole } from './layout.ts';
import { input, many, one, userError, type Errors, type Form } from './newsroom-form.ts';
import { NEWSROOM_CSS } from './newsroom-form.ts';

const texts = (f: Form, prefix: string) => Object.fromEntries(LANGS.map((l) => [l, one(f, `${prefix}_${l}`).trim()]).filter(([, v]) => v)) as Texts;

export const campaignRoutes = (app: App) => async (r: FastifyInstance) => {
  const day = (req: FastifyRequest, d: Date | string) => formatDate(new Date(`${String(d instanceof Date ? d.toISOString() : d).slice(0, 10)}T12:00:00Z`), consoleLang(req), 'UTC', req.community.calendar);

  async function listPage(req: FastifyRequest, reply: FastifyReply, f: Form = {}, errors: Errors = {}, error: string | null = null, code = 200) {
    const s = requireStaff(req, 'news.write');
    const lang = consoleLang(req);
    const c = req.community;
    const rows = await withCommunity(app.db, c.id, (tx) => listCampaigns(tx));
    const base = `${consoleBase(req)}/newsroom/campaigns`;
    const form = isEditor(s) ? html`<section class="card"><h2>${t(lang, 'newsroom.campaigns.new')}</h2><form class="stack" method="post" action="${base}">${hidden(req, reply)}
${input('code', t(lang, 'newsroom.campaigns.code'), one(f, 'code'), errors, { required: true, dir: 'ltr' })}
${LANGS.map((l) => input(`name_${l}`, t(lang, 'newsroom.campaigns.name', { lang: t(lang, `lang.${l}`) }), one(f, `name_${l}`), errors, { dir: l === 'fa' ? 'rtl' : 'ltr' }))}
${LANGS.map((l) => input(`goal_${l}`, t(lang, 'newsroom.campaigns.goal', { lang: t(lang, `lang.${l}`) }), one(f, `goal_${l}`), errors, { dir: l === 'fa' ? 'rtl' : 'ltr' }))}
${input('tag', t(lang, 'newsroom.campaigns.tag'), one(f, 'tag'), errors)}
${input('starts_on', t(lang, 'newsroom.campaigns.starts'), one(f, 'starts_on'), errors, { type: 'date', required: true })}
${input('ends_on', t(lang, 'newsroom.campaigns.ends'), one(f, 'ends_on'), errors, { type: 'date', required: true })}
<fieldset><legend>${t(lang, 'newsroom.field.channels')}</legend>${CHANNELS.map((k) => html`<div><label><input type="checkbox" name="channels" value="${k}"${many(f, 'channels').includes(k) ? ' checked' : ''}> ${t(lang, `channels.name.${k}`)}</label></div>`)}</fieldset>
<div><button type="submit">${t(lang, 'newsroom.campaigns.create')}</button></div></form></section>` : '';
    const body = html`${NEWSROOM_CSS}${rows.length ? html`<table data-testid="campaigns"><thead><tr><th>${t(lang, 'newsroom.campaigns.title')}</th><th>${t(lang, 'newsroom.campaigns.period')}</th></tr></thead><tbody>
${rows.map((x) => html`<tr><td><a href="${base}/${x.id}">${textIn(x.names, lang, c.default_lang)}</a></td><td>${day(req, x.starts_on)} — ${day(req, x.ends_on)}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">${t(lang, 'newsroom.campaigns.none')}</p>`}${form}`;
    return sendConsole(req, reply, { title: t(lang, 'newsroom.campaigns.title'), body, active: '/newsroom/campaigns', error }, code);
  }

  r.get('/newsroom/campaigns', async (req, reply) => listPage(req, reply));

  r.post('/newsroom/campaigns', async (req, reply) => {
    const s = requireStaff(req, 'news.write');
    checkCsrf(req);
    const f = (req.body ?? {}) as Form;
    const lang = consoleLang(req);
    try {
      const row = await withCommunity(app.db, req.community.id, (tx) => createCampaign(tx, actorOf(req), s, req.community.id, {
        code: one(f, 'code'), names: texts(f, 'name'), goals: texts(f, 'goal'), tag: one(f, 'tag') || undefined,
        starts_on: one(f, 'starts_on'), ends_on: one(f, 'ends_on'), channels: many(f, 'channels') as never,
      }, lang));
      return reply.redirect(`${consoleBase(req)}/newsroom/campaigns/${row.id}`, 303);
    } catch (e) {
      const u = userError(lang, e);
      if (!u) throw e;
      if (u.errors.names) u.errors.name_uk = u.errors.names;
      return listPage(req, reply, f, u.errors, u.message, u.status);
    }
  });

  r.get('/newsroom/campaigns/:id', async (req, reply) => {
    requireStaff(req, 'news.write');
    const lang = consoleLang(req);
    const c = req.community;
    const p = z.object({ id: z.string().uuid() }).safeParse(req.params);
    if (!p.success) throw notFound();
    const { campaign, stats, tag } = await withCommunity(app.db, c.id, async (tx) => {
      const campaign = await tx.selectFrom('campaigns').selectAll().where('id', '=', p.data.id).executeTakeFirst();
      if (!campaign) throw notFound();
      const tag = campaign.tag_id ? await tx.selectFrom('news_tags').select(['slug', 'names']).where('id', '=', campaign.tag_id).executeTakeFirst() : undefined;
      return { campaign, tag, stats: await campaignStats(tx, campaign.id) };
    });
    const channels = [...new Set([...campaign.channels, ...Object.keys(stats.byChannel)])];
    const chName = (k: string) => t(lang, `channels.name.${k}` as 'channels.name.telegram');
    const body = html`${NEWSROOM_CSS}<section class="card"><dl class="facts">
<dt>${t(lang, 'newsroom.campaigns.period')}</dt><dd>${day(req, campaign.starts_on)} — ${day(req, campaign.ends_on)}</dd>
<dt>${t(lang, 'newsroom.campaigns.goal_label')}</dt><dd>${textIn(campaign.goals, lang, c.default_lang) || '—'}</dd>
<dt>${t(lang, 'newsroom.campaigns.tag')}</dt><dd>${tag ? textIn(tag.names as Texts, lang, c.default_lang) || tag.slug : '—'}</dd>
<dt>${t(lang, 'newsroom.field.channels')}</dt><dd>${campaign.channels.map((k) => html`<span class="tag">${chName(k)}</span>`)}</dd>
<dt>${t(lang, 'newsroom.campaigns.publications')}</dt><dd data-testid="publications">${stats.publications}</dd>
<dt>${t(lang, 'newsroom.campaigns.deliveries')}</dt><dd data-testid="deliveries">${channels.map((k) => html`<span class="tag">${chName(k)}: ${stats.byChannel[k] ?? 0}</span>`)}</dd>
</dl></section>
<section class="card"><h2>${t(lang, 'newsroom.campaigns.by_week')}</h2><table data-testid="weeks"><thead><tr><th>${t(lang, 'newsroom.campaigns.week_of')}</th><th>${t(lang, 'newsroom.campaigns.publications')}</th>${channels.map((k) => html`<th>${chName(k)}</th>`)}</tr></thead><tbody>
${stats.weeks.map((w) => html`<tr><td>${day(req, w.week)}</td><td>${w.publications}</td>${channels.map((k) => html`<td>${w.byChannel[k] ?? 0}</td>`)}</tr>`)}</tbody></table></section>`;
    return sendConsole(req, reply, { title: pick(campaign.names, lang, c.default_lang), body, active: '/newsroom/campaigns' });
  });

  async function termsPage(req: FastifyRequest, reply: FastifyReply, f: Form = {}, errors: Errors = {}, error: string | null = null, code = 200) {
    const s = requireStaff(req, 'news.write');
    const lang = consoleLang(req);
    const c = req.community;
    const { categories, rubrics } = await withCommunity(app.db, c.id, async (tx) => ({ categories: await listCategories(tx), rubrics: await listRubrics(tx) }));
    const base = `${consoleBase(req)}/newsroom/terms`;
    const list = (kind: 'category' | 'rubric', rows: Array<{ id: string; code: string; names: Texts }>) => html`<ul>${rows.map((x) => html`<li>${textIn(x.names, lang, c.default_lang)} <code>${x.code}</code>
${isEditor(s) ? html`<form class="inline" method="post" action="${base}">${hidden(req, reply)}<input type="hidden" name="kind" value="${kind}"><input type="hidden" name="archive" value="${x.id}"><button type="submit" class="secondary">${t(lang, 'newsroom.terms.archive')}</button></form>` : ''}</li>`)}</ul>`;
    const form = isEditor(s) ? html`<form class="stack" method="post" action="${base}">${hidden(req, reply)}
<div><label for="kind">${t(lang, 'newsroom.field.type')}</label><select id="kind" name="kind"><option value="category">${t(lang, 'newsroom.terms.categories')}</option><option value="rubric"${one(f, 'kind') === 'rubric' ? ' selected' : ''}>${t(lang, 'newsroom.terms.rubrics')}</option></select></div>
${input('code', t(lang, 'newsroom.terms.code'), one(f, 'code'), errors, { required: true, dir: 'ltr' })}
${LANGS.map((l: Lang) => input(`name_${l}`, t(lang, 'newsroom.terms.name', { lang: t(lang, `lang.${l}`) }), one(f, `name_${l}`), errors, { dir: l === 'fa' ? 'rtl' : 'ltr' }))}
<div><button type="submit">${t(lang, 'newsroom.terms.save')}</button></div></form>` : '';
    const body = html`${NEWSROOM_CSS}<section class="card"><h2>${t(lang, 'newsroom.terms.categories')}</h2>${list('category', categories)}</section>
<section class="card"><h2>${t(lang, 'newsroom.terms.rubrics')}</h2>${list('rubric', rubrics)}</section>${form}`;
    return sendConsole(req, reply, { title: t(lang, 'newsroom.terms.title'), body, active: '/newsroom', error }, code);
  }

  r.get('/newsroom/terms', async (req, reply) => termsPage(req, reply));

  r.post('/newsroom/terms', async (req, reply) => {
    const s = requireStaff(req, 'news.publish');
    checkCsrf(req);
    const f = (req.body ?? {}) as Form;
    const kind = one(f, 'kind') === 'rubric' ? 'rubric' : 'category';
    try {
      await withCommunity(app.db, req.community.id, async (tx) => {
        const archive = one(f, 'archive');
        if (archive) {
          if (!z.string().uuid().safeParse(archive).success) throw notFound();
          return archiveTerm(tx, actorOf(req), s, kind, archive);
        }
        return saveTerm(tx, actorOf(req), s, req.community.id, kind, { code: one(f, 'code'), names: texts(f, 'name') });
      });
    } catch (e) {
      const u = userError(consoleLang(req), e);
      if (!u) throw e;
      if (u.errors.names || u.errors._) u.errors.name_uk = u.errors.names ?? u.errors._;
      return termsPage(req, reply, f, u.errors, u.message, u.status);
    }
    return reply.redirect(`${consoleBase(req)}/newsroom/terms`, 303);
  });
};
