// Preloaded with `node -r` into a CLI run: on exit, writes the process's peak resident set size
// (worker threads included) in bytes to the file named by PERFLAB_PEAK_RSS_FILE.
const { writeFileSync } = require('node:fs');

const out = process.env.PERFLAB_PEAK_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS * 1024)));
