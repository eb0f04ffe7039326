import { describe, expect, it } from 'vitest';
import { pushedImage } from './images.js';

describe('pushedImage', () => {
  it.each([
    ['10.0.0.2:5000/team/app', 'v1', '10.0.0.2:5000/team/app:v1'],
    ['busybox', 'latest', 'busybox:latest'],
    ['localhost:5000/app', 'sha256:abc', 'localhost:5000/app@sha256:abc'],
    ['app', '', undefined],
    ['app', null, undefined],
  ])('%s with tag %s -> %s', (repo, tag, want) => {
    expect(pushedImage(repo, tag)).toBe(want);
  });
});
