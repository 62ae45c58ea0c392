// Load: a steady arrival rate of the usual mix (open model: the rate holds even when the server slows).
import { users, mixed } from './lib.js';

export const options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 500), timeUnit: '1s', duration: __ENV.DURATION || '5m',
      preAllocatedVUs: 100, maxVUs: 1000,
    },
  },
  thresholds: {
    'http_req_duration{name:POST /v1/posts}': ['p(99)<250'],
    'http_req_duration{name:GET /v1/users/:id}': ['p(99)<100'],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  return { users: users(Number(__ENV.USERS || 50)) };
}

export default function (data) {
  mixed(data.users);
}
