import { describe, expect, it } from 'vitest';
import { connectUrl } from '../../src/client/url.ts';

describe('connectUrl', () => {
  it('adds the token as ?token=, URL-encoded, keeping other parameters', () => {
    expect(connectUrl('wss://api.example.com/prod', undefined)).toBe('wss://api.example.com/prod');
    expect(connectUrl('wss://api.example.com/prod', '')).toBe('wss://api.example.com/prod');
    expect(connectUrl('wss://api.example.com/prod?app=1', 'a.b+c/=')).toBe(
      'wss://api.example.com/prod?app=1&token=a.b%2Bc%2F%3D',
    );
    expect(connectUrl('ws://127.0.0.1:3001?token=old', 'new')).toBe('ws://127.0.0.1:3001/?token=new');
  });
});
