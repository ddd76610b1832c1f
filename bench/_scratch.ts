import { benchAlerts } from './alerts.bench.js';
console.log(await benchAlerts(Number(process.env.N ?? 1000), 2));
