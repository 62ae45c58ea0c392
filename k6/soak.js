// Soak: a moderate rate for hours, to find leaks (heap, connections, Redis keys without TTL, outbox growth).
// Watch the Grafana dashboard while it runs: heap after GC, Pg pools, outbox backlog and consumer lag stay flat.
import { users, mixed } from './lib.js';

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 200), timeUnit: '1s', duration: __ENV.DURATION || '4h',
      preAllocatedVUs: 50, maxVUs: 500,
    },
  },
  thresholds: { checks: ['rate>0.999'] },
};

export function setup() {
  return { users: users(Number(__ENV.USERS || 50)) };
}

export default function (data) {
  mixed(data.users);
}
