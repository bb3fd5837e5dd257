'use strict';

/**
 * HOT=1: a deliberately expensive step on `POST /messages`, for trying the CPU profiler.
 * `renderPreview` does real work (word wrapping, HTML escaping, link and mention highlighting,
 * hashing) for every supported screen width, about 5-20 ms per call, so it tops a CPU profile
 * taken under load.
 */
const { createHash } = require('node:crypto');

const LINK = /\bhttps?:\/\/[^\s<]+/g;
const MENTION = /(^|\s)@(\w{2,32})/g;
const EMOJI_SHORTCODE = /:([a-z_]{2,20}):/g;
// Every width from a watch face to a desktop notification.
const WIDTHS = Array.from({ length: 180 }, (_, i) => 20 + i);

// Most of the text is fixed, so a short message costs about as much as an empty one.
const TEMPLATE = [
  'To {{to}} ({{type}})',
  '{{body}}',
  '{{mediaUrl}}',
  'Sent with the demo stack :rocket: Questions? See https://example.com/help or ask @support.',
  'You receive this message because you opted in to notifications from the demo stack. Reply STOP',
  'to opt out at any time, or HELP for help. Message and data rates may apply. Terms of service at',
  'https://example.com/terms and privacy notice at https://example.com/privacy :lock: Thanks from',
  '@demo_team and everyone at the example company, see you soon :wave:',
].join('\n');

function renderPreview(message) {
  const text = TEMPLATE.replace(/\{\{(\w+)\}\}/g, (_, field) => String(message[field] ?? ''));
  const variants = [];
  let digest = createHash('sha256');
  for (const width of WIDTHS) {
    // Greedy word wrap.
    let wrapped = '';
    let lineLength = 0;
    for (const word of text.split(/[ \t]+/)) {
      if (lineLength > 0 && lineLength + 1 + word.length > width) {
        wrapped += '\n';
        lineLength = 0;
      } else if (lineLength > 0) {
        wrapped += ' ';
        lineLength += 1;
      }
      wrapped += word;
      const newline = word.lastIndexOf('\n');
      lineLength = newline === -1 ? lineLength + word.length : word.length - newline - 1;
    }
    // Escape before highlighting, so the message cannot inject markup.
    let escaped = '';
    for (let i = 0; i < wrapped.length; i++) {
      const code = wrapped.charCodeAt(i);
      if (code === 38) escaped += '&amp;';
      else if (code === 60) escaped += '&lt;';
      else if (code === 62) escaped += '&gt;';
      else if (code === 34) escaped += '&quot;';
      else if (code === 10) escaped += '<br>';
      else escaped += wrapped[i];
    }
    const html = escaped
      .replace(LINK, (url) => `<a href="${url}">${url}</a>`)
      .replace(MENTION, (_, space, name) => `${space}<b>@${name}</b>`)
      .replace(EMOJI_SHORTCODE, (_, name) => `<i class="emoji-${name}"></i>`);
    digest = digest.update(html);
    variants.push({ width, html });
  }
  return { variants, digest: digest.digest('hex') };
}

module.exports = { renderPreview };
