import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { mediaType, requireJsonContentType } from './content-type.js';
import { UnsupportedContentTypeError } from './errors.js';

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('mediaType', () => {
  it.each([
    ['application/json', 'application/json'],
    ['Application/JSON', 'application/json'],
    ['  application/json  ', 'application/json'],
    ['application/json; charset=latin1', 'application/json'],
    ['application/json;charset="utf-8"', 'application/json'],
    ['application/json ; a=1 ; b="x;y"', 'application/json'],
    ['application/json;', 'application/json'],
    ['text/plain', 'text/plain'],
  ])('%j is %j', (value, type) => {
    expect(mediaType(value)).toBe(type);
  });

  it.each([
    '',
    'application',
    'application/',
    '/json',
    'application/json x',
    'application/json; charset',
    'application/json; =x',
    'application/json; a="unterminated',
    'appli cation/json',
  ])('%j does not parse', (value) => {
    expect(mediaType(value)).toBeUndefined();
  });
});

describe('requireJsonContentType', () => {
  it.each<[Record<string, string>, string]>([
    [{}, 'no header and no body'],
    [{ 'content-length': '0' }, 'no header and an empty body'],
    [{ 'content-type': 'application/json', 'content-length': '2' }, 'JSON'],
    [{ 'content-type': 'application/json; charset=latin1', 'content-length': '2' }, 'JSON with a charset'],
  ])('accepts %j (%s)', (headers, _what) => {
    expect(() => requireJsonContentType(req(headers))).not.toThrow();
  });

  it.each<[Record<string, string>, string]>([
    [{ 'content-type': 'text/plain', 'content-length': '2' }, 'text/plain'],
    // a type, when given, is checked even without a body
    [{ 'content-type': 'text/plain' }, 'text/plain'],
    [{ 'content-length': '2' }, ''],
    [{ 'transfer-encoding': 'chunked' }, ''],
    [{ 'content-type': 'application/json; charset', 'content-length': '2' }, 'application/json; charset'],
  ])('refuses %j with a 400 naming %j', (headers, shown) => {
    let err: unknown;
    try {
      requireJsonContentType(req(headers));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedContentTypeError);
    expect((err as UnsupportedContentTypeError).httpStatus).toBe(400);
    expect((err as Error).message).toBe(`Content-Type specified (${shown}) must be 'application/json'`);
  });
});
