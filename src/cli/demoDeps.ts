/**
 * The libraries of the demo stack (examples/demo-stack/deps.js), bundled into `dist/demo-deps.js`
 * so the demo runs from a package that ships no node_modules. bullmq shares this ioredis.
 */
export { Redis } from 'ioredis';
export { Queue, Worker } from 'bullmq';
