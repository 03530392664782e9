import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { getWeatherTool } from './get-weather.js';
import { closeHttpClient } from './support/http-client.js';
import { startLocalServer, type LocalServer } from './support/local-server.test-support.js';
import type { SecurityEvent, ToolContext } from './support/types.js';

const PARIS = {
  location: { name: 'Paris', region: 'Ile-de-France', country: 'France' },
  current: {
    last_updated: '2025-06-01 14:15',
    temp_c: 21.0,
    temp_f: 69.8,
    condition: { text: 'Partly cloudy', code: 1003 },
    wind_kph: 13.0,
    wind_dir: 'WSW',
    humidity: 53,
    cloud: 50,
    feelslike_c: 21.0,
    feelslike_f: 69.8,
  },
};

let server: LocalServer;
const configs: Config[] = [];
beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    const q = new URL(req.url, 'http://x').searchParams.get('q');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (q === 'Nowhere') return send(400, { error: { code: 1006, message: 'No matching location found.' } });
    if (q === 'Empty') return send(200, { location: { name: 'Empty' } });
    if (q === 'Broken') return res.writeHead(500).end('<html>oops</html>');
    return send(200, PARIS);
  });
});
afterAll(() => server.close());
afterEach(async () => {
  server.requests.length = 0;
  await Promise.all(configs.splice(0).map((c) => closeHttpClient(c)));
});

function context(env: Record<string, string> = { WEATHER_API_KEY: 'wkey' }): ToolContext & { events: SecurityEvent[] } {
  const config = loadConfig({ WEB_ALLOW_HOSTS: `127.0.0.1:${server.port}`, WEB_RETRIES: '0', WEATHER_BASE_URL: `${server.url}/v1/`, ...env });
  configs.push(config);
  const events: SecurityEvent[] = [];
  return { workspaceRoot: tmpdir(), config, events, onSecurityEvent: (e) => events.push(e) };
}

describe('get_weather', () => {
  test.each([{ city: 'Paris' }, { location: 'Paris' }, { query: 'Paris' }])('success shape for %j', async (input) => {
    const result = await getWeatherTool.run(input, context());
    expect(result).toEqual({
      error: false,
      location: 'Paris',
      country: 'France',
      condition: 'Partly cloudy',
      temp_c: 21,
      temp_f: 69.8,
      feelslike_c: 21,
      feelslike_f: 69.8,
      humidity: 53,
      wind_kph: 13,
      wind_dir: 'WSW',
      cloud: 50,
      updated_at: '2025-06-01 14:15',
      raw: PARIS,
    });
    const sent = new URL(server.requests[0]?.url ?? '', server.url);
    expect(sent.pathname).toBe('/v1/current.json');
    expect(Object.fromEntries(sent.searchParams)).toEqual({ key: 'wkey', q: 'Paris', aqi: 'no' });
  });

  test('WEATHER_API_KEY is not set', async () => {
    await expect(getWeatherTool.run({ city: 'Paris' }, context({}))).resolves.toEqual({ error: true, message: 'WEATHER_API_KEY is not set' });
    expect(server.requests).toHaveLength(0);
  });

  test('Provide city, location, or query', async () => {
    await expect(getWeatherTool.run({}, context())).resolves.toEqual({ error: true, message: 'Provide city, location, or query' });
  });

  test.each([
    ['Nowhere', 'HTTP 400: No matching location found.'],
    ['Broken', 'HTTP 500: <html>oops</html>'],
    ['Empty', 'No current weather data returned'],
  ])('%s → %s', async (city, message) => {
    await expect(getWeatherTool.run({ city }, context())).resolves.toMatchObject({ error: true, message });
  });

  test('a refused endpoint is an error result without the key in it', async () => {
    const ctx = context({ WEATHER_API_KEY: 'wkey', WEATHER_BASE_URL: 'http://10.0.0.7/v1' });
    const result = await getWeatherTool.run({ city: 'Paris' }, ctx);
    expect(result).toMatchObject({ error: true, code: 'AGT_ERR_URL_REFUSED' });
    expect(JSON.stringify(result)).not.toContain('wkey');
    expect(ctx.events[0]).toMatchObject({ type: 'ssrf_blocked', tool: 'get_weather' });
  });

  test('schema: strict, non-empty strings, not mutating', () => {
    expect(getWeatherTool.schema.safeParse({ city: '' }).success).toBe(false);
    expect(getWeatherTool.schema.safeParse({ town: 'x' }).success).toBe(false);
    expect(getWeatherTool.mutating).toBe(false);
  });
});
