/**
 * GraphiQL served at no cost per request. `@graphql-yoga/render-graphiql` inlines ~9 MB of scripts,
 * styles and workers into every page it renders, a fresh string per request: 100 slow clients took
 * the process to 2.5 GB. Here the page is built once (a few KiB), and the bundle's parts are separate
 * files with content-hashed names, compressed once (brotli and gzip) and served from memory with
 * `Cache-Control: immutable`: a request costs a lookup, and every response shares the same buffers.
 * Still no CDN: GraphiQL works offline.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { requestPath } from './request-path.js';

/** Where the hashed files live; nothing else is served under it. */
export const ASSET_PREFIX = '/graphiql/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

interface Asset {
  readonly type: string;
  readonly identity: Buffer;
  readonly br: Buffer;
  readonly gzip: Buffer;
}

interface Bundle {
  /** Hashed file name -> asset. */
  readonly assets: ReadonlyMap<string, Asset>;
  readonly urls: { readonly css: string; readonly js: string; readonly favicon: string; readonly workers: Readonly<Record<string, string>> };
}

let bundle: Promise<Bundle> | undefined;

/** The bundle's files, loaded, hashed and compressed once per process (in zlib's thread pool). */
function loadBundle(): Promise<Bundle> {
  bundle ??= (async () => {
    const parts = await import('@graphql-yoga/render-graphiql/graphiql');
    const favicon = /^data:([^;,]+);base64,(.*)$/s.exec(parts.favicon);
    const sources: [key: string, base: string, type: string, body: Buffer][] = [
      ['css', 'graphiql', 'text/css; charset=utf-8', Buffer.from(parts.css)],
      ['js', 'graphiql', 'text/javascript; charset=utf-8', Buffer.from(parts.js)],
      ['editorWorkerService', 'editor.worker', 'text/javascript; charset=utf-8', Buffer.from(parts.editorWorkerService)],
      ['json', 'json.worker', 'text/javascript; charset=utf-8', Buffer.from(parts.jsonWorker)],
      ['graphql', 'graphql.worker', 'text/javascript; charset=utf-8', Buffer.from(parts.graphqlWorker)],
      ['favicon', 'favicon', favicon?.[1] ?? 'image/x-icon', Buffer.from(favicon?.[2] ?? '', 'base64')],
    ];
    const assets = new Map<string, Asset>();
    const urls: Record<string, string> = {};
    await Promise.all(
      sources.map(async ([key, base, type, identity]) => {
        const extension = type.startsWith('text/css') ? 'css' : type.startsWith('text/javascript') ? 'js' : 'ico';
        const name = `${base}.${createHash('sha256').update(identity).digest('hex').slice(0, 16)}.${extension}`;
        const [br, gz] = await Promise.all([
          brotli(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
          gzipped(identity, { level: 6 }),
        ]);
        assets.set(name, { type, identity, br, gzip: gz });
        urls[key] = ASSET_PREFIX + name;
      }),
    );
    const { css, js, favicon: icon, ...workers } = urls as Record<string, string>;
    return { assets, urls: { css: css!, js: js!, favicon: icon!, workers } };
  })();
  return bundle;
}

/** With the embedded sandbox, the bar above GraphiQL: a page per demo account, and which one this is. */
export interface AccountBar {
  readonly current: string;
  readonly links: readonly { readonly name: string; readonly href: string; readonly result: string }[];
}

/** What one page shows: GraphiQL's options, and the sandbox's account bar when there is one. */
export interface GraphiQLPage {
  readonly options: GraphiQLOptions;
  readonly accounts?: AccountBar;
}

/** Inline JSON safe inside <script> (no `</script>` or `<!--` can appear). */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');
const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The account bar: links, each a page whose Headers tab holds that account's token. It names the
 * page's account only, a fact of the page: the token is in the Headers tab for anyone to read.
 */
function renderBar(bar: AccountBar): string {
  const links = bar.links.map(({ name, href, result }) =>
    name === bar.current
      ? `<strong aria-current="page">${escapeHtml(name)}</strong> <small>→ ${escapeHtml(result)}</small>`
      : `<a href="${escapeHtml(href)}">${escapeHtml(name)}</a> <small>→ ${escapeHtml(result)}</small>`,
  );
  return `<nav id="sandbox-accounts" aria-label="Sandbox demo accounts">Sandbox demo account (every tab here starts with its token in the Headers tab): ${links.join(' · ')}</nav>
    <style>
      body { margin: 0; height: 100vh; display: flex; flex-direction: column; }
      #root { flex: 1; min-height: 0; }
      #root .graphiql-container { height: 100%; }
      #sandbox-accounts { font: 13px/1.4 system-ui, sans-serif; padding: 6px 12px; background: #fff8e1; color: #3b2f00; border-bottom: 1px solid #e0c97a; }
      #sandbox-accounts a { color: #0b57d0; }
      #sandbox-accounts small { color: #6b5b00; }
    </style>`;
}

/** The page: a few KiB of HTML that loads the hashed files. */
export function renderPage(urls: Bundle['urls'], { options, accounts }: GraphiQLPage): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${urls.favicon}" />
    <link rel="stylesheet" href="${urls.css}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    ${accounts ? renderBar(accounts) : ''}
    <div id="root"></div>
    <script>
      const workers = ${scriptJson(urls.workers)};
      self['MonacoEnvironment'] = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${urls.js}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(window.document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}

/** br, else gzip, else identity, as the client's Accept-Encoding allows (q=0 refuses). */
export function chooseEncoding(acceptEncoding: string | null): 'br' | 'gzip' | 'identity' {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [coding = '', ...params] = part.split(';').map((piece) => piece.trim());
    const q = params.find((param) => param.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) accepted.add(coding);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return 'identity';
}

/**
 * Serves GraphiQL at `endpoint` (GET with Accept: text/html) and its files under ASSET_PREFIX.
 * `pageFor(url)` picks a page; every distinct result is rendered once.
 */
export function useGraphiQLPage(endpoint: string, pageFor: (url: URL) => GraphiQLPage): Plugin {
  const ready = loadBundle();
  ready.catch(() => undefined); // reported on first use; an unhandled rejection would end the process
  const pages = new Map<GraphiQLPage, string>();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const isHead = request.method === 'HEAD';
      if (request.method !== 'GET' && !isHead) return undefined;
      const path = requestPath(request.url); // not url.pathname: that parses the URL of every request
      const isPage = (path === endpoint || path === `${endpoint}/`) && (request.headers.get('accept') ?? '').includes('text/html');
      if (!isPage && !path.startsWith(ASSET_PREFIX)) return undefined;
      return ready.then(({ assets, urls }) => {
        if (isPage) {
          const spec = pageFor(url);
          let page = pages.get(spec);
          if (page === undefined) {
            page = renderPage(urls, spec);
            pages.set(spec, page);
          }
          endResponse(new fetchAPI.Response(isHead ? null : page, { headers: { 'content-type': 'text/html; charset=utf-8' } }));
          return;
        }
        const asset = assets.get(path.slice(ASSET_PREFIX.length));
        if (asset === undefined) {
          endResponse(new fetchAPI.Response(null, { status: 404 }));
          return;
        }
        const encoding = chooseEncoding(request.headers.get('accept-encoding'));
        const body = asset[encoding];
        const headers: Record<string, string> = {
          'content-type': asset.type,
          'content-length': String(body.length),
          'cache-control': IMMUTABLE,
          vary: 'accept-encoding',
        };
        if (encoding !== 'identity') headers['content-encoding'] = encoding;
        endResponse(new fetchAPI.Response(isHead ? null : (body as Uint8Array<ArrayBuffer>), { headers }));
      });
    },
  };
}
