import { z } from 'zod';
import { HttpRequestFailedError, errorCode } from '../errors.js';
import { httpRequest } from './support/http-client.js';
import { defineTool, toolError } from './support/types.js';

const ACCEPT = 'text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,text/markdown;q=0.8,application/json;q=0.5';
const HTML_TYPES = ['text/html', 'application/xhtml+xml'];
const TEXT_TYPES = /^(text\/|application\/(json|xml|ld\+json|javascript|x-ndjson)$|[\w.-]+\/[\w.-]+\+(json|xml)$)/;

/**
 * HTML to markdown: ATX headings, fenced code, `-` lists, links made absolute against the page URL. turndown (and
 * the DOM it parses with, ~0.6 MB of JavaScript) is imported on the first page, not when the service starts.
 */
export async function htmlToMarkdown(html: string, baseUrl?: string): Promise<string> {
  const { default: TurndownService } = await import('turndown');
  const td = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '_' });
  td.remove(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed']);
  td.addRule('absoluteLinks', {
    filter: (node) => node.nodeName === 'A' && Boolean(node.getAttribute('href')),
    replacement: (content, node) => {
      const href = (node as unknown as { getAttribute(name: string): string | null }).getAttribute('href') ?? '';
      let target = href;
      try {
        target = baseUrl ? new URL(href, baseUrl).toString() : href;
      } catch {
        // keep the href as written
      }
      return content.trim() ? `[${content.trim()}](${target})` : '';
    },
  });
  return td
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function looksLikeHtml(body: string): boolean {
  return /^\s*(<!doctype html|<html|<head|<body)/i.test(body.slice(0, 1024));
}

function cap(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return `${bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '')}\n...[TRUNCATED: showing the first ${maxBytes} of ${bytes.length} bytes]...`;
}

export const fetchAsMarkdownTool = defineTool({
  name: 'fetch_as_markdown',
  description:
    'Fetch a public http(s) web page and return it as markdown (headings, links, lists, code blocks). Plain-text and JSON responses are returned as they are; other content types are refused.',
  schema: z
    .object({
      url: z.string().trim().min(1).max(8192).describe('The http:// or https:// URL of the page to fetch.'),
    })
    .strict(),
  mutating: false,
  async run({ url }, ctx) {
    try {
      const res = await httpRequest(ctx, url, { accept: ACCEPT, tool: 'fetch_as_markdown' });
      if (res.status < 200 || res.status >= 300) throw new HttpRequestFailedError(`HTTP ${res.status}`);
      const type = mediaType(res.headers['content-type']);
      const max = ctx.config.tools.outputMaxBytes;
      if (HTML_TYPES.includes(type) || (type === '' && looksLikeHtml(res.text))) return cap(await htmlToMarkdown(res.text, res.url), max);
      if ((type === '' && !res.text.includes('\u0000')) || TEXT_TYPES.test(type)) return cap(res.text, max);
      return toolError(`Error fetching ${url}: unsupported content type ${type || '(binary, none declared)'}; only HTML and text can be converted to markdown`, 'AGT_ERR_HTTP_REQUEST_FAILED', {
        content_type: type,
      });
    } catch (err) {
      return toolError(`Error fetching ${url}: ${err instanceof Error ? err.message : String(err)}`, errorCode(err));
    }
  },
});
