import { currentTotp } from '../modules/identity/totp.ts';

/** A tiny browser-like HTTP client for tests: keeps cookies, reads the form token. */
export class Client {
  cookies = new Map<string, string>();
  constructor(readonly origin: string) {}

  async request(path: string, init: { method?: string; form?: Record<string, string | string[]>; json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined = init.body;
    if (init.form) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      body = p.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(this.origin + path, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text), location: res.headers.get('location') };
  }

  /** Fetches a page and returns the CSRF token of its first form. */
  async csrf(path: string): Promise<string> {
    const r = await this.request(path);
    const m = /name="_csrf" value="([^"]+)"/.exec(r.text);
    if (!m) throw new Error(`no form token on ${path} (status ${r.status})`);
    return m[1];
  }

  async post(path: string, form: Record<string, string | string[]>, tokenFrom = path) {
    const _csrf = await this.csrf(tokenFrom);
    return this.request(path, { form: { ...form, _csrf } });
  }

  /** Signs a staff member in; enrols or answers TOTP as needed. Returns the TOTP secret if any. */
  async staffLogin(base: string, email: string, password: string, totpSecret?: string): Promise<string | undefined> {
    const r = await this.post(`${base}/console/login`, { email, password });
    if (r.status !== 303) throw new Error(`login failed for ${email}: ${r.status}`);
    if (r.location?.endsWith('/enrol')) {
      const page = await this.request(`${base}/console/enrol`);
      const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.text)![1];
      const done = await this.post(`${base}/console/enrol`, { code: currentTotp(secret) }, `${base}/console/enrol`);
      if (done.status !== 200) throw new Error(`enrolment failed: ${done.status}`);
      return secret;
    }
    if (r.location?.endsWith('/second-factor')) {
      const done = await this.post(`${base}/console/login/second-factor`, { code: currentTotp(totpSecret!) });
      if (done.status !== 303) throw new Error(`second factor failed: ${done.status}`);
    }
    return totpSecret;
  }

  async apiToken(base: string, scope: 'read' | 'write' = 'write'): Promise<string> {
    const r = await this.post(`${base}/console/security/tokens`, { name: 'test', scope, days: '' }, `${base}/console/security`);
    return /data-testid="new-token">([^<]+)</.exec(r.text)![1];
  }
}
