import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { textIn } from '../text.ts';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { AppError } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { LANGS, pick, t, type Lang } from '../../i18n/i18n.ts';
import { createUser, getUser, listUsers, updateUser } from '../../modules/identity/users.ts';
import { createOrganisation, getOrganisation, listOrganisations, ORGANISATION_KINDS, updateOrganisation } from '../../modules/identity/organisations.ts';
import { ROLES } from '../../modules/identity/roles.ts';
import { listUserSessions, endUserSessions } from '../../modules/identity/sessions.ts';
import { recordAudit, searchAudit } from '../../modules/audit/service.ts';
import { countUnknown, listOutbox, resendUnknown } from '../../modules/outbox/service.ts';
import { listJobs, retryJob } from '../../jobs/inspect.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { historyTable } from './history.ts';

const IdParam = z.object({ id: z.string().uuid() });
const asArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function errorText(lang: Lang, e: unknown): string {
  if (e instanceof AppError) return t(lang, e.key);
  if (e instanceof z.ZodError) return `${t(lang, 'error.invalid')} (${e.issues.map((i) => i.path.join('.')).join(', ')})`;
  throw e;
}

export const adminPages = (app: App) => async (r: FastifyInstance) => {
  const inTx = <T>(req: FastifyRequest, fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(app.db, req.community.id, fn);

  // ----- users -----
  async function usersPage(req: FastifyRequest, reply: FastifyReply, msg: { notice?: string; error?: string; form?: Record<string, unknown> } = {}, status = 200) {
    requireStaff(req, 'users.manage');
    const lang = consoleLang(req);
    const q = z.object({ q: z.string().max(100).optional() }).parse(req.query ?? {});
    const { users, orgs } = await inTx(req, async (tx) => ({ users: await listUsers(tx, { q: q.q }), orgs: await listOrganisations(tx) }));
    const orgName = new Map(orgs.map((o) => [o.id, textIn(o.names, lang, req.community.default_lang)]));
    const f = msg.form ?? {};
    const body = html`
<form class="row" method="get"><div><label for="q">${t(lang, 'console.search')}</label><input id="q" name="q" value="${q.q ?? ''}"></div><div><button type="submit" class="secondary">${t(lang, 'console.search')}</button></div></form>
<p class="muted">${t(lang, 'users.count', { count: users.length })}</p>
<table><thead><tr><th>${t(lang, 'users.name')}</th><th>${t(lang, 'users.email')}</th><th>${t(lang, 'users.organisation')}</th><th>${t(lang, 'users.roles')}</th><th>${t(lang, 'users.status')}</th></tr></thead><tbody>
${users.map((u) => html`<tr><td><a href="${consoleBase(req)}/users/${u.id}">${u.display_name}</a></td><td>${u.email}</td><td>${u.organisation_id ? orgName.get(u.organisation_id) : ''}</td><td>${u.roles.map((r) => t(lang, `role.${r}` as 'role.executor')).join(', ')}</td><td>${u.disabled_at ? t(lang, 'users.disabled') : t(lang, 'users.active')}</td></tr>`)}
</tbody></table>
<section class="card" aria-labelledby="nu" style="margin-block-start:1rem"><h2 id="nu">${t(lang, 'users.new')}</h2>
<form class="stack" method="post" action="${consoleBase(req)}/users">${hidden(req, reply)}
<div><label for="display_name">${t(lang, 'users.name')}</label><input id="display_name" name="display_name" required maxlength="120" value="${String(f.display_name ?? '')}"></div>
<div><label for="email">${t(lang, 'users.email')}</label><input id="email" name="email" type="email" required value="${String(f.email ?? '')}"></div>
<div><label for="password">${t(lang, 'users.initial_password')}</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="10"></div>
${orgSelect(lang, orgs, req, String(f.organisation_id ?? ''))}
${langSelect(lang, String(f.lang ?? lang))}
${rolesFieldset(lang, asArray(f.roles) as string[])}
<div><button type="submit">${t(lang, 'console.create')}</button></div></form></section>`;
    return sendConsole(req, reply, { title: t(lang, 'users.title'), body, active: '/users', ...msg }, status);
  }

  r.get('/users', async (req, reply) => usersPage(req, reply));
  r.post('/users', async (req, reply) => {
    requireStaff(req, 'users.manage');
    checkCsrf(req);
    const form = req.body as Record<string, unknown>;
    try {
      const user = await inTx(req, (tx) =>
        createUser(tx, actorOf(req), req.community.id, {
          email: String(form.email ?? ''),
          display_name: String(form.display_name ?? ''),
          password: String(form.password ?? ''),
          organisation_id: form.organisation_id ? String(form.organisation_id) : null,
          roles: asArray(form.roles) as never,
          lang: (form.lang as Lang) ?? 'uk',
        }),
      );
      return reply.redirect(`${consoleBase(req)}/users/${user.id}`, 303);
    } catch (e) {
      return usersPage(req, reply, { error: errorText(consoleLang(req), e), form }, e instanceof AppError ? e.status : 400);
    }
  });

  async function userPage(req: FastifyRequest, reply: FastifyReply, msg: { notice?: string; error?: string } = {}, status = 200) {
    requireStaff(req, 'users.manage');
    const lang = consoleLang(req);
    const { id } = IdParam.parse(req.params);
    const { user, orgs, sessions, history } = await inTx(req, async (tx) => ({
      user: await getUser(tx, id),
      orgs: await listOrganisations(tx),
      sessions: await listUserSessions(tx, id),
      history: await searchAudit(tx, { objectType: 'user', objectId: id, limit: 50 }),
    }));
    const base = `${consoleBase(req)}/users/${id}`;
    const body = html`<p>${user.email} · ${user.disabled_at ? t(lang, 'users.disabled') : t(lang, 'users.active')} · ${t(lang, 'users.second_factor')}: ${user.totp_enabled_at ? t(lang, 'console.yes') : t(lang, 'console.no')}</p>
<section class="card"><form class="stack" method="post" action="${base}">${hidden(req, reply)}
<div><label for="display_name">${t(lang, 'users.name')}</label><input id="display_name" name="display_name" required value="${user.display_name}"></div>
${orgSelect(lang, orgs, req, user.organisation_id ?? '')}
${langSelect(lang, user.lang)}
${rolesFieldset(lang, user.roles)}
<div><button type="submit">${t(lang, 'console.save')}</button></div></form></section>
<section class="card"><h2>${t(lang, 'users.sessions')}: ${sessions.length}</h2>
<form class="inline" method="post" action="${base}/end-sessions">${hidden(req, reply)}<button class="secondary" type="submit">${t(lang, 'users.end_sessions')}</button></form>
<form class="inline" method="post" action="${base}/${user.disabled_at ? 'enable' : 'disable'}">${hidden(req, reply)}<button class="${user.disabled_at ? 'secondary' : 'danger'}" type="submit">${user.disabled_at ? t(lang, 'users.enable') : t(lang, 'users.disable')}</button></form></section>
<section class="card"><h2>${t(lang, 'console.history')}</h2>${historyTable(req, history)}</section>`;
    return sendConsole(req, reply, { title: user.display_name, body, active: '/users', ...msg }, status);
  }

  r.get('/users/:id', async (req, reply) => userPage(req, reply));
  r.post('/users/:id', async (req, reply) => {
    requireStaff(req, 'users.manage');
    checkCsrf(req);
    const { id } = IdParam.parse(req.params);
    const form = req.body as Record<string, unknown>;
    const lang = consoleLang(req);
    try {
      await inTx(req, (tx) =>
        updateUser(tx, actorOf(req), req.community.id, id, {
          display_name: String(form.display_name ?? ''),
          organisation_id: form.organisation_id ? String(form.organisation_id) : null,
          lang: form.lang as Lang,
          roles: asArray(form.roles) as never,
        }),
      );
      return userPage(req, reply, { notice: t(lang, 'console.saved') });
    } catch (e) {
      return userPage(req, reply, { error: errorText(lang, e) }, e instanceof AppError ? e.status : 400);
    }
  });
  for (const action of ['disable', 'enable', 'end-sessions'] as const) {
    r.post(`/users/:id/${action}`, async (req, reply) => {
      requireStaff(req, 'users.manage');
      checkCsrf(req);
      const { id } = IdParam.parse(req.params);
      try {
        await inTx(req, async (tx) => {
          if (action === 'end-sessions') {
            await getUser(tx, id);
            const n = await endUserSessions(tx, id);
            await recordAudit(tx, actorOf(req), { action: 'user.sessions_ended', objectType: 'user', objectId: id, note: { ended: n } });
          } else {
            await updateUser(tx, actorOf(req), req.community.id, id, { disabled: action === 'disable' });
          }
        });
        return userPage(req, reply, { notice: t(consoleLang(req), 'console.saved') });
      } catch (e) {
        return userPage(req, reply, { error: errorText(consoleLang(req), e) }, e instanceof AppError ? e.status : 400);
      }
    });
  }

  // ----- organisations -----
  async function orgsPage(req: FastifyRequest, reply: FastifyReply, msg: { notice?: string; error?: string } = {}, status = 200) {
    requireStaff(req, 'organisations.manage');
    const lang = consoleLang(req);
    const orgs = await inTx(req, (tx) => listOrganisations(tx, { includeArchived: true }));
    const body = html`<table><thead><tr><th>${t(lang, 'users.name')}</th><th>${t(lang, 'orgs.kind')}</th><th>${t(lang, 'orgs.phone')}</th><th>${t(lang, 'orgs.email')}</th></tr></thead><tbody>
${orgs.map((o) => html`<tr><td><a href="${consoleBase(req)}/organisations/${o.id}">${textIn(o.names, lang, req.community.default_lang)}</a>${o.archived_at ? html` <span class="muted">(${t(lang, 'orgs.archived')})</span>` : ''}</td><td>${t(lang, `orgs.kind.${o.kind}` as 'orgs.kind.department')}</td><td class="mono">${o.phone ?? ''}</td><td>${o.email ?? ''}</td></tr>`)}
</tbody></table>
<section class="card" style="margin-block-start:1rem"><h2>${t(lang, 'orgs.new')}</h2>${orgForm(req, reply, lang, `${consoleBase(req)}/organisations`)}</section>`;
    return sendConsole(req, reply, { title: t(lang, 'orgs.title'), body, active: '/organisations', ...msg }, status);
  }

  function orgForm(req: FastifyRequest, reply: FastifyReply, lang: Lang, action: string, o?: { kind: string; names: Partial<Record<Lang, string>>; phone: string | null; email: string | null }): Html {
    return html`<form class="stack" method="post" action="${action}">${hidden(req, reply)}
<div><label for="kind">${t(lang, 'orgs.kind')}</label><select id="kind" name="kind">${ORGANISATION_KINDS.map((k) => html`<option value="${k}"${o?.kind === k ? ' selected' : ''}>${t(lang, `orgs.kind.${k}`)}</option>`)}</select></div>
${LANGS.map((l) => html`<div><label for="name_${l}">${t(lang, 'orgs.name', { lang: t(l, `lang.${l}`) })}</label><input id="name_${l}" name="name_${l}" lang="${l}" dir="${l === 'fa' ? 'rtl' : 'ltr'}" value="${o?.names[l] ?? ''}" maxlength="300"></div>`)}
<div><label for="phone">${t(lang, 'orgs.phone')}</label><input id="phone" name="phone" value="${o?.phone ?? ''}" maxlength="40"></div>
<div><label for="oemail">${t(lang, 'orgs.email')}</label><input id="oemail" name="email" type="email" value="${o?.email ?? ''}"></div>
<div><button type="submit">${t(lang, o ? 'console.save' : 'console.create')}</button></div></form>`;
  }

  const orgInput = (form: Record<string, unknown>) => ({
    kind: form.kind as never,
    names: Object.fromEntries(LANGS.map((l) => [l, String(form[`name_${l}`] ?? '')]).filter(([, v]) => v)),
    phone: form.phone ? String(form.phone) : null,
    email: form.email ? String(form.email) : null,
  });

  r.get('/organisations', async (req, reply) => orgsPage(req, reply));
  r.post('/organisations', async (req, reply) => {
    requireStaff(req, 'organisations.manage');
    checkCsrf(req);
    try {
      const { NewOrganisation } = await import('../../modules/identity/organisations.ts');
      const input = NewOrganisation.parse(orgInput(req.body as Record<string, unknown>));
      await inTx(req, (tx) => createOrganisation(tx, actorOf(req), req.community.id, input));
      return orgsPage(req, reply, { notice: t(consoleLang(req), 'console.saved') });
    } catch (e) {
      return orgsPage(req, reply, { error: errorText(consoleLang(req), e) }, e instanceof AppError ? e.status : 400);
    }
  });

  async function orgPage(req: FastifyRequest, reply: FastifyReply, msg: { notice?: string; error?: string } = {}, status = 200) {
    requireStaff(req, 'organisations.manage');
    const lang = consoleLang(req);
    const { id } = IdParam.parse(req.params);
    const { org, staff, history } = await inTx(req, async (tx) => ({
      org: await getOrganisation(tx, id),
      staff: await listUsers(tx, { organisationId: id }),
      history: await searchAudit(tx, { objectType: 'organisation', objectId: id, limit: 50 }),
    }));
    const base = `${consoleBase(req)}/organisations/${id}`;
    const body = html`<section class="card">${orgForm(req, reply, lang, base, org)}
<form method="post" action="${base}/${org.archived_at ? 'restore' : 'archive'}" style="margin-block-start:.5rem">${hidden(req, reply)}<button class="secondary" type="submit">${t(lang, org.archived_at ? 'orgs.restore' : 'orgs.archive')}</button></form></section>
<section class="card"><h2>${t(lang, 'orgs.staff')}</h2><ul>${staff.map((u) => html`<li><a href="${consoleBase(req)}/users/${u.id}">${u.display_name}</a></li>`)}</ul></section>
<section class="card"><h2>${t(lang, 'console.history')}</h2>${historyTable(req, history)}</section>`;
    return sendConsole(req, reply, { title: pick(org.names, lang, req.community.default_lang), body, active: '/organisations', ...msg }, status);
  }

  r.get('/organisations/:id', async (req, reply) => orgPage(req, reply));
  r.post('/organisations/:id', async (req, reply) => {
    requireStaff(req, 'organisations.manage');
    checkCsrf(req);
    const { id } = IdParam.parse(req.params);
    try {
      const { OrganisationPatch } = await import('../../modules/identity/organisations.ts');
      const patch = OrganisationPatch.parse(orgInput(req.body as Record<string, unknown>));
      await inTx(req, (tx) => updateOrganisation(tx, actorOf(req), id, patch));
      return orgPage(req, reply, { notice: t(consoleLang(req), 'console.saved') });
    } catch (e) {
      return orgPage(req, reply, { error: errorText(consoleLang(req), e) }, e instanceof AppError ? e.status : 400);
    }
  });
  for (const action of ['archive', 'restore'] as const) {
    r.post(`/organisations/:id/${action}`, async (req, reply) => {
      requireStaff(req, 'organisations.manage');
      checkCsrf(req);
      const { id } = IdParam.parse(req.params);
      await inTx(req, (tx) => updateOrganisation(tx, actorOf(req), id, { archived: action === 'archive' }));
      return orgPage(req, reply, { notice: t(consoleLang(req), 'console.saved') });
    });
  }

  // ----- audit, outbox, jobs -----
  r.get('/audit', async (req, reply) => {
    requireStaff(req, 'audit.read');
    const lang = consoleLang(req);
    const q = z.object({ q: z.string().max(100).optional(), before: z.string().regex(/^\d+$/).optional() }).parse(req.query ?? {});
    const rows = await inTx(req, (tx) => searchAudit(tx, { q: q.q, before: q.before, limit: 100 }));
    const last = rows.at(-1);
    const body = html`<form class="row" method="get"><div><label for="q">${t(lang, 'console.search')} <span class="hint">${t(lang, 'audit.search_hint')}</span></label><input id="q" name="q" value="${q.q ?? ''}"></div><div><button type="submit" class="secondary">${t(lang, 'console.search')}</button></div></form>
${historyTable(req, rows, true)}
${rows.length === 100 && last ? html`<p><a href="?${new URLSearchParams({ ...(q.q ? { q: q.q } : {}), before: String(last.id) }).toString()}">${t(lang, 'audit.older')}</a></p>` : ''}`;
    return sendConsole(req, reply, { title: t(lang, 'audit.title'), body, active: '/audit' });
  });

  r.get('/outbox', async (req, reply) => {
    requireStaff(req, 'outbox.read');
    const lang = consoleLang(req);
    const q = z.object({ status: z.enum(['pending', 'sending', 'sent', 'held', 'failed', 'unknown']).optional(), resent: z.coerce.number().int().min(0).optional() }).parse(req.query ?? {});
    const [rows, unknown] = await inTx(req, async (tx) => [await listOutbox(tx, { status: q.status, limit: 200 }), await countUnknown(tx)] as const);
    const canResend = req.staff!.permissions.has('outbox.resend');
    const resend = (action: string, label: string, cls = 'secondary') => html`<form class="inline" method="post" action="${consoleBase(req)}/outbox/${action}">${hidden(req, reply)}<button class="${cls}" type="submit">${label}</button></form>`;
    const body = html`<p>${t(lang, 'outbox.lead')}</p>
${q.resent !== undefined ? html`<p role="status" class="notice">${t(lang, 'outbox.unknown.done', { count: q.resent })}</p>` : ''}
${unknown ? html`<div class="alert" role="alert" data-testid="outbox-unknown"><p>${t(lang, 'outbox.unknown.notice', { count: unknown })}</p>
<p><a href="?status=unknown">${t(lang, 'outbox.status.unknown')}</a>${canResend ? html` ${resend('resend', t(lang, 'outbox.unknown.resend_all'))}` : ''}</p></div>` : ''}
<table data-testid="outbox"><thead><tr><th>${t(lang, 'outbox.created')}</th><th>${t(lang, 'outbox.channel')}</th><th>${t(lang, 'outbox.recipient')}</th><th>${t(lang, 'outbox.subject')}</th><th>${t(lang, 'outbox.status')}</th><th>${t(lang, 'outbox.attempts')}</th></tr></thead><tbody>
${rows.map((m) => html`<tr><td>${when(req, m.created_at)}</td><td>${m.channel}</td><td class="mono">${m.recipient}</td><td><details><summary>${m.subject ?? m.purpose}</summary><pre style="white-space:pre-wrap">${m.body}</pre></details></td><td>${t(lang, `outbox.status.${m.status}`)}${m.last_error ? html`<br><span class="hint">${m.last_error}</span>` : ''}${m.status === 'unknown' && canResend ? html`<br>${resend(`${m.id}/resend`, t(lang, 'outbox.unknown.resend'))}` : ''}</td><td>${m.attempts}</td></tr>`)}
</tbody></table>`;
    return sendConsole(req, reply, { title: t(lang, 'outbox.title'), body, active: '/outbox' });
  });

  // Messages a crash left "unknown": sent again only when a person decides so.
  const resendRoute = (path: string, ids: (params: unknown) => string[] | undefined) =>
    r.post(path, async (req, reply) => {
      requireStaff(req, 'outbox.resend');
      checkCsrf(req);
      const only = ids(req.params);
      const n = await inTx(req, async (tx) => {
        const count = await resendUnknown(tx, only);
        await recordAudit(tx, actorOf(req), { action: 'outbox.resend', objectType: 'outbox', objectId: only?.[0] ?? null, note: { count } });
        return count;
      });
      return reply.redirect(`${consoleBase(req)}/outbox?resent=${n}`, 303);
    });
  resendRoute('/outbox/resend', () => undefined);
  resendRoute('/outbox/:id/resend', (p) => [z.object({ id: z.string().uuid() }).parse(p).id]);

  r.get('/jobs', async (req, reply) => {
    requireStaff(req, 'jobs.read');
    const lang = consoleLang(req);
    const jobs = await listJobs(app.db, req.community.id, 200);
    const body = html`<table><thead><tr><th>${t(lang, 'jobs.created')}</th><th>${t(lang, 'jobs.queue')}</th><th>${t(lang, 'jobs.state')}</th><th>${t(lang, 'jobs.retries')}</th><th>${t(lang, 'jobs.error')}</th><th>${t(lang, 'console.actions')}</th></tr></thead><tbody>
${jobs.map((j) => html`<tr><td>${when(req, j.created_on)}</td><td class="mono">${j.name}</td><td>${t(lang, `jobs.state.${j.state}` as 'jobs.state.failed')}</td><td>${j.retry_count}/${j.retry_limit}</td><td class="hint">${j.error ?? ''}</td>
<td>${j.state === 'failed' ? html`<form class="inline" method="post" action="${consoleBase(req)}/jobs/${j.name}/${j.id}/retry">${hidden(req, reply)}<button class="secondary" type="submit">${t(lang, 'jobs.retry')}</button></form>` : ''}</td></tr>`)}
</tbody></table>`;
    return sendConsole(req, reply, { title: t(lang, 'jobs.title'), body, active: '/jobs' });
  });

  r.post('/jobs/:name/:id/retry', async (req, reply) => {
    requireStaff(req, 'jobs.read');
    checkCsrf(req);
    const p = z.object({ name: z.string().max(100), id: z.string().uuid() }).parse(req.params);
    await retryJob(app, req.community.id, p.name, p.id);
    await inTx(req, (tx) => recordAudit(tx, actorOf(req), { action: 'job.retry', objectType: 'job', objectId: p.id }));
    return reply.redirect(`${consoleBase(req)}/jobs`, 303);
  });
};

function orgSelect(lang: Lang, orgs: Array<{ id: string; names: Partial<Record<Lang, string>> }>, req: FastifyRequest, selected: string): Html {
  return html`<div><label for="organisation_id">${t(lang, 'users.organisation')}</label><select id="organisation_id" name="organisation_id"><option value="">—</option>
${orgs.map((o) => html`<option value="${o.id}"${o.id === selected ? ' selected' : ''}>${pick(o.names, lang, req.community.default_lang)}</option>`)}</select></div>`;
}

function langSelect(lang: Lang, selected: string): Html {
  return html`<div><label for="lang">${t(lang, 'users.language')}</label><select id="lang" name="lang">${LANGS.map((l) => html`<option value="${l}"${l === selected ? ' selected' : ''}>${t(l, `lang.${l}`)}</option>`)}</select></div>`;
}

function rolesFieldset(lang: Lang, selected: string[]): Html {
  return html`<fieldset><legend>${t(lang, 'users.roles')}</legend>
${ROLES.map((r) => html`<div><label style="font-weight:400"><input type="checkbox" name="roles" value="${r}"${selected.includes(r) ? ' checked' : ''}> ${t(lang, `role.${r}`)}</label></div>`)}</fieldset>`;
}
