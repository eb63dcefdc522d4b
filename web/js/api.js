// api.js: the Connect protocol over fetch (the server side: services/gateway/protocol.c).
// A unary RPC is POST /<package.Service>/<Method> with a JSON body in the proto3 JSON mapping;
// an error is {"code", "message"} with an HTTP status. The delegation's key lives only in
// sessionStorage (gone when the tab closes, never in a URL or localStorage) and is sent as a
// Bearer token.

const KEY_SLOT = 'unic.key';

export const SERVICES = {
  catalog: 'unic.catalog.v1.CatalogService',
  responses: 'unic.responses.v1.ResponseService',
  scoring: 'unic.scoring.v1.ScoringService',
  matching: 'unic.matching.v1.MatchingService',
  admin: 'unic.admin.v1.AdminService',
  directory: 'unic.catalog.v1.DirectoryService',
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

// call('catalog', 'GetQuestionnaire', {...}, {key}) -> the reply as a plain object.
export async function call(service, method, body = {}, opts = {}) {
  const key = opts.key ?? getKey();
  const headers = {
    'Content-Type': 'application/json',
    'Connect-Protocol-Version': '1',
    'Connect-Timeout-Ms': String(opts.timeoutMs ?? 30000),
  };
  if (key) headers.Authorization = 'Bearer ' + key;
  let res;
  try {
    res = await fetch('/' + SERVICES[service] + '/' + method, {
      method: 'POST', headers, body: JSON.stringify(body), cache: 'no-store',
      credentials: 'omit',
    });
  } catch (err) {
    throw new ApiError('unavailable', String(err.message || err), 0);
  }
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
