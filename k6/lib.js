// Shared helpers for the k6 scripts: sign up and log in users, pick a request mix.
import http from 'k6/http';
import { check } from 'k6';
import encoding from 'k6/encoding';

export const BASE = __ENV.BASE_URL || 'http://localhost:8080';
const JSON_HEADERS = { 'Content-Type': 'application/json' };

// Creates `count` users (idempotent per run id) and returns [{id, token}].
export function users(count) {
  const run = __ENV.RUN_ID || `${Date.now()}`;
  const out = [];
  for (let i = 0; i < count; i++) {
    const email = `k6-${run}-${i}@example.com`;
    const password = 'k6-password';
    http.post(`${BASE}/v1/users`, JSON.stringify({ email, name: `k6 user ${i}`, password }),
      { headers: Object.assign({ 'Idempotency-Key': `k6-signup-${run}-${i}` }, JSON_HEADERS) });
    const login = http.post(`${BASE}/v1/auth/token`, JSON.stringify({ email, password }), { headers: JSON_HEADERS });
    check(login, { 'logged in': (r) => r.status === 200 });
    const token = login.json('access_token');
    const me = JSON.parse(encoding.b64decode(token.split('.')[1], 'rawurl', 's')).sub;
    out.push({ id: me, token });
  }
  // Everyone follows the next five users, so feeds have content.
  for (let i = 0; i < out.length; i++) {
    for (let k = 1; k <= 5 && k < out.length; k++) {
      http.put(`${BASE}/v1/users/${out[(i + k) % out.length].id}/follow`, null, auth(out[i]));
    }
  }
  return out;
}

export function auth(user, extra) {
  return { headers: Object.assign({ Authorization: `Bearer ${user.token}` }, JSON_HEADERS, extra || {}),
    tags: extra && extra.name ? { name: extra.name } : undefined };
}

// One request of the usual mix: 20% writes, 50% profile reads, 30% feed reads.
export function mixed(all) {
  const me = all[Math.floor(Math.random() * all.length)];
  const other = all[Math.floor(Math.random() * all.length)];
  const dice = Math.random();
  let res;
  if (dice < 0.2) {
    res = http.post(`${BASE}/v1/posts`, JSON.stringify({ text: `k6 post ${Date.now()}` }),
      { headers: auth(me).headers, tags: { name: 'POST /v1/posts' } });
    check(res, { 'post created or limited': (r) => [201, 429, 503].includes(r.status) });
  } else if (dice < 0.7) {
    res = http.get(`${BASE}/v1/users/${other.id}`, { headers: auth(me).headers, tags: { name: 'GET /v1/users/:id' } });
    check(res, { 'profile read or limited': (r) => [200, 429, 503].includes(r.status) });
  } else {
    res = http.get(`${BASE}/v1/feed?limit=20`, { headers: auth(me).headers, tags: { name: 'GET /v1/feed' } });
    check(res, { 'feed read or shed': (r) => [200, 429, 503].includes(r.status) });
  }
  return res;
}
