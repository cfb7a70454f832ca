import type { FastifyRequest } from 'fastify';
import { html } from '../../http/html.ts';
import { t } from '../../i18n/i18n.ts';
import { consoleLang, when } from './layout.ts';

type AuditRow = { id: string; at: Date; actor_label: string | null; actor_type: string; action: string; object_type: string; object_id: string | null; changes: unknown; ip: string | null };

/** An object's history, or the whole log: who did what, when, and which fields changed. */
export function historyTable(req: FastifyRequest, rows: AuditRow[], withObject = false) {
  const lang = consoleLang(req);
  if (rows.length === 0) return html`<p class="muted">${t(lang, 'console.none')}</p>`;
  return html`<table data-testid="audit"><thead><tr><th>${t(lang, 'audit.when')}</th><th>${t(lang, 'audit.who')}</th><th>${t(lang, 'audit.action')}</th>${withObject ? html`<th>${t(lang, 'audit.object')}</th>` : ''}<th>${t(lang, 'audit.changes')}</th>${withObject ? html`<th>${t(lang, 'audit.address')}</th>` : ''}</tr></thead><tbody>
${rows.map((r) => html`<tr><td>${when(req, r.at)}</td><td>${r.actor_label ?? r.actor_type}</td><td class="mono">${r.action}</td>${withObject ? html`<td class="mono">${r.object_type}${r.object_id ? ` ${r.object_id.slice(0, 8)}` : ''}</td>` : ''}<td>${changes(r.changes)}</td>${withObject ? html`<td class="mono">${r.ip ?? ''}</td>` : ''}</tr>`)}
</tbody></table>`;
}

function changes(c: unknown) {
  if (!c || typeof c !== 'object') return '';
  return html`<ul class="mono" style="margin:0;padding-inline-start:1rem">${Object.entries(c as Record<string, { from?: unknown; to?: unknown }>).map(([k, v]) =>
    html`<li>${k}: ${v && typeof v === 'object' && 'to' in v ? `${JSON.stringify(v.from)} → ${JSON.stringify(v.to)}` : JSON.stringify(v)}</li>`)}</ul>`;
}
