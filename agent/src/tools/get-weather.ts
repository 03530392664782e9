import { z } from 'zod';
import { errorCode } from '../errors.js';
import { httpRequest, responseErrorMessage, type HttpResponse } from './support/http-client.js';
import { defineTool, toolError } from './support/types.js';

interface WeatherApiCurrent {
  location?: { name?: string; country?: string };
  current?: {
    condition?: { text?: string };
    temp_c?: number;
    temp_f?: number;
    feelslike_c?: number;
    feelslike_f?: number;
    humidity?: number;
    wind_kph?: number;
    wind_dir?: string;
    cloud?: number;
    last_updated?: string;
  };
}

export const getWeatherTool = defineTool({
  name: 'get_weather',
  description: 'Current weather for a place (WeatherAPI-compatible): condition, temperature, feels-like, humidity, wind and cloud cover.',
  schema: z
    .object({
      city: z.string().trim().min(1).max(200).optional().describe('City name, e.g. "Paris".'),
      location: z.string().trim().min(1).max(200).optional().describe('Any place WeatherAPI understands: "48.85,2.35", a postcode, "Paris, France".'),
      query: z.string().trim().min(1).max(200).optional().describe('Same as location; accepted for compatibility.'),
    })
    .strict(),
  mutating: false,
  async run({ city, location, query }, ctx) {
    const { apiKey, baseUrl } = ctx.config.web.weather;
    if (!apiKey) return toolError('WEATHER_API_KEY is not set');
    const q = city ?? location ?? query;
    if (!q) return toolError('Provide city, location, or query');
    const url = new URL(`${baseUrl.replace(/\/+$/, '')}/current.json`);
    url.searchParams.set('key', apiKey);
    url.searchParams.set('q', q);
    url.searchParams.set('aqi', 'no');
    let res: HttpResponse;
    try {
      res = await httpRequest(ctx, url, { accept: 'application/json', tool: 'get_weather' });
    } catch (err) {
      return toolError(err instanceof Error ? err.message : String(err), errorCode(err));
    }
    if (res.status < 200 || res.status >= 300) return toolError(`HTTP ${res.status}: ${responseErrorMessage(res)}`, undefined, { status: res.status });
    let data: WeatherApiCurrent;
    try {
      data = JSON.parse(res.text) as WeatherApiCurrent;
    } catch {
      return toolError('No current weather data returned');
    }
    const current = data.current;
    if (!current || typeof current !== 'object') return toolError('No current weather data returned');
    return {
      error: false,
      location: data.location?.name ?? q,
      country: data.location?.country ?? null,
      condition: current.condition?.text ?? null,
      temp_c: current.temp_c ?? null,
      temp_f: current.temp_f ?? null,
      feelslike_c: current.feelslike_c ?? null,
      feelslike_f: current.feelslike_f ?? null,
      humidity: current.humidity ?? null,
      wind_kph: current.wind_kph ?? null,
      wind_dir: current.wind_dir ?? null,
      cloud: current.cloud ?? null,
      updated_at: current.last_updated ?? null,
      raw: data,
    };
  },
});
