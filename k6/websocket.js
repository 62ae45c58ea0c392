// WebSocket feeds: many subscribers on posts:{author} channels while authors post; counts events received
// and measures commit-to-client latency from the event's time. All sockets come from this machine's address:
// raise stream.maxConnectionsPerAddress (and maxConnectionsPerUser when SUBSCRIBERS / USERS is above 10) and
// the stream-connects policy on the server under test, or the upgrades beyond them get 429.
import http from 'k6/http';
import ws from 'k6/ws';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { BASE, users, auth } from './lib.js';

const received = new Counter('spillway_events_received');
const latency = new Trend('spillway_commit_to_client_ms', true);
const WS_BASE = BASE.replace(/^http/, 'ws');

export const options = {
  scenarios: {
    subscribers: { executor: 'constant-vus', vus: Number(__ENV.SUBSCRIBERS || 200), duration: '2m', exec: 'subscribe' },
    authors: { executor: 'constant-arrival-rate', rate: Number(__ENV.POSTS || 10), timeUnit: '1s', duration: '2m',
      preAllocatedVUs: 10, exec: 'post', startTime: '10s' },
  },
  thresholds: { spillway_commit_to_client_ms: ['p(99)<250'] },
};

export function setup() {
  return { users: users(Number(__ENV.USERS || 20)) };
}

export function subscribe(data) {
  const me = data.users[__VU % data.users.length];
  const res = ws.connect(`${WS_BASE}/v1/stream`, { headers: { Authorization: `Bearer ${me.token}` } }, (socket) => {
    socket.on('open', () => {
      for (let k = 0; k < 4; k++) {
        socket.send(JSON.stringify({ op: 'subscribe', channel: `posts:${data.users[(__VU + k) % data.users.length].id}` }));
      }
    });
    socket.on('message', (msg) => {
      const frame = JSON.parse(msg);
      if (frame.op === 'event') {
        received.add(1);
        latency.add(Date.now() - Date.parse(frame.event.time));
      }
    });
    socket.setTimeout(() => socket.close(), 115000);
  });
  check(res, { 'upgraded': (r) => r && r.status === 101 });
}

export function post(data) {
  const me = data.users[Math.floor(Math.random() * data.users.length)];
  http.post(`${BASE}/v1/posts`, JSON.stringify({ text: `live ${Date.now()}` }), auth(me));
}
