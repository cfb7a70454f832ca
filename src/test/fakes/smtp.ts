// A local SMTP relay that speaks real SMTP (smtp-server) on 127.0.0.1: it records each
// message with its envelope recipients, and can be told to refuse mail for a while.
import { SMTPServer } from 'smtp-server';

export type FakeMail = { to: string[]; raw: string; at: number };

export function fakeRelay() {
  const mails: FakeMail[] = [];
  let refusing = false;
  let delayMs = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_addr, _session, cb) {
      if (refusing) return cb(Object.assign(new Error('Mailbox temporarily unavailable'), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d) => (raw += d));
      stream.on('end', () => {
        // Taken at once; the relay's "250 OK" comes after the delay.
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, at: Date.now() });
        setTimeout(cb, delayMs);
      });
    },
  });
  // A client killed mid-conversation (the crash tests) resets its connection: that is the
  // test's own doing, not a failure of the relay.
  server.on('error', () => {});
  return {
    mails,
    /** The raw messages, in the order received. */
    get received() {
      return mails.map((m) => m.raw);
    },
    refuse: (v: boolean) => (refusing = v),
    setDelay: (ms: number) => (delayMs = ms),
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The text body of a single-part message, decoded from base64 or quoted-printable. */
export function mailText(raw: string): string {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}
