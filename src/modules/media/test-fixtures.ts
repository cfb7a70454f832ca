// Pictures made by the tests themselves (sharp), and a multipart form poster for the test Client.
import sharp from 'sharp';
import type { Client } from '../../test/client.ts';

/** A phone-like JPEG: camera make, GPS position, and "rotate 90° clockwise to view" (orientation 6). */
export const exifJpeg = (width = 1600, height = 900) =>
  sharp({ create: { width, height, channels: 3, background: '#3a7' } })
    .composite([{ input: { create: { width: Math.round(width / 4), height: Math.round(height / 4), channels: 3, background: '#c33' } }, top: 0, left: 0 }])
    .withExif({ IFD0: { Make: 'TestCam', Model: 'Phone X' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '50/1 27/1 1234/100', GPSLongitudeRef: 'E', GPSLongitude: '30/1 31/1 0/1' } })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();

export const alphaPng = (width = 700, height = 500) =>
  sharp({ create: { width, height, channels: 4, background: { r: 10, g: 80, b: 200, alpha: 0.5 } } }).png().toBuffer();

export const smallJpeg = () => sharp({ create: { width: 800, height: 600, channels: 3, background: '#888' } }).jpeg().toBuffer();

export type FilePart = { name: string; bytes: Buffer; type?: string };

/** Posts a multipart form like a browser without JavaScript: fields, the form's token, files. */
export async function postMultipart(c: Client, path: string, fields: Record<string, string>, files: FilePart[], tokenFrom = path, field = 'photos') {
  const fd = new FormData();
  fd.append('_csrf', await c.csrf(tokenFrom));
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append(field, new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'image/jpeg' }), f.name);
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(c.origin + path, { method: 'POST', body: fd, headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}
