import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf, clientIp } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { AppError } from '../../http/errors.ts';
import { checkCsrf, clearCookie, setSessionCookie, STAFF_COOKIE } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { t } from '../../i18n/i18n.ts';
import { confirmTotpEnrolment, logout, passwordLogin, startTotpEnrolment, verifySecondFactor } from '../../modules/identity/login.ts';
import { endSession } from '../../modules/identity/sessions.ts';
import { totpQrSvg, totpUri } from '../../modules/identity/totp.ts';
import { consoleBase, consoleLang, hidden, sendConsole } from './layout.ts';
import { raw } from '../../http/html.ts';

const LoginForm = z.object({ email: z.string().max(300).default(''), password: z.string().max(300).default('') }).passthrough();
const CodeForm = z.object({ code: z.string().max(40).default('') }).passthrough();

export function recoveryCodesBlock(req: FastifyRequest, codes: string[]) {
  const lang = consoleLang(req);
  return html`<section class="card" aria-labelledby="rc"><h2 id="rc">${t(lang, 'console.recovery.title')}</h2>
<p>${t(lang, 'console.recovery.lead')}</p>
<ul class="mono" data-testid="recovery-codes">${codes.map((c) => html`<li>${c}</li>`)}</ul></section>`;
}

export const consoleAuthPages = (app: App) => async (r: FastifyInstance) => {
  const loginPage = (req: FastifyRequest, reply: FastifyReply, email = '', error: string | null = null, status = 200) => {
    const lang = consoleLang(req);
    const body = html`<form class="stack card" method="post" action="${consoleBase(req)}/login">${hidden(req, reply)}
<div><label for="email">${t(lang, 'console.email')}</label><input id="email" name="email" type="email" autocomplete="username" value="${email}" required></div>
<div><label for="password">${t(lang, 'console.password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
<div><button type="submit">${t(lang, 'console.sign_in')}</button></div></form>`;
    return sendConsole(req, reply, { title: t(lang, 'console.sign_in.title'), body, error }, status);
  };

  // Shown even to a signed-in user, who may want to switch accounts; signing in rotates the session.
  r.get('/login', async (req, reply) => loginPage(req, reply));

  r.post('/login', async (req, reply) => {
    checkCsrf(req);
    const form = LoginForm.parse(req.body ?? {});
    try {
      const res = await passwordLogin(
        app.db,
        { communityId: req.community.id, ip: clientIp(req), userAgent: req.headers['user-agent'] ?? null, maxHours: app.config.sessionMaxHours, requestId: String(req.id) },
        form.email,
        form.password,
      );
      // Rotate: the session that came with the request (if any) ends now.
      if (req.staff?.sessionId) await withCommunity(app.db, req.community.id, (tx) => endSession(tx, req.staff!.sessionId!));
      setSessionCookie(req, reply, STAFF_COOKIE, res.token, app.config.sessionMaxHours);
      const next = res.hasTotp ? '/login/second-factor' : res.mustEnrol ? '/enrol' : '';
      return reply.redirect(`${consoleBase(req)}${next}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      const lang = consoleLang(req);
      return loginPage(req, reply, form.email, t(lang, e.key, { count: Number(e.params.seconds ?? 0) }), e.status);
    }
  });

  const secondFactorPage = (req: FastifyRequest, reply: FastifyReply, error: string | null = null, status = 200) => {
    const lang = consoleLang(req);
    const body = html`<form class="stack card" method="post" action="${consoleBase(req)}/login/second-factor">${hidden(req, reply)}
<p>${t(lang, 'console.second_factor.lead')}</p>
<div><label for="code">${t(lang, 'console.second_factor.code')}</label><input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="20"></div>
<div><button type="submit">${t(lang, 'console.second_factor.confirm')}</button></div></form>`;
    return sendConsole(req, reply, { title: t(lang, 'console.second_factor.title'), body, error }, status);
  };

  r.get('/login/second-factor', async (req, reply) => {
    if (!req.staff?.sessionId) return reply.redirect(`${consoleBase(req)}/login`);
    return secondFactorPage(req, reply);
  });

  r.post('/login/second-factor', async (req, reply) => {
    checkCsrf(req);
    if (!req.staff?.sessionId) return reply.redirect(`${consoleBase(req)}/login`, 303);
    const { code } = CodeForm.parse(req.body ?? {});
    try {
      await verifySecondFactor(app.db, actorOf(req), req.staff.sessionId, req.staff.userId, code);
      return reply.redirect(consoleBase(req), 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return secondFactorPage(req, reply, t(consoleLang(req), e.key, { count: Number(e.params.seconds ?? 0) }), e.status);
    }
  });

  const enrolPage = async (req: FastifyRequest, reply: FastifyReply, error: string | null = null, status = 200) => {
    const lang = consoleLang(req);
    const s = req.staff!;
    const secret = await withCommunity(app.db, req.community.id, (tx) => startTotpEnrolment(tx, s.userId));
    const uri = totpUri(secret, s.email, `CityDesk ${req.community.slug}`);
    const svg = await totpQrSvg(uri);
    const body = html`<div class="card">
${s.secondFactorDone ? '' : html`<p>${t(lang, 'console.enrol.required')}</p>`}
<p>${t(lang, 'console.enrol.scan')}</p>
<div style="max-width:220px;background:#fff" role="img" aria-label="QR">${raw(svg)}</div>
<p>${t(lang, 'console.enrol.manual')} <code data-testid="totp-secret">${secret}</code></p>
<form class="stack" method="post" action="${consoleBase(req)}/enrol">${hidden(req, reply)}
<div><label for="code">${t(lang, 'console.second_factor.code')}</label><input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="8"></div>
<div><button type="submit">${t(lang, 'console.second_factor.confirm')}</button></div></form></div>`;
    return sendConsole(req, reply, { title: t(lang, 'console.enrol.title'), body, error }, status);
  };

  r.get('/enrol', async (req, reply) => {
    if (!req.staff?.sessionId) return reply.redirect(`${consoleBase(req)}/login`);
    if (req.staff.hasTotp) return reply.redirect(`${consoleBase(req)}/security`);
    return enrolPage(req, reply);
  });

  r.post('/enrol', async (req, reply) => {
    checkCsrf(req);
    const s = req.staff;
    if (!s?.sessionId) return reply.redirect(`${consoleBase(req)}/login`, 303);
    const { code } = CodeForm.parse(req.body ?? {});
    try {
      const codes = await withCommunity(app.db, req.community.id, (tx) => confirmTotpEnrolment(tx, actorOf(req), s.sessionId!, s.userId, code));
      s.secondFactorDone = true;
      s.hasTotp = true;
      const lang = consoleLang(req);
      const body = html`${recoveryCodesBlock(req, codes)}<p><a href="${consoleBase(req)}">${t(lang, 'console.nav.home')}</a></p>`;
      return sendConsole(req, reply, { title: t(lang, 'console.enrol.title'), body, notice: t(lang, 'console.enrol.done'), active: '/security' });
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return enrolPage(req, reply, t(consoleLang(req), e.key), e.status);
    }
  });

  r.post('/logout', async (req, reply) => {
    checkCsrf(req);
    if (req.staff?.sessionId) await withCommunity(app.db, req.community.id, (tx) => logout(tx, actorOf(req), req.staff!.sessionId!));
    clearCookie(req, reply, STAFF_COOKIE);
    return reply.redirect(`${consoleBase(req)}/login`, 303);
  });
};
