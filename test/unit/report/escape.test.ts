import { describe, expect, it } from 'vitest';
import { escapeMarkdown, neutralizeFormula } from '../../../src/report/escape.js';

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

  it('drops control characters', () => {
    expect(escapeMarkdown('a\u0000b\u001bc')).toBe('abc');
  });

  it('skips no replacement on random text (its shortcut for text with nothing to escape is exact)', () => {
    // The replacements, applied one after another without any shortcut.
    const everyPass = (text: string) =>
      text
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the specification drops them
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
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
  it.each(['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx'])('prefixes %j', (cell) => {
    expect(neutralizeFormula(cell)).toBe(`'${cell}`);
  });

  it('leaves ordinary text alone', () => {
    expect(neutralizeFormula('platform-team')).toBe('platform-team');
    expect(neutralizeFormula('a=b')).toBe('a=b');
  });
});
