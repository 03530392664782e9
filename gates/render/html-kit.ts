import type { Verdict } from '../checks/types.js';

// Shared pieces of report.html: escaping, verdict colours, links and the page's one stylesheet.

/** Escapes text for HTML content and attribute values: every report field may carry untrusted case text. */
export const esc = (s: unknown): string => String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export const HEADLINE = { pass: 'PROMOTE', warn: 'PROMOTE WITH WARNINGS', fail: 'BLOCKED', inconclusive: 'INCONCLUSIVE' } as const;
/** Verdict colours; each holds ≥ 4.5:1 contrast against white text and a white page (WCAG AA). */
export const COLOR = { pass: '#1a7f37', warn: '#875c00', fail: '#cf222e', inconclusive: '#59636e' } as const;

export const badge = (v: Verdict): string => `<span class="badge" style="background:${COLOR[v]}">${esc(v)}</span>`;
export const muted = (text: string): string => `<span class="muted">${esc(text)}</span>`;
export const DASH = muted('—');

/**
 * A link to a file beside the page: a relative path (posix separators, each segment URL-encoded), never a scheme or
 * host, so the page stays self-contained and works wherever the reports folder is copied.
 */
export function fileLink(relPath: string, text: string = relPath): string {
  const href = relPath.split(/[\\/]/).map(encodeURIComponent).join('/');
  return `<a href="${esc(href)}"><code>${esc(text)}</code></a>`;
}

/** "2m05s" / "41.2s" / "—": how long a stage took or is left. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

export const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1180px;margin:0 auto;padding:24px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 20px;margin:16px 0;overflow-x:auto}
h1{margin:0;font-size:30px;letter-spacing:.5px}h2{font-size:18px;margin:0 0 12px}h3{font-size:15px;margin:14px 0 6px}
.verdict{color:#fff;border-radius:8px;padding:20px 24px}.verdict .meta{margin-top:6px}.verdict code{color:#fff}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eaeef2;padding:6px 8px;text-align:left;vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:#57606a}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;color:#fff;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600}
code{font:12px ui-monospace,monospace;word-break:break-all}.muted{color:#57606a}.up{color:#1a7f37}.down{color:#cf222e}
a{color:#0550ae}summary{cursor:pointer;font-weight:600;margin:8px 0}
svg text{font:11px system-ui,sans-serif;fill:#1f2328}`;
