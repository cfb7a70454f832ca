import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App, StaffAuth } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { formatNumber, t, type Lang, type MessageKey } from '../../i18n/i18n.ts';
import { columnLabel, columnsFor, exportPolicy, exportRows, type ExportFilter } from '../../modules/appeals/export.ts';
import { csvStream, xlsxStream } from '../../modules/appeals/export-format.ts';
import { createImportRun, getImportRun, listImportRuns } from '../../modules/appeals/import-runs.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';

const Filter = z.object({ show: z.enum(['open', 'all', 'control']).catch('open').default('open'), q: z.string().max(100).optional().catch(undefined) });
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const REFRESH_SECONDS = 3;
type Upload = { field: string; filename: string; bytes: Buffer; truncated: boolean };

/** The export links for the appeals list, carrying its filter (appeals.ts shows them). */
export function exportLinks(base: string, lang: Lang, f: { show: string; q?: string }, s: StaffAuth): Html | string {
  if (!exportPolicy(s)) return '';
  const canImport = s.permissions.has('appeals.admin');
  const qs = new URLSearchParams({ show: f.show, ...(f.q ? { q: f.q } : {}) }).toString();
  return html`<p class="row" data-testid="export-links"><a href="${base}/appeals/export.csv?${qs}" download>${t(lang, 'appeals.export.csv')}</a> · <a href="${base}/appeals/export.xlsx?${qs}" download>${t(lang, 'appeals.export.xlsx')}</a>${canImport ? html` · <a href="${base}/appeals/import">${t(lang, 'appeals.import.link')}</a>` : ''}</p>`;
}

/** Old Excel in Ukrainian saves CSV in Windows-1251; anything that is not UTF-8 is read so. */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1251').decode(bytes);
  }
}

export const consoleAppealsExport = (app: App) => async (r: FastifyInstance) => {
  async function download(req: FastifyRequest, reply: FastifyReply, format: 'csv' | 'xlsx') {
    const s = requireStaff(req, 'appeals.use');
    const pol = exportPolicy(s);
    if (!pol) throw notFound();
    const lang = consoleLang(req);
    const c = req.community;
    const f: ExportFilter = Filter.parse(req.query ?? {});
    const cols = columnsFor(pol.profile);
    const rows = exportRows(app.db, c.id, actorOf(req), pol, f, { lang, defaultLang: c.default_lang, timeZone: c.time_zone }, format);
    const name = `appeals-${c.slug}-${new Date().toISOString().slice(0, 10)}.${format}`;
    reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store').header('x-export-profile', pol.profile);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(csvStream(cols.map((x) => columnLabel(lang, x)), rows, c.time_zone));
    const xcols = cols.map((x) => ({ header: columnLabel(lang, x), width: x === 'description' ? 60 : x.endsWith('_at') ? 18 : 16, date: x.endsWith('_at') }));
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(xlsxStream(t(lang, 'appeals.export.sheet'), xcols, rows, lang, c.time_zone));
  }
  r.get('/appeals/export.csv', (req, reply) => download(req, reply, 'csv'));
  r.get('/appeals/export.xlsx', (req, reply) => download(req, reply, 'xlsx'));

  async function importPage(req: FastifyRequest, reply: FastifyReply, form: { text?: string; error?: string } = {}, status = 200) {
    requireStaff(req, 'appeals.admin');
    const lang = consoleLang(req);
    const base = consoleBase(req);
    const runs = await withCommunity(app.db, req.community.id, (tx) => listImportRuns(tx));
    const multipart = r.hasContentTypeParser('multipart/form-data');
    const body = html`<p>${t(lang, 'appeals.import.lead')}</p><p class="hint">${t(lang, 'appeals.import.columns')}</p>
<form class="stack" method="post" action="${base}/appeals/import"${multipart ? html` enctype="multipart/form-data"` : ''}>${hidden(req, reply)}
${form.error ? html`<p class="alert" id="import-error">${form.error}</p>` : ''}
${multipart ? html`<div><label for="file">${t(lang, 'appeals.import.file')}</label><input id="file" name="file" type="file" accept=".csv,text/csv"></div>` : ''}
<div><label for="text">${t(lang, 'appeals.import.text')}</label><textarea id="text" name="text" rows="6" dir="ltr"${form.error ? html` aria-describedby="import-error"` : ''}>${form.text ?? ''}</textarea></div>
<div><button type="submit">${t(lang, 'appeals.import.start')}</button></div></form>
<section class="card"><h2>${t(lang, 'appeals.import.runs')}</h2>
${runs.length ? html`<table data-testid="import-runs"><thead><tr><th>${t(lang, 'appeals.import.when')}</th><th>${t(lang, 'appeals.import.file')}</th><th>${t(lang, 'appeals.view.status')}</th><th>${t(lang, 'appeals.import.created')}</th><th>${t(lang, 'appeals.import.skipped')}</th><th>${t(lang, 'appeals.import.rejected')}</th></tr></thead><tbody>
${runs.map((x) => html`<tr><td><a href="${base}/appeals/import/${x.id}">${when(req, x.created_at)}</a></td><td>${x.file_name || t(lang, 'appeals.import.pasted')}</td><td>${t(lang, `appeals.import.status.${x.status}` as MessageKey)} (${formatNumber(lang, x.done)}/${formatNumber(lang, x.total)})</td><td>${formatNumber(lang, x.created)}</td><td>${formatNumber(lang, x.skipped)}</td><td>${formatNumber(lang, x.rejected)}</td></tr>`)}
</tbody></table>` : html`<p>${t(lang, 'appeals.import.none')}</p>`}</section>`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.import.title'), body, active: '/appeals', error: form.error ? t(lang, 'error.invalid') : null }, status);
  }

  r.get('/appeals/import', (req, reply) => importPage(req, reply));

  r.post('/appeals/import', async (req, reply) => {
    requireStaff(req, 'appeals.admin');
    checkCsrf(req);
    const lang = consoleLang(req);
    const fields = z.object({ text: z.string().max(20_000_000).optional() }).passthrough().parse(req.body ?? {});
    const file = ((req as { uploads?: Upload[] }).uploads ?? []).find((u) => u.field === 'file' && u.bytes.length > 0);
    const text = fields.text?.trim() ? fields.text : '';
    if (file?.truncated || (file && file.bytes.length > MAX_FILE_BYTES)) {
      return importPage(req, reply, { text, error: t(lang, 'appeals.import.error.too_big', { max: Math.floor(MAX_FILE_BYTES / 1024 / 1024) }) }, 400);
    }
    const source = file ? { name: file.filename || 'upload.csv', text: decode(file.bytes) } : { name: '', text };
    if (!source.text.trim()) return importPage(req, reply, { text, error: t(lang, 'appeals.import.error.no_file') }, 400);
    try {
      const run = await withCommunity(app.db, req.community.id, (tx) => createImportRun(tx, app.queue, actorOf(req), req.community.id, source));
      return reply.redirect(`${consoleBase(req)}/appeals/import/${run.id}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      const d = (e.details ?? {}) as Record<string, string | number>;
      return importPage(req, reply, { text, error: t(lang, e.key, { line: d.line ?? '', columns: String(d.columns ?? ''), max: d.max ?? '' }) }, 400);
    }
  });

  r.get('/appeals/import/:id', async (req, reply) => {
    requireStaff(req, 'appeals.admin');
    const lang = consoleLang(req);
    const base = consoleBase(req);
    const p = z.object({ id: z.string().uuid() }).safeParse(req.params);
    if (!p.success) throw notFound();
    const quiet = (req.query as { refresh?: string } | undefined)?.refresh === '0';
    const run = await withCommunity(app.db, req.community.id, (tx) => getImportRun(tx, p.data.id));
    if (!run) throw notFound();
    const n = (x: number) => formatNumber(lang, x);
    const going = run.status === 'queued' || run.status === 'running';
    // The page follows the job by reloading itself (the Refresh header is what
    // <meta http-equiv="refresh"> stands for), and offers to stop (WCAG 2.2.1).
    if (going && !quiet) reply.header('refresh', String(REFRESH_SECONDS));
    const pct = run.total ? Math.floor((run.done / run.total) * 100) : 100;
    const body = html`<section class="card"><dl class="facts">
<dt>${t(lang, 'appeals.view.status')}</dt><dd data-testid="run-status">${t(lang, `appeals.import.status.${run.status}` as MessageKey)}</dd>
<dt><label for="progress">${t(lang, 'appeals.import.progress')}</label></dt><dd><progress id="progress" max="${run.total || 1}" value="${run.total ? run.done : 1}">${pct}%</progress> <span data-testid="progress">${t(lang, 'appeals.import.progress_of', { done: n(run.done), total: n(run.total) })} (${n(pct)}%)</span></dd>
<dt>${t(lang, 'appeals.import.created')}</dt><dd data-testid="created">${n(run.created)}</dd>
<dt>${t(lang, 'appeals.import.skipped')}</dt><dd data-testid="skipped">${n(run.skipped)}</dd>
<dt>${t(lang, 'appeals.import.rejected')}</dt><dd data-testid="rejected">${n(run.rejected)}</dd>
<dt>${t(lang, 'appeals.import.by')}</dt><dd>${run.created_by_label ?? '—'} · ${when(req, run.created_at)}</dd>
</dl>${going ? html`<p class="hint" role="status">${quiet ? '' : html`${t(lang, 'appeals.import.refreshing')} <a href="?refresh=0">${t(lang, 'appeals.import.stop_refresh')}</a>`}</p>` : ''}</section>
${run.rejected_rows.length ? html`<section class="card"><h2>${t(lang, 'appeals.import.rejected_rows')}</h2>
${run.rejected > run.rejected_rows.length ? html`<p class="hint">${t(lang, 'appeals.import.rejected_more', { count: run.rejected_rows.length })}</p>` : ''}
<table data-testid="rejected-rows"><thead><tr><th>${t(lang, 'appeals.import.line')}</th><th>№</th><th>${t(lang, 'appeals.import.field')}</th><th>${t(lang, 'appeals.import.reason')}</th></tr></thead><tbody>
${run.rejected_rows.map((x) => html`<tr><td>${n(x.line)}</td><td><span class="mono">${x.number ?? ''}</span></td><td><span class="mono">${x.field ?? ''}</span></td><td>${t(lang, `appeals.import.reason.${x.reason}` as MessageKey)}</td></tr>`)}
</tbody></table></section>` : ''}
<p><a href="${base}/appeals/import">${t(lang, 'appeals.import.back')}</a></p>`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.import.run_title', { file: run.file_name || t(lang, 'appeals.import.pasted') }), body, active: '/appeals' });
  });
};
