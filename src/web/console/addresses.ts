// The address register in the console: districts and streets with their counts, the import
// form (CSV, .osm XML, GeoJSON) and each import run's progress and rejected rows.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html, raw } from '../../http/html.ts';
import { notFound } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { formatNumber, t, type Lang, type MessageKey } from '../../i18n/i18n.ts';
import { formatAddress, getImport, listImports, queueImport, registerOverview } from '../../modules/addresses/service.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { textIn } from '../text.ts';

const FORMATS = ['csv', 'osm', 'geojson'] as const;
const mb = (bytes: number, lang: Lang) => `${formatNumber(lang, Math.round((bytes / 1024 / 1024) * 10) / 10)} MB`;

export const consoleAddresses = (app: App) => async (r: FastifyInstance) => {
  const maxBytes = Math.min(app.config.uploadMaxBytes, 50 * 1024 * 1024);

  async function registerPage(req: FastifyRequest, reply: FastifyReply, form: { format?: string; text?: string; error?: string } = {}, status = 200) {
    requireStaff(req, 'addresses.manage');
    const lang = consoleLang(req);
    const c = req.community;
    const q = z.object({ q: z.string().max(100).optional() }).parse(req.query ?? {});
    const data = await withCommunity(app.db, c.id, async (tx) => ({ ...(await registerOverview(tx, q.q, 200)), imports: await listImports(tx, 8) }));
    const base = `${consoleBase(req)}/addresses`;
    const name = (names: Record<string, string | undefined> | null) => (names ? textIn(names, lang, c.default_lang) : t(lang, 'addresses.console.no_district'));
    const body = html`<section class="card" aria-labelledby="districts"><h2 id="districts">${t(lang, 'addresses.console.districts')}</h2>
<p data-testid="counts">${t(lang, 'addresses.console.streets')}: <strong>${formatNumber(lang, data.counts.streets)}</strong> · ${t(lang, 'addresses.console.buildings')}: <strong>${formatNumber(lang, data.counts.buildings)}</strong> · ${t(lang, 'addresses.console.districts')}: <strong>${formatNumber(lang, data.counts.districts)}</strong></p>
${data.counts.streets ? html`<table><thead><tr><th>${t(lang, 'addresses.console.district')}</th><th>${t(lang, 'addresses.console.streets')}</th><th>${t(lang, 'addresses.console.buildings')}</th></tr></thead><tbody>
${data.districts.map((d) => html`<tr><td>${name(d.names)}</td><td>${formatNumber(lang, d.streets)}</td><td>${formatNumber(lang, d.buildings)}</td></tr>`)}</tbody></table>` : html`<p>${t(lang, 'addresses.console.empty')}</p>`}
</section>
<section class="card" aria-labelledby="streets"><h2 id="streets">${t(lang, 'addresses.console.streets')}</h2>
<form class="row" method="get" action="${base}"><div><label for="q">${t(lang, 'addresses.console.search')}</label><input id="q" name="q" type="search" value="${q.q ?? ''}"></div><div><button class="secondary" type="submit">${t(lang, 'addresses.console.find')}</button></div></form>
<table data-testid="streets"><thead><tr><th>${t(lang, 'addresses.console.street')}</th><th>${t(lang, 'addresses.console.former')}</th><th>${t(lang, 'addresses.console.district')}</th><th>${t(lang, 'addresses.console.buildings')}</th></tr></thead><tbody>
${data.streets.map((s) => html`<tr><td>${formatAddress(s, null, lang, c.default_lang)}</td><td>${s.former_names.join(', ')}</td><td>${s.district_names ? name(s.district_names) : '—'}</td><td>${formatNumber(lang, Number(s.buildings))}</td></tr>`)}
</tbody></table>${data.streets.length >= 200 ? html`<p class="muted">${t(lang, 'addresses.console.shown', { count: 200 })}</p>` : ''}
</section>
<section class="card" aria-labelledby="import"><h2 id="import">${t(lang, 'addresses.import.title')}</h2>
${form.error ? html`<p class="alert" role="alert" id="import-error">${form.error}</p>` : ''}
<form class="stack" method="post" action="${base}/imports" enctype="multipart/form-data">${hidden(req, reply)}
<fieldset><legend>${t(lang, 'addresses.import.format')}</legend>${FORMATS.map((f) => html`<label><input type="radio" name="format" value="${f}"${(form.format ?? 'csv') === f ? ' checked' : ''}> ${t(lang, `addresses.import.format.${f}`)}</label>`)}</fieldset>
<div><label for="file">${t(lang, 'addresses.import.file')}</label><input id="file" name="file" type="file" accept=".csv,.txt,.osm,.xml,.geojson,.json"${form.error ? raw(' aria-describedby="import-error"') : ''}></div>
<div><label for="text">${t(lang, 'addresses.import.text')}</label><textarea id="text" name="text" rows="4" dir="auto">${form.text ?? ''}</textarea></div>
<p class="hint">${t(lang, 'addresses.import.hint', { size: mb(maxBytes, lang) })}</p>
<div><button type="submit">${t(lang, 'addresses.import.submit')}</button></div></form>
${data.imports.length ? html`<h3>${t(lang, 'addresses.import.recent')}</h3><ul>${data.imports.map((i) => html`<li><a href="${base}/imports/${i.id}">${t(lang, 'addresses.import.run', { date: when(req, i.created_at) })}</a> — ${i.file_name ?? i.format} — ${t(lang, `addresses.import.status.${i.status}`)}</li>`)}</ul>` : ''}
</section>`;
    return sendConsole(req, reply, { title: t(lang, 'addresses.console.title'), body, active: '/addresses' }, status);
  }

  r.get('/addresses', async (req, reply) => registerPage(req, reply));

  r.post('/addresses/imports', async (req, reply) => {
    requireStaff(req, 'addresses.manage');
    checkCsrf(req);
    const lang = consoleLang(req);
    const f = z.record(z.string(), z.string()).catch({}).parse(req.body ?? {});
    const format = z.enum(FORMATS).catch('csv').parse(f.format);
    const file = (req.uploads ?? []).find((u) => u.field === 'file' && u.bytes.length);
    const keep = { format, text: f.text && f.text.length <= 100_000 ? f.text : '' };
    if (file?.truncated || (f.text?.length ?? 0) > maxBytes) return registerPage(req, reply, { ...keep, error: t(lang, 'addresses.import.too_big', { size: mb(maxBytes, lang) }) }, 400);
    const text = file ? file.bytes.toString('utf8') : (f.text ?? '');
    if (!text.trim()) return registerPage(req, reply, { ...keep, error: t(lang, 'addresses.import.empty') }, 400);
    const id = await withCommunity(app.db, req.community.id, (tx) =>
      queueImport(tx, app.queue, actorOf(req), req.community.id, { format, fileName: file?.filename?.slice(0, 200) || null, text: text.replace(/\u0000/g, '') }),
    );
    return reply.redirect(`${consoleBase(req)}/addresses/imports/${id}`, 303);
  });

  r.get('/addresses/imports/:id', async (req, reply) => {
    requireStaff(req, 'addresses.manage');
    const lang = consoleLang(req);
    const p = z.object({ id: z.string().uuid() }).safeParse(req.params);
    if (!p.success) throw notFound();
    const run = await withCommunity(app.db, req.community.id, (tx) => getImport(tx, p.data.id));
    if (!run) throw notFound();
    const going = run.status === 'queued' || run.status === 'running';
    if (going) reply.header('refresh', '2');
    const pct = run.total ? Math.round((run.processed / run.total) * 100) : 0;
    const body = html`${going ? raw('<meta http-equiv="refresh" content="2">') : ''}<section class="card">
<p><strong data-testid="import-status">${t(lang, `addresses.import.status.${run.status}`)}</strong>${run.file_name ? html` — ${run.file_name}` : ''}</p>
<label for="progress">${t(lang, 'addresses.import.progress', { processed: run.processed, total: run.total })}</label>
<progress id="progress" max="100" value="${run.status === 'done' ? 100 : pct}">${run.status === 'done' ? 100 : pct}%</progress>
${going ? html`<p class="hint">${t(lang, 'addresses.import.refreshing')}</p>` : ''}
${run.status === 'failed' ? html`<p class="alert" role="alert">${t(lang, 'addresses.import.bad_file', { reason: run.error ?? '—' })}</p>` : ''}
${run.status === 'done' ? html`<p class="notice" role="status" data-testid="import-counts">${t(lang, 'addresses.import.counts', { streets: run.streets_added, added: run.buildings_added, updated: run.buildings_updated })}</p>` : ''}
</section>
<section class="card"><h2>${t(lang, 'addresses.import.rejected')}</h2>
${run.rejected.length ? html`<table data-testid="rejected"><thead><tr><th>${t(lang, 'addresses.import.line')}</th><th>${t(lang, 'addresses.import.reason')}</th><th></th></tr></thead><tbody>
${run.rejected.map((x) => html`<tr><td>${x.line}</td><td>${t(lang, x.reason as MessageKey)}</td><td><code>${x.text}</code></td></tr>`)}</tbody></table>` : html`<p>${run.status === 'done' ? t(lang, 'addresses.import.rejected_none') : '—'}</p>`}
</section><p><a href="${consoleBase(req)}/addresses">${t(lang, 'addresses.console.title')}</a></p>`;
    return sendConsole(req, reply, { title: t(lang, 'addresses.import.run', { date: when(req, run.created_at) }), body, active: '/addresses' });
  });
};
