import fc from 'fast-check';
import type { ApiRoute } from '../../../../src/http/route';

/**
 * Requests that every route of the route table must refuse: each one breaks at least one thing the
 * route requires (a required field, the JSON, the content type, the size, a path or query value, the
 * API key), and may carry more oddities (operator objects, odd unicode, huge values) besides.
 */
export interface MalformedRequest {
  method: string;
  path: string;
  /** The route the request was aimed at (null when the method or path matches none on purpose). */
  route: ApiRoute | null;
  headers: Record<string, string>;
  body?: string;
  /** What was broken, for the failure message. */
  broken: string;
}

// Frozen: generated bodies share these objects, so writing into one would leak into later runs.
export const OPERATORS: readonly unknown[] = Object.freeze([
  Object.freeze({ $ne: null }),
  Object.freeze({ $gt: '' }),
  Object.freeze({ $where: 'sleep(1000)' }),
  Object.freeze({ $regex: '.*' }),
  Object.freeze({ $in: Object.freeze([1, 2]) }),
  Object.freeze(['$ne', null]),
]);

export const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u202e\u0644\u0627',
  '\ufeffBOM',
  '\ud800',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'e\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦',
  '../../etc/passwd',
  'a.b',
  '$ne',
  '{"$ne":null}',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '%00',
  '\r\nX-Injected: 1',
];

const oddString = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const hugeString = fc.integer({ min: 300, max: 20_000 }).map((n) => '字'.repeat(n));
const hugeNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER * 10, 2 ** 53 + 1, -1, 0.5);

/** Any JSON value, sometimes an operator object or an odd string. */
const noise: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...OPERATORS),
  oddString,
  hugeNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

type FieldKind = 'text' | 'slot' | 'list';
interface FieldSpec {
  name: string;
  kind: FieldKind;
  optional?: boolean;
}

/** A valid body per write route, and the fields its top level requires. */
function template(route: ApiRoute): { body: Record<string, unknown>; fields: FieldSpec[] } {
  const text = (name: string, optional = false): FieldSpec => ({ name, kind: 'text', optional });
  if (route.path === '/api/v1/accounts' && route.method === 'post') {
    return {
      body: { createBy: 'ops', accounts: [{ jimengAccount: 'fuzz', sessionId: 'fuzz-session-0001' }] },
      fields: [text('createBy'), { name: 'accounts', kind: 'list' }],
    };
  }
  if (route.path === '/api/v1/accounts' && route.method === 'patch') {
    return {
      body: { updateBy: 'ops', accounts: [{ id: '1', priority: 1 }] },
      fields: [text('updateBy'), { name: 'accounts', kind: 'list' }],
    };
  }
  if (route.path === '/api/v1/accounts/reseal') {
    return { body: { updateBy: 'ops' }, fields: [text('updateBy', true)] };
  }
  if (route.path.endsWith('/regenerate')) {
    return {
      body: { projectId: 'p-fuzz', updateBy: 'ops', storyboards: [{ storyboardId: 'sb-1', prompt: 'x' }] },
      fields: [{ name: 'projectId', kind: 'slot' }, text('updateBy'), { name: 'storyboards', kind: 'list' }],
    };
  }
  return {
    body: {
      projectId: 'p-fuzz',
      projectName: 'Fuzz',
      workId: 'w-fuzz',
      createBy: 'ops',
      storyboards: [{ storyboardId: 'sb-1', prompt: 'a cat', images: ['https://cdn.example.com/a.png'] }],
    },
    fields: [
      { name: 'projectId', kind: 'slot' },
      text('projectName'),
      text('workId'),
      text('createBy'),
      { name: 'storyboards', kind: 'list' },
    ],
  };
}

const notAString = fc.oneof(
  fc.constantFrom(...OPERATORS),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
);

/** A value that the field's schema refuses, or `undefined` (= leave the required field out). */
function breaker(field: FieldSpec): fc.Arbitrary<{ value: unknown; how: string }> {
  const options: fc.Arbitrary<{ value: unknown; how: string }>[] = [
    notAString.map((value) => ({ value, how: 'wrong type' })),
  ];
  if (!field.optional) options.push(fc.constant({ value: undefined, how: 'missing' }));
  if (field.kind === 'text') {
    options.push(fc.constant({ value: '', how: 'empty' }));
    options.push(hugeString.map((value) => ({ value, how: 'huge' })));
  }
  if (field.kind === 'slot') {
    options.push(
      fc
        .tuple(
          fc.stringMatching(/^[A-Za-z0-9_-]{0,8}$/),
          fc.constantFrom('.', ' ', '$', '/', 'é', '\u0000', '𝔘'),
        )
        .map(([ok, bad]) => ({ value: `${ok}${bad}${ok}`, how: 'forbidden character' })),
    );
    options.push(fc.integer({ min: 65, max: 5000 }).map((n) => ({ value: 'p'.repeat(n), how: 'too long' })));
  }
  if (field.kind === 'list') {
    // Only non-lists: a list of anything passes the batch shell (its items are judged one by one).
    options[0] = notAString
      .filter((value) => !Array.isArray(value))
      .map((value) => ({ value, how: 'wrong type' }));
    options.push(fc.constant({ value: [], how: 'empty list' }));
    options.push(
      fc.integer({ min: 201, max: 400 }).map((n) => ({
        value: Array.from({ length: n }, (_, i) => ({ storyboardId: `s${i}`, prompt: 'x' })),
        how: 'too many items',
      })),
    );
    options.push(
      fc
        .constantFrom(...OPERATORS.filter((value) => !Array.isArray(value)))
        .map((value) => ({ value, how: 'operator instead of list' })),
    );
  }
  return fc.oneof(...options);
}

/** Every field and parameter name some route accepts: an "unknown" key must be none of them. */
const KNOWN_NAMES = new Set([
  'createBy',
  'updateBy',
  'accounts',
  'projectId',
  'projectName',
  'workId',
  'storyboards',
  'model',
  'callbackUrl',
  'generationStatus',
  'accountStatus',
  'siteType',
  'sortBy',
  'sortOrder',
  'page',
  'pageSize',
  'fromRevision',
  'limit',
]);

const unknownKey = fc.oneof(
  fc.constantFrom('$where', '$ne', '__proto__', 'constructor', 'prototype', 'isDeleted', 'position'),
  oddString.filter((key) => key.length > 0 && !KNOWN_NAMES.has(key)),
);

/** A JSON body that breaks the route's top-level schema (the batch is refused as a whole). */
function brokenBody(route: ApiRoute): fc.Arbitrary<{ body: Record<string, unknown>; broken: string }> {
  const { body, fields } = template(route);
  const byField = fields.map((field) =>
    breaker(field).map(({ value, how }) => {
      const copy: Record<string, unknown> = { ...body };
      if (value === undefined) delete copy[field.name];
      else copy[field.name] = value;
      return { body: copy, broken: `${field.name}: ${how}` };
    }),
  );
  const extraKey = fc.tuple(unknownKey, noise).map(([key, value]) => {
    // JSON.parse makes "__proto__" an own key, like an attacker's body would.
    const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
    return { body: copy, broken: `unknown key ${JSON.stringify(key)}` };
  });
  return fc
    .tuple(
      fc.oneof(...byField, extraKey),
      // Extra oddities in other places (items included): they may or may not be valid on their own.
      fc.array(fc.tuple(fc.constantFrom(...fields.map((f) => f.name), 'item'), noise), { maxLength: 2 }),
    )
    .map(([{ body: broken, broken: what }, extras]) => {
      const result = { ...broken };
      for (const [name, value] of extras) {
        if (name === 'item') {
          // A fresh list: the one found may be a shared constant (an operator) or the value itself,
          // and writing into it would leak into later runs or make the body circular.
          const key = Object.keys(result).find((k) => Array.isArray(result[k]));
          const list = key === undefined ? undefined : (result[key] as unknown[]);
          if (key !== undefined && list && list.length > 0 && list.length <= 200)
            result[key] = [{ ...(list[0] as object), storyboardId: value }, ...list.slice(1)];
        } else if (!what.startsWith(`${name}:`) && name in result) {
          result[name] = value;
        }
      }
      return { body: result, broken: what };
    });
}

const INVALID_JSON = [
  '{',
  '{"projectId": ',
  "{'a': 1}",
  '{"a":1,}',
  'undefined',
  'NaN',
  '{"a": 01}',
  '\u0000',
];
const NON_OBJECT_JSON = ['[]', '[{"projectId":"p"}]', '42', '"text"', 'null', 'true'];
const WRONG_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json-patch+jsonx',
  'application/json; charset=latin1',
  'application/json; charset=utf-7',
];

export interface GeneratorOptions {
  /** Keys that authenticate as admin (every route) and another role's key. */
  adminKey: string;
  /** Bytes over which the app answers 413. */
  maxBodyBytes: number;
}

interface Shape {
  headers: Record<string, string>;
  body?: string;
  broken: string;
}

function bodyShape(route: ApiRoute, maxBodyBytes: number): fc.Arbitrary<Shape> {
  const json = { 'content-type': 'application/json' };
  return fc.oneof(
    {
      weight: 12,
      arbitrary: brokenBody(route).map((b) => ({
        headers: json,
        body: JSON.stringify(b.body),
        broken: b.broken,
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom(...INVALID_JSON),
          fc.string({ maxLength: 30 }).map((s) => `{${s}`),
        )
        .map((body) => ({ headers: json, body, broken: 'invalid JSON' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...NON_OBJECT_JSON)
        .map((body) => ({ headers: json, body, broken: 'not an object' })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...WRONG_TYPES), brokenBody(route)).map(([type, b]) => ({
        headers: { 'content-type': type },
        body: JSON.stringify(b.body),
        broken: `content type ${type} (and ${b.broken})`,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ headers: {}, broken: 'no body' }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 4096 }).map((extra) => ({
        headers: json,
        body: JSON.stringify({ ...template(route).body, padding: 'x'.repeat(maxBodyBytes + extra) }),
        broken: 'oversized body',
      })),
    },
  );
}

/** Percent-encodes, lone surrogates (which have no UTF-8) as U+FFFD. */
function enc(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

const badIdSegment = fc.oneof(
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F..%2F', '..', '%7B%22%24ne%22%3Anull%7D'),
  oddString.filter((s) => s.length > 0 && !/^[A-Za-z0-9_-]{1,64}$/.test(s)).map(enc),
  fc.integer({ min: 65, max: 3000 }).map((n) => '9'.repeat(n)),
);

const QUERY_KEYS: Record<string, string[]> = {
  records: ['createBy', 'workId', 'projectId', 'generationStatus', 'sortBy', 'page', 'pageSize', 'sortOrder'],
  accounts: ['createBy', 'accountStatus', 'siteType', 'sortBy', 'page', 'pageSize', 'sortOrder'],
  audit: ['fromRevision', 'limit'],
  delete: ['updateBy'],
};

function queryKeysOf(route: ApiRoute): string[] {
  if (route.method === 'delete') return QUERY_KEYS['delete']!;
  if (route.path.startsWith('/api/v1/audit')) return QUERY_KEYS['audit']!;
  if (route.path.startsWith('/api/v1/accounts')) return QUERY_KEYS['accounts']!;
  return QUERY_KEYS['records']!;
}

/** A query string with at least one refused parameter. */
function brokenQuery(route: ApiRoute): fc.Arbitrary<{ query: string; broken: string }> {
  const keys = queryKeysOf(route);
  const numeric = keys.filter((k) =>
    ['page', 'pageSize', 'fromRevision', 'limit', 'generationStatus', 'accountStatus', 'siteType'].includes(
      k,
    ),
  );
  const texts = keys.filter((k) => ['createBy', 'workId', 'projectId', 'updateBy'].includes(k));
  const breaks: fc.Arbitrary<{ query: string; broken: string }>[] = [
    unknownKey.map((key) => ({ query: `${enc(key)}=1`, broken: `unknown parameter ${JSON.stringify(key)}` })),
    fc.constantFrom(...keys).map((key) => ({ query: `${key}[$ne]=x`, broken: `${key}[$ne]` })),
    fc.constantFrom(...keys).map((key) => ({ query: `${key}=a&${key}=b`, broken: `${key} twice` })),
  ];
  if (numeric.length > 0) {
    breaks.push(
      fc
        .tuple(
          fc.constantFrom(...numeric),
          fc.constantFrom('-1', '1e3', 'abc', '99999999999', '', '1.5', '0x10', ' 1', '９'),
        )
        .map(([key, value]) => ({ query: `${key}=${enc(value)}`, broken: `${key}=${value}` })),
    );
  }
  if (texts.length > 0) {
    breaks.push(
      fc
        // Huge, yet under Node's 16 KB header limit (beyond it Node itself answers 431 without a body).
        .tuple(
          fc.constantFrom(...texts),
          fc.oneof(
            fc.constant(''),
            fc.integer({ min: 129, max: 4000 }).map((n) => 'q'.repeat(n)),
          ),
        )
        .map(([key, value]) => ({ query: `${key}=${enc(value)}`, broken: `${key} empty or huge` })),
    );
  }
  if (keys.includes('sortBy')) {
    breaks.push(
      fc
        .constantFrom('password', 'sessionId', '$natural', 'createdAt desc')
        .map((v) => ({ query: `sortBy=${enc(v)}`, broken: `sortBy=${v}` })),
    );
  }
  const harmless = fc.array(
    fc.tuple(fc.constantFrom(...keys), fc.oneof(fc.constantFrom('{"$ne":null}', '{"$gt":""}'), oddString)),
    { maxLength: 2 },
  );
  return fc.tuple(fc.oneof(...breaks), harmless).map(([broken, extras]) => ({
    // The break goes last: a repeated key must stay repeated.
    query: [...extras.map(([k, v]) => `${k}=${enc(v)}`), broken.query].join('&'),
    broken: broken.broken,
  }));
}

const samplePath = (route: ApiRoute) =>
  route.path.replace('{kind}', 'image').replace(/\{[^}]+\}/g, 'sample-1');

function pathWithBadParam(route: ApiRoute): fc.Arbitrary<{ path: string; broken: string }> {
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  return fc.tuple(fc.constantFrom(...names), badIdSegment).map(([name, bad]) => ({
    path: route.path
      .replace(`{${name}}`, bad)
      .replace('{kind}', 'image')
      .replace(/\{[^}]+\}/g, 'sample-1'),
    broken: `path ${name}=${bad.slice(0, 40)}`,
  }));
}

function routeRequest(route: ApiRoute, options: GeneratorOptions): fc.Arbitrary<MalformedRequest> {
  const writes = route.method === 'post' || route.method === 'patch';
  const auth = { authorization: `Bearer ${options.adminKey}` };
  const method = route.method.toUpperCase();
  const hasParams = route.path.includes('{');
  const shapes: fc.Arbitrary<MalformedRequest>[] = [];
  if (writes) {
    shapes.push(
      bodyShape(route, options.maxBodyBytes).map((shape) => ({
        method,
        path: route.path,
        route,
        headers: { ...auth, ...shape.headers },
        ...(shape.body === undefined ? {} : { body: shape.body }),
        broken: shape.broken,
      })),
    );
  } else {
    shapes.push(
      brokenQuery(route).map(({ query, broken }) => ({
        method,
        path: `${samplePath(route)}?${query}`,
        route,
        headers: auth,
        broken,
      })),
    );
  }
  if (hasParams) {
    shapes.push(
      pathWithBadParam(route).map(({ path, broken }) => ({ method, path, route, headers: auth, broken })),
    );
  }
  // Header breaks on top of an already broken request (the order of checks must not matter).
  const headerBreak = fc.oneof(
    fc.constantFrom('soon', '-1', '1'.repeat(40), '0x10', '1 2').map((v) => ({ 'x-min-position': v })),
    fc.constantFrom('x'.repeat(201), 'has space', '\u00ff\u00fe').map((v) => ({ 'idempotency-key': v })),
    fc.constant({} as Record<string, string>),
  );
  const authBreak = fc.constantFrom<Record<string, string>>(
    {},
    { authorization: 'Bearer ' },
    { authorization: 'Bearer wrong-key' },
    { authorization: `Basic ${options.adminKey}` },
    { authorization: `Bearer ${options.adminKey} extra` },
    { authorization: `Bearer ${options.adminKey}x` },
  );
  return fc
    .tuple(
      fc.oneof(...shapes),
      fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: headerBreak }),
      fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: authBreak }),
    )
    .map(([request, header, badAuth]) => {
      const headers: Record<string, string> = { ...request.headers, ...(header ?? {}) };
      if (badAuth !== null) {
        delete headers['authorization'];
        Object.assign(headers, badAuth);
      }
      return {
        ...request,
        headers,
        broken:
          badAuth === null
            ? request.broken
            : `auth ${JSON.stringify(badAuth).slice(0, 30)} + ${request.broken}`,
      };
    });
}

/** A method the path does not serve: answered 404 by the router. */
function wrongMethod(routes: readonly ApiRoute[], options: GeneratorOptions): fc.Arbitrary<MalformedRequest> {
  return fc
    .tuple(fc.constantFrom(...routes), fc.constantFrom('PUT', 'PATCH', 'DELETE', 'POST'))
    .chain(([route, method]) => {
      const served = routes.filter((r) => r.path === route.path).map((r) => r.method.toUpperCase());
      if (served.includes(method)) return routeRequest(route, options);
      return fc.constant<MalformedRequest>({
        method,
        path: samplePath(route),
        route: null,
        headers: { authorization: `Bearer ${options.adminKey}`, 'content-type': 'application/json' },
        body: '{}',
        broken: `method ${method} on ${route.path}`,
      });
    });
}

/** Malformed requests spread over every route of the table, plus methods the routes do not serve. */
export function malformedRequests(
  routes: readonly ApiRoute[],
  options: GeneratorOptions,
): fc.Arbitrary<MalformedRequest> {
  return fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...routes).chain((route) => routeRequest(route, options)) },
    { weight: 1, arbitrary: wrongMethod(routes, options) },
  );
}
