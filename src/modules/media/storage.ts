import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/**
 * Where media files live. Keys are relative paths made by this module only
 * (`<community>/<media id>/<variant>.<ext>`); the local-disk store below is the default and an
 * S3-compatible store can implement the same five calls.
 */
export interface Storage {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** Stores a file from a local path (a video streamed to a temp file), without reading it into memory. */
  putFile(key: string, source: string, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  /** A stream of the file (or of the bytes `start`..`end` inclusive) and the file's whole size,
   * or null when it does not exist. */
  stream(key: string, range?: { start: number; end: number }): Promise<{ body: Readable; size: number } | null>;
  /** A local path of the file when the store has one (ffmpeg reads it in place), else null. */
  localPath?(key: string): string | null;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix, with their age, for the sweep of files left by rolled-back uploads. */
  list(prefix: string): AsyncIterable<{ key: string; modifiedAt: Date }>;
}

const SAFE_KEY = /^[a-z0-9-]+(\/[a-z0-9.-]+)*$/;

export class LocalDiskStorage implements Storage {
  constructor(readonly root: string) {}

  private file(key: string): string {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`unsafe media key: ${key}`);
    return path.join(this.root, key);
  }

  /** Atomic: a reader sees the old file or the whole new one, never half of it. */
  async put(key: string, bytes: Buffer): Promise<void> {
    const target = this.file(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(tmp, 'w', 0o640);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  }

  async putFile(key: string, source: string): Promise<void> {
    const target = this.file(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.copyFile(source, tmp);
    const handle = await fs.open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  }

  localPath(key: string): string {
    return this.file(key);
  }

  async get(key: string): Promise<Buffer | null> {
    return fs.readFile(this.file(key)).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
  }

  async stream(key: string, range?: { start: number; end: number }) {
    const file = this.file(key);
    const st = await fs.stat(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
    return st?.isFile() ? { body: createReadStream(file, range), size: st.size } : null;
  }

  async exists(key: string): Promise<boolean> {
    return (await fs.stat(this.file(key)).catch(() => null))?.isFile() ?? false;
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<{ key: string; modifiedAt: Date }> {
    const dir = prefix ? this.file(prefix) : this.root;
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isFile()) continue;
      const full = path.join(e.parentPath, e.name);
      const st = await fs.stat(full).catch(() => null);
      if (st) yield { key: path.relative(this.root, full).split(path.sep).join('/'), modifiedAt: st.mtime };
    }
  }
}
