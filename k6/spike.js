// Spike: from normal to 5x in seconds and back. Critical writes should keep succeeding (shedding refuses
// feed reads first, with 503 and Retry-After) and latency should recover when the spike ends.
import { users, mixed } from './lib.js';

const base = Number(__ENV.RATE || 300);
export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: base, timeUnit: '1s', preAllocatedVUs: 200, maxVUs: 3000,
      stages: [
        { target: base, duration: '1m' },
        { target: base * 5, duration: '10s' },
        { target: base * 5, duration: '1m' },
        { target: base, duration: '10s' },
        { target: base, duration: '2m' },
      ],
    },
  },
  thresholds: { 'checks{name:POST /v1/posts}': ['rate>0.98'] },
};

export function setup() {
  return { users: users(Number(__ENV.USERS || 100)) };
}

export default function (data) {
  mixed(data.users);
}
