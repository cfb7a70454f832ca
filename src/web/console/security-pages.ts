import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { AppError } from '../../http/errors.ts';
import { checkCsrf } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { t } from '../../i18n/i18n.ts';
import { endSession, endUserSessions, listUserSessions } from '../../modules/identity/sessions.ts';
import { createApiToken, listApiTokens, revokeApiToken, TOKEN_SCOPES } from '../../modules/identity/tokens.ts';
import { replaceRecoveryCodes } from '../../modules/identity/login.ts';
import { changePassword } from '../../modules/identity/users.ts';
import { recordAudit } from '../../modules/audit/service.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { recoveryCodesBlock } from './auth-pages.ts';

const TokenForm = z.object({
  name: z.string().trim().min(1).max(100),
  scope: z.enum(TOKEN_SCOPES),
  days: z.union([z.literal(''), z.coerce.number().int().min(1).max(3650)]).default(''),
}).passthrough();
const PasswordForm = z.object({ current: z.string().max(300), next: z.string().max(300) }).passthrough();
const IdParam = z.object({ id: z.string().max(100) });

export const securityPages = (app: App) => async (r: FastifyInstance) => {
  async function page(req: FastifyRequest, reply: FastifyReply, extra: { notice?: string; error?: string; top?: Html } = {}, status = 200) {
    const s = req.staff!;
    const lang = consoleLang(req);
    const base = consoleBase(req);
    const { sessions, tokens } = await withCommunity(app.db, req.community.id, async (tx) => ({
      sessions: await listUserSessions(tx, s.userId),
      tokens: await listApiTokens(tx, s.userId),
    }));
    const body = html`${extra.top ?? ''}
<section class="card" aria-labelledby="sess"><h2 id="sess">${t(lang, 'security.sessions.title')}</h2>
<table><thead><tr><th>${t(lang, 'security.sessions.device')}</th><th>${t(lang, 'security.sessions.address')}</th><th>${t(lang, 'security.sessions.started')}</th><th>${t(lang, 'security.sessions.last_seen')}</th><th>${t(lang, 'console.actions')}</th></tr></thead>
<tbody>${sessions.map((x) => html`<tr><td>${(x.user_agent ?? '').slice(0, 80)}</td><td class="mono">${x.ip}</td><td>${when(req, x.created_at)}</td><td>${when(req, x.last_seen_at)}</td>
<td>${x.id === s.sessionId ? t(lang, 'security.sessions.current') : html`<form class="inline" method="post" action="${base}/security/sessions/${x.id}/end">${hidden(req, reply)}<button class="secondary" type="submit">${t(lang, 'security.sessions.end')}</button></form>`}</td></tr>`)}</tbody></table>
<form method="post" action="${base}/security/sessions/end-others" style="margin-block-start:.5rem">${hidden(req, reply)}<button class="secondary" type="submit">${t(lang, 'security.sessions.end_others')}</button></form>
</section>
<section class="card" aria-labelledby="tfa"><h2 id="tfa">${t(lang, 'security.totp.title')}</h2>
${s.hasTotp
    ? html`<p>${t(lang, 'security.totp.on', { date: '' }).replace(/\s*\.$/, '.')}</p><form method="post" action="${base}/security/recovery-codes">${hidden(req, reply)}<button class="secondary" type="submit">${t(lang, 'console.recovery.regenerate')}</button></form>`
    : html`<p>${t(lang, 'security.totp.off')}</p><p><a href="${base}/enrol">${t(lang, 'security.totp.set_up')}</a></p>`}
</section>
<section class="card" aria-labelledby="pw"><h2 id="pw">${t(lang, 'security.password.title')}</h2>
<form class="stack" method="post" action="${base}/security/password">${hidden(req, reply)}
<div><label for="current">${t(lang, 'security.password.current')}</label><input id="current" name="current" type="password" autocomplete="current-password" required></div>
<div><label for="next">${t(lang, 'security.password.new')} <span class="hint" id="next-hint">${t(lang, 'security.password.hint')}</span></label><input id="next" name="next" type="password" autocomplete="new-password" required minlength="10" aria-describedby="next-hint"></div>
<div><button type="submit">${t(lang, 'console.save')}</button></div></form></section>
<section class="card" aria-labelledby="tok"><h2 id="tok">${t(lang, 'security.tokens.title')}</h2>
<p>${t(lang, 'security.tokens.lead')}</p>
${tokens.length ? html`<table><thead><tr><th>${t(lang, 'security.tokens.name')}</th><th>${t(lang, 'security.tokens.scopes')}</th><th>${t(lang, 'security.tokens.expires')}</th><th>${t(lang, 'security.tokens.last_used')}</th><th>${t(lang, 'console.actions')}</th></tr></thead><tbody>
${tokens.map((k) => html`<tr><td>${k.name}</td><td>${k.scopes.map((sc) => t(lang, `security.tokens.scope.${sc}` as 'security.tokens.scope.read')).join(', ')}</td><td>${k.expires_at ? when(req, k.expires_at) : t(lang, 'security.tokens.never')}</td><td>${when(req, k.last_used_at)}</td>
<td>${k.revoked_at ? t(lang, 'security.tokens.revoked') : html`<form class="inline" method="post" action="${base}/security/tokens/${k.id}/revoke">${hidden(req, reply)}<button class="danger" type="submit">${t(lang, 'security.tokens.revoke')}</button></form>`}</td></tr>`)}</tbody></table>` : ''}
<form class="row" method="post" action="${base}/security/tokens" style="margin-block-start:.75rem">${hidden(req, reply)}
<div><label for="tname">${t(lang, 'security.tokens.name')}</label><input id="tname" name="name" required maxlength="100"></div>
<div><label for="tscope">${t(lang, 'security.tokens.scopes')}</label><select id="tscope" name="scope">${TOKEN_SCOPES.map((sc) => html`<option value="${sc}">${t(lang, `security.tokens.scope.${sc}`)}</option>`)}</select></div>
<div><label for="tdays">${t(lang, 'security.tokens.days')}</label><input id="tdays" name="days" inputmode="numeric" maxlength="4"></div>
<div><button type="submit">${t(lang, 'console.create')}</button></div></form></section>`;
    return sendConsole(req, reply, { title: t(lang, 'console.nav.security'), body, active: '/security', notice: extra.notice, error: extra.error }, status);
  }

  r.get('/security', async (req, reply) => page(req, reply));

  r.post('/security/sessions/:id/end', async (req, reply) => {
    checkCsrf(req);
    const { id } = IdParam.parse(req.params);
    await withCommunity(app.db, req.community.id, async (tx) => {
      const own = await tx.selectFrom('sessions').select('id').where('id', '=', id).where('user_id', '=', req.staff!.userId).executeTakeFirst();
      if (!own) return;
      await endSession(tx, id);
      await recordAudit(tx, actorOf(req), { action: 'session.end', objectType: 'user', objectId: req.staff!.userId });
    });
    return reply.redirect(`${consoleBase(req)}/security`, 303);
  });

  r.post('/security/sessions/end-others', async (req, reply) => {
    checkCsrf(req);
    await withCommunity(app.db, req.community.id, async (tx) => {
      const n = await endUserSessions(tx, req.staff!.userId, req.staff!.sessionId ?? undefined);
      await recordAudit(tx, actorOf(req), { action: 'session.end_others', objectType: 'user', objectId: req.staff!.userId, note: { ended: n } });
    });
    return reply.redirect(`${consoleBase(req)}/security`, 303);
  });

  r.post('/security/recovery-codes', async (req, reply) => {
    checkCsrf(req);
    const codes = await withCommunity(app.db, req.community.id, async (tx) => {
      const c = await replaceRecoveryCodes(tx, req.community.id, req.staff!.userId);
      await recordAudit(tx, actorOf(req), { action: 'user.recovery_codes_replaced', objectType: 'user', objectId: req.staff!.userId });
      return c;
    });
    return page(req, reply, { top: recoveryCodesBlock(req, codes) });
  });

  r.post('/security/password', async (req, reply) => {
    checkCsrf(req);
    const lang = consoleLang(req);
    const form = PasswordForm.safeParse(req.body ?? {});
    if (!form.success) return page(req, reply, { error: t(lang, 'error.invalid') }, 400);
    try {
      await withCommunity(app.db, req.community.id, (tx) => changePassword(tx, actorOf(req), req.staff!.userId, form.data.current, form.data.next));
      await withCommunity(app.db, req.community.id, (tx) => endUserSessions(tx, req.staff!.userId, req.staff!.sessionId ?? undefined));
      return page(req, reply, { notice: t(lang, 'console.saved') });
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return page(req, reply, { error: t(lang, e.key) }, e.status);
    }
  });

  r.post('/security/tokens', async (req, reply) => {
    checkCsrf(req);
    const lang = consoleLang(req);
    const form = TokenForm.safeParse(req.body ?? {});
    if (!form.success) return page(req, reply, { error: t(lang, 'error.invalid') }, 400);
    const { name, scope, days } = form.data;
    const created = await withCommunity(app.db, req.community.id, async (tx) => {
      const tok = await createApiToken(tx, req.community.id, req.staff!.userId, name, scope === 'write' ? ['read', 'write'] : ['read'], days === '' ? null : new Date(Date.now() + days * 86400_000));
      await recordAudit(tx, actorOf(req), { action: 'token.create', objectType: 'api_token', objectId: tok.id, after: { name, scopes: tok.scopes } });
      return tok;
    });
    const top = html`<div class="notice" role="status"><p>${t(lang, 'security.tokens.created')}</p><p><code data-testid="new-token">${created.token}</code></p></div>`;
    return page(req, reply, { top });
  });

  r.post('/security/tokens/:id/revoke', async (req, reply) => {
    checkCsrf(req);
    const { id } = IdParam.parse(req.params);
    if (z.string().uuid().safeParse(id).success) {
      await withCommunity(app.db, req.community.id, async (tx) => {
        if (await revokeApiToken(tx, req.staff!.userId, id)) await recordAudit(tx, actorOf(req), { action: 'token.revoke', objectType: 'api_token', objectId: id });
      });
    }
    return reply.redirect(`${consoleBase(req)}/security`, 303);
  });
};
