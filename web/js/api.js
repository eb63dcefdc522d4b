// api.js: the Connect protocol over fetch (the server side: services/gateway/protocol.c).
// A unary RPC is POST /<package.Service>/<Method> with a JSON body in the proto3 JSON mapping;
// an error is {"code", "message"} with an HTTP status. The delegation's key lives only in
// sessionStorage (gone when the tab closes, never in a URL or localStorage) and is sent as a
// Bearer token.

const KEY_SLOT = 'unic.key';

export const SERVICES = {
  catalog: 'unic.catalog.v1.CatalogService',
  notifications: 'unic.catalog.v1.NotificationService',
  responses: 'unic.responses.v1.ResponseService',
  scoring: 'unic.scoring.v1.ScoringService',
  matching: 'unic.matching.v1.MatchingService',
  admin: 'unic.admin.v1.AdminService',
  directory: 'unic.catalog.v1.DirectoryService',
  practices: 'unic.catalog.v1.PracticeService',
};

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;      // Connect code: "aborted", "not_found", "unauthenticated", ...
    this.status = status;  // HTTP status, 0 when the network failed
  }
}

export function getKey() {
  return sessionStorage.getItem(KEY_SLOT);
}

export function setKey(key) {
  sessionStorage.setItem(KEY_SLOT, key);
}

export function clearKey() {
  sessionStorage.removeItem(KEY_SLOT);
}

function headersOf(opts, json) {
  const key = opts.key ?? getKey();
  const headers = {
    'Connect-Protocol-Version': '1',
    'Connect-Timeout-Ms': String(opts.timeoutMs ?? 30000),
  };
  if (json) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = 'Bearer ' + key;
  return headers;
}

async function send(url, init) {
  try {
    return await fetch(url, { ...init, cache: 'no-store', credentials: 'omit' });
  } catch (err) {
    throw new ApiError('unavailable', String(err.message || err), 0);
  }
}

async function readJson(res) {
  const text = await res.text();
  let data = {};
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError('internal', 'the server answered ' + res.status + ' with a body that is not JSON', res.status);
    }
  }
  if (!res.ok) throw new ApiError(data.code || 'unknown', data.message || res.statusText, res.status);
  return data;
}

// call('catalog', 'GetQuestionnaire', {...}, {key}) -> the reply as a plain object.
export async function call(service, method, body = {}, opts = {}) {
  const res = await send('/' + SERVICES[service] + '/' + method, {
    method: 'POST', headers: headersOf(opts, true), body: JSON.stringify(body),
  });
  return readJson(res);
}

// The file a read-only RPC's reply carries (content_type, filename, bytes: an exported
// assessment), fetched as the file itself with the gateway's GET ?download=1: its bytes cross
// the network as they are, not a third larger in base64. -> {blob, filename, contentType}.
export async function callFile(service, method, body = {}, opts = {}) {
  const query = new URLSearchParams({ encoding: 'json', message: JSON.stringify(body), download: '1' });
  const res = await send('/' + SERVICES[service] + '/' + method + '?' + query, {
    method: 'GET', headers: headersOf(opts, false),
  });
  if (!res.ok) await readJson(res); // throws the server's error
  const disposition = res.headers.get('Content-Disposition') || '';
  const name = /filename="([^"]*)"/.exec(disposition);
  return { blob: await res.blob(), filename: name ? name[1] : 'download', contentType: res.headers.get('Content-Type') || '' };
}

// Bytes as a proto3 JSON `bytes` field: standard base64.
export function base64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

// Every page of a List* RPC, following next_page_token.
export async function listAll(service, method, body, field) {
  const out = [];
  let pageToken = '';
  for (;;) {
    const r = await call(service, method, { ...body, pageSize: 500, pageToken });
    out.push(...(r[field] || []));
    if (!r.nextPageToken) return out;
    pageToken = r.nextPageToken;
  }
}
