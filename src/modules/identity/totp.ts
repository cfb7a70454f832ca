import { randomBytes, createHash } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string, issuer: string) {
  return new OTPAuth.TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) });
}

export function totpUri(secret: string, label: string, issuer: string): string {
  return totp(secret, label, issuer).toString();
}

export function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}

/** Accepts the current code and one step either side, for clocks that drift. */
export function verifyTotp(secret: string, code: string): boolean {
  const clean = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(clean)) return false;
  return totp(secret, 'x', 'x').validate({ token: clean, window: 1 }) !== null;
}

export function currentTotp(secret: string): string {
  return totp(secret, 'x', 'x').generate();
}

/** Ten single-use recovery codes, shown once; only their hashes are stored. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: 10 }, () => {
    const raw = randomBytes(5).toString('hex');
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
}

export const hashCode = (code: string) => createHash('sha256').update(code.trim().toLowerCase()).digest('hex');
