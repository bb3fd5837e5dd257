'use strict';

/** The little HTTP plumbing the routes share: JSON in, JSON out, errors with a status. */

const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

function sendJson(res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'request body is empty: send a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

/**
 * Routes are `[method, pattern, handler]`; `:name` segments become `params.name`.
 * A handler returns `[status, body]` or throws an HttpError.
 */
function createRouter(routes) {
  const compiled = routes.map(([method, pattern, handler]) => {
    const names = [];
    const source = pattern.replace(/:(\w+)/g, (_, name) => {
      names.push(name);
      return '([^/]+)';
    });
    return { method, regex: new RegExp(`^${source}$`), names, handler };
  });

  return function route(method, pathname) {
    let pathMatched = false;
    for (const r of compiled) {
      const match = r.regex.exec(pathname);
      if (!match) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params = {};
      r.names.forEach((name, i) => (params[name] = decodePathSegment(match[i + 1])));
      return { handler: r.handler, params };
    }
    return { error: pathMatched ? new HttpError(405, `${method} is not allowed on ${pathname}`) : undefined };
  };
}

function decodePathSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `malformed path segment "${segment}"`);
  }
}

module.exports = { HttpError, sendJson, readJson, createRouter };
