import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * An exclusive lock on an embedded data directory. PGlite does not lock its directory, and two processes on
 * one directory silently lost committed rows, so the store takes this lock before opening and refuses a
 * second opener by name. The lock is a sibling file `<dataDir>.lock` (PGlite wants the directory itself to
 * hold only its own files) with the holder's pid; a lock whose pid no longer runs on this host is stale and
 * taken over.
 */

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `[Attain] the data directory ${dataDir} is in use by another process (pid ${holderPid}). ` +
        `Stop that process, or point this one at another directory (--data-dir / ATTAIN_DATA_DIR) or at PostgreSQL (DATABASE_URL). ` +
        `If no such process runs, delete ${dataDir}.lock.`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

interface LockContent {
  pid: number;
  host: string;
  token: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockContent;
  } catch {
    // Missing, or half-written by a process that died between create and write: treat as no holder.
    return undefined;
  }
}

function tryCreate(path: string, content: LockContent): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(content));
  } finally {
    closeSync(fd);
  }
  return true;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const path = `${dataDir}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  const mine: LockContent = {
    pid: process.pid,
    host: hostname(),
    token: `${process.pid}-${Date.now()}-${Math.random()}`,
  };

  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, mine)) return { path, release: () => release(path, mine.token) };
    const holder = readLock(path);
    if (holder && holder.host === hostname() && isAlive(holder.pid)) throw new DataDirLockedError(dataDir, holder.pid);
    if (holder && holder.host !== hostname()) throw new DataDirLockedError(dataDir, holder.pid);
    // Stale. Move it aside atomically; if what we moved is not the stale lock we read (another process took
    // over in between), put it back and look again.
    const aside = `${path}.${process.pid}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readLock(aside);
    if (moved && holder && moved.token !== holder.token) {
      try {
        linkSync(aside, path);
      } catch {
        // Someone created a new lock meanwhile; theirs stands.
      }
    }
    unlinkSync(aside);
  }
  const holder = readLock(path);
  throw new DataDirLockedError(dataDir, holder?.pid ?? -1);
}

function release(path: string, token: string): void {
  if (readLock(path)?.token !== token) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to release.
  }
}
