/**
 * Immutable edits of a plan draft (plain JSON) by path, so the structured form and the JSON view edit one
 * object. Values stay as typed (decimal strings); the server's plan schema is what validates them.
 */
export type Path = readonly (string | number)[];
type Json = unknown;

export function getAt(value: Json, path: Path): Json {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** A copy of `value` with `path` set; `undefined` removes the key (or the array item). Missing parents are created. */
export function setAt(value: Json, path: Path, next: Json): Json {
  const [key, ...rest] = path;
  if (key === undefined) return next;
  const base: Json = value !== null && typeof value === 'object' ? value : typeof key === 'number' ? [] : {};
  const child = setAt((base as Record<string | number, unknown>)[key], rest, next);
  if (Array.isArray(base)) {
    const copy = base.slice();
    if (child === undefined && typeof key === 'number') copy.splice(key, 1);
    else copy[Number(key)] = child;
    return copy;
  }
  const copy = { ...(base as Record<string, unknown>) };
  if (child === undefined) delete copy[String(key)];
  else copy[String(key)] = child;
  return copy;
}

export function pathKey(path: Path): string {
  return path.join('.');
}

/** The items of an array at `path`, or none when it is missing or not an array. */
export function listAt(value: Json, path: Path): unknown[] {
  const v = getAt(value, path);
  return Array.isArray(v) ? v : [];
}

/** Text for an input: strings and numbers as they are, anything else empty. */
export function textAt(value: Json, path: Path): string {
  const v = getAt(value, path);
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}
