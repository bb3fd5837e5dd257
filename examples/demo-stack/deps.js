'use strict';

/**
 * The demo's two libraries, ioredis and bullmq. `perflab demo` sets PERFLAB_DEMO_DEPS to PerfLab's
 * own bundle of them (dist/demo-deps.js): the installed extension and the npm package ship no
 * node_modules, and the demo must not pick up another version from the project around it.
 * Started by hand in a PerfLab checkout, plain require() finds them in its node_modules.
 */
const bundle = process.env.PERFLAB_DEMO_DEPS;

module.exports = bundle
  ? require(bundle)
  : { Redis: require('ioredis').Redis, Queue: require('bullmq').Queue, Worker: require('bullmq').Worker };
