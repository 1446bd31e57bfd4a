import { describe, expect, it } from 'vitest';
import {
  escapeCsvText,
  escapeHtml,
  escapeMarkdown,
  neutralizeFormula,
  showControlCharacters,
  terminalSafe,
} from '../../../src/report/escape.js';

describe('escapeMarkdown', () => {
  it.each([
    ['a | b', String.raw`a \| b`],
    ['**bold** _it_', String.raw`\*\*bold\*\* \_it\_`],
    ['[click](http://evil.example)', String.raw`\[click\](http\://evil.example)`],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['`code`', String.raw`\`code\``],
    ['# heading', String.raw`\# heading`],
    ['ping @security-team', String.raw`ping \@security-team`],
    ['see www.example.com', String.raw`see www\.example.com`],
    ['- item', String.raw`\- item`],
    ['arn:aws:kms:eu-west-1:111122223333:key/1234', 'arn:aws:kms:eu-west-1:111122223333:key/1234'],
    ['plain words 123', 'plain words 123'],
  ])('makes %j inert', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('turns line breaks and tabs into spaces', () => {
    expect(escapeMarkdown('line\nbreak\r\nand\ttab')).toBe('line break and tab');
  });

  it('shows control characters as their escapes, which render as typed (backslash escaped)', () => {
    expect(escapeMarkdown('a\u0000b\u001bc')).toBe(String.raw`a\\x00b\\x1bc`);
    expect(escapeMarkdown('pay \u202eevil\u202c \u009b31m')).toBe(
      String.raw`pay \\u202eevil\\u202c \\u009b31m`,
    );
  });

  it('skips no replacement on random text (its shortcut for text with nothing to escape is exact)', () => {
    // The replacements, applied one after another without any shortcut.
    const everyPass = (text: string) =>
      text
        .replace(
          // biome-ignore lint/suspicious/noControlCharactersInRegex: the specification shows them
          /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
          (c) => {
            const code = c.charCodeAt(0);
            return code < 0x80
              ? `\\x${code.toString(16).padStart(2, '0')}`
              : `\\u${code.toString(16).padStart(4, '0')}`;
          },
        )
        .replace(/\r\n|\r|\n|\t/g, ' ')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/[\\`*_{}[\]#+!|~@]/g, (c) => `\\${c}`)
        .replace(/\b(https?|ftp|mailto|xmpp):/gi, '$1\\:')
        .replace(/\bwww\./gi, 'www\\.')
        .replace(/^([-=]|\d+\.)/, '\\$1');
    const pieces = [
      'a',
      'Z',
      '1',
      '9.',
      ' ',
      '-',
      '=',
      ':',
      '.',
      '/',
      'http',
      'HTTPS',
      'mailto',
      'www',
      'WWW.',
      'ftp',
      'xmpp',
      'arn:aws:kms',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u0085',
      '\u009b',
      '\u202e',
      '\u2069',
      '\t',
      '\r',
      '\n',
      '&',
      '<',
      '>',
      '\\',
      '`',
      '*',
      '_',
      '{',
      '}',
      '[',
      ']',
      '#',
      '+',
      '!',
      '|',
      '~',
      '@',
      '(',
      ')',
      'é',
      '€',
      '😀',
    ];
    // mulberry32: a small seeded generator, so a failure can be replayed.
    let seed = 42;
    const next = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (t ^ (t >>> 14)) >>> 0;
    };
    let escaped = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      for (let len = next() % 8; len > 0; len--) text += pieces[next() % pieces.length];
      const expected = everyPass(text);
      if (expected !== text) escaped += 1;
      expect(escapeMarkdown(text)).toBe(expected);
    }
    // Both kinds of text were tried.
    expect(escaped).toBeGreaterThan(1_000);
    expect(escaped).toBeLessThan(19_000);
  });
});

describe('neutralizeFormula', () => {
  it.each([
    '=HYPERLINK("http://evil")',
    '+1+1',
    '-2+3',
    '@SUM(A1)',
    '\tx',
    '\rx',
    '\uff1dHYPERLINK("http://evil")',
  ])('prefixes %j', (cell) => {
    expect(neutralizeFormula(cell)).toBe(`'${cell}`);
  });

  it('leaves ordinary text alone', () => {
    expect(neutralizeFormula('platform-team')).toBe('platform-team');
    expect(neutralizeFormula('a=b')).toBe('a=b');
    expect(neutralizeFormula('two\nlines')).toBe('two\nlines');
  });

  it('neutralises every line of a cell, after LF, CRLF or a lone CR', () => {
    expect(neutralizeFormula("ok\n=cmd|' /C calc'!A0")).toBe("ok\n'=cmd|' /C calc'!A0");
    expect(neutralizeFormula('ok\r\n+1\r-2\n@x')).toBe("ok\r\n'+1\r'-2\n'@x");
    // A line that starts with CR is itself a trigger, and so is what follows it.
    expect(neutralizeFormula('\r\n\r=x')).toBe("'\r\n'\r'=x");
  });
});

describe('escapeCsvText', () => {
  it('shows control characters as escapes and keeps tab, CR and LF', () => {
    expect(escapeCsvText('a\u001b[31mb\u0000\u007f\u009b\u202e\u2066c')).toBe(
      'a\\x1b[31mb\\x00\\x7f\\u009b\\u202e\\u2066c',
    );
    expect(escapeCsvText('a\tb\r\nc\nd\re')).toBe('a\tb\r\nc\nd\re');
  });

  it('neutralises a formula on any line, also one hidden behind a control character', () => {
    expect(escapeCsvText('ok\n=1+1')).toBe("ok\n'=1+1");
    expect(escapeCsvText('\u001b\n@SUM(A1)')).toBe("\\x1b\n'@SUM(A1)");
  });

  it('is neutralizeFormula for text without control characters or line breaks', () => {
    for (const text of ['', 'plain', '=x', '-1', '\tx', 'a=b', 'é😀'])
      expect(escapeCsvText(text)).toBe(neutralizeFormula(text));
  });
});

describe('showControlCharacters', () => {
  it('shows C0 (but tab, LF, CR), DEL, C1 and bidi controls, and nothing else', () => {
    expect(showControlCharacters('\u0007\u0008\t\n\u000b\u000c\r\u001f\u007f\u0080\u009f')).toBe(
      '\\x07\\x08\t\n\\x0b\\x0c\r\\x1f\\x7f\\u0080\\u009f',
    );
    expect(showControlCharacters('\u202a\u202e\u2066\u2069\u2029\u00a0é😀')).toBe(
      '\\u202a\\u202e\\u2066\\u2069\u2029\u00a0é😀',
    );
  });
});

describe('terminalSafe', () => {
  it('shows what would drive the terminal: ESC, CSI, CR, bidi overrides', () => {
    const hostile = 'key\u001b]0;pwned\u0007 \u009b2J\rAll good \u202etxt.exe';
    const safe = terminalSafe(hostile);
    expect(safe).toBe(String.raw`key\x1b]0;pwned\x07 \u009b2J\rAll good \u202etxt.exe`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting none is left
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps line feeds and tabs, unless the text must stay on one line', () => {
    expect(terminalSafe('a\tb\nc')).toBe('a\tb\nc');
    expect(terminalSafe('a\tb\nc', { oneLine: true })).toBe('a\tb\\nc');
  });

  it('leaves ordinary text as it is', () => {
    const text = 'Report written to reports/111122223333/2026-10/ (7 files) é € 😀';
    expect(terminalSafe(text)).toBe(text);
  });
});

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ["it's & co", 'it&#39;s &amp; co'],
    ['&lt; stays text', '&amp;lt; stays text'],
    ['arn:aws:kms:eu-west-1:111122223333:key/1234', 'arn:aws:kms:eu-west-1:111122223333:key/1234'],
  ])('makes %j inert in element text and quoted attributes', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('shows control and bidirectional characters as their escapes', () => {
    expect(escapeHtml('pay \u202eevil\u202c\u001b[2J')).toBe(String.raw`pay \u202eevil\u202c\x1b[2J`);
  });
});

describe('escapeHtml line breaks', () => {
  it('keeps line breaks as LF, as the HTML parser reads them, and tabs as they are', () => {
    expect(escapeHtml('a\r\nb\rc\nd\te')).toBe('a\nb\nc\nd\te');
  });
});
