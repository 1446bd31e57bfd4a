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
