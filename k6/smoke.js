// Smoke: a handful of users walk every main route once a second; any unexpected status fails the run.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { BASE, users, auth } from './lib.js';

export const options = {
  vus: 2,
  duration: '30s',
  thresholds: { checks: ['rate>0.99'], http_req_failed: ['rate<0.01'] },
};

export function setup() {
  return { users: users(4) };
}

export default function (data) {
  const [me, other] = [data.users[__VU % data.users.length], data.users[(__VU + 1) % data.users.length]];
  check(http.get(`${BASE}/health/ready`), { ready: (r) => r.status === 200 });
  const post = http.post(`${BASE}/v1/posts`, JSON.stringify({ text: 'smoke' }), auth(me));
  check(post, { 'post 201': (r) => r.status === 201, 'rate-limit headers': (r) => !!r.headers['Ratelimit'] });
  const id = post.json('id');
  check(http.get(`${BASE}/v1/posts/${id}`), { 'post 200': (r) => r.status === 200 });
  check(http.put(`${BASE}/v1/posts/${id}/like`, null, auth(other)), { 'like 200': (r) => r.status === 200 });
  check(http.post(`${BASE}/v1/posts/${id}/comments`, JSON.stringify({ text: 'nice' }), auth(other)),
    { 'comment 201': (r) => r.status === 201 });
  check(http.get(`${BASE}/v1/users/${me.id}/posts?limit=5`), { 'list 200': (r) => r.status === 200 });
  check(http.get(`${BASE}/v1/feed`, auth(other)), { 'feed 200': (r) => r.status === 200 });
  check(http.get(`${BASE}/v1/nope`), { 'problem 404': (r) => r.status === 404 && r.headers['Content-Type'] === 'application/problem+json' });
  sleep(1);
}
