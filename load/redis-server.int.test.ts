import { existsSync } from 'node:fs';
import { pingRedis, startRedis } from './redis-server.js';

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startRedis (the the one private redis-server launcher: tests, soaks and chaos drills)', () => {
  it('starts on a free loopback port, survives kill/restart on the same port, and cleans up', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.port).not.toBe(6379);
      expect(a.url).toBe(`redis://127.0.0.1:${a.port}`);
      expect(await pingRedis(a.port)).toBe(true);

      const firstPid = a.pid();
      await a.kill('SIGKILL');
      expect(alive(firstPid)).toBe(false);
      expect(await pingRedis(a.port)).toBe(false);
      await a.kill('SIGKILL');

      await a.restart();
      expect(a.pid()).not.toBe(firstPid);
      expect(await pingRedis(a.port)).toBe(true);

      await a.kill('SIGSTOP');
      expect(await pingRedis(a.port, 200)).toBe(false);
      await a.kill('SIGCONT');
      expect(await pingRedis(a.port)).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(alive(a.pid())).toBe(false);
    expect(existsSync(a.dir)).toBe(false);
    await a.close();
    await expect(a.restart()).rejects.toThrow(/after close/);
  });

  it('keeps data across restart when asked to persist', async () => {
    const redis = await startRedis({ persist: true });
    try {
      const { Redis } = await import('ioredis');
      const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      await client.connect();
      await client.set('k', 'v');
      client.disconnect();
      await redis.kill('SIGKILL');
      await redis.restart();
      const again = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      await again.connect();
      expect(await again.get('k')).toBe('v');
      again.disconnect();
    } finally {
      await redis.close();
    }
  });
});
