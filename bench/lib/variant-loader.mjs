// Module hooks for bench/feature-costs.mjs: one process holds several copies of the gateway, each
// with one feature taken out, without a switch in the product. A copy is the gateway's dist/ loaded
// under `?variant=<name>`; the query is handed down to every dist/ module that copy imports, so each
// copy is a module graph of its own (node_modules stay shared). A module (or package) the variant
// replaces is served as `export * from '<original>'` plus the replacement's own exports, which win
// over the star export of the same name.
//
//   node --import ./bench/lib/variant-loader.mjs …   (registers the hooks below; variants come in
//   through the FEATURE_VARIANTS environment variable: { name: { replace: { 'dist path or package': 'source' } } })
import { register } from 'node:module';

if (!process.env.FEATURE_VARIANTS_HOOKS) {
  register(import.meta.url, { parentURL: import.meta.url, data: { variants: JSON.parse(process.env.FEATURE_VARIANTS || '{}') } });
}

let variants = {};
const DIST = new URL('../../dist/', import.meta.url).href;

export function initialize(data) {
  variants = data.variants;
}

const variantOf = (url) => (url ? /[?&]variant=([^&]+)/.exec(url)?.[1] : undefined);
const replacementFor = (variant, key) => (variant === undefined ? undefined : variants[decodeURIComponent(variant)]?.replace?.[key]);

export async function resolve(specifier, context, next) {
  const variant = variantOf(context.parentURL);
  // A package the variant replaces, imported from the variant's dist/ modules.
  if (variant !== undefined && replacementFor(variant, specifier) !== undefined && !context.parentURL.includes('&original')) {
    // `&original`: the real package is then what this stand-in's own `export *` resolves to.
    return { url: `${DIST}__package__/${encodeURIComponent(specifier)}?variant=${variant}&original`, shortCircuit: true };
  }
  const resolved = await next(specifier, context);
  if (variant !== undefined && resolved.url.startsWith(DIST) && !resolved.url.includes('?')) {
    return { ...resolved, url: `${resolved.url}?variant=${variant}` };
  }
  return resolved;
}

export async function load(url, context, next) {
  const variant = variantOf(url);
  if (variant !== undefined && url.startsWith(DIST)) {
    const path = url.slice(DIST.length).split('?')[0];
    if (path.startsWith('__package__/')) {
      const specifier = decodeURIComponent(path.slice('__package__/'.length));
      // The package's other exports from the real one (resolved from dist/, as the gateway would).
      const source = `export * from ${JSON.stringify(specifier)};\n${replacementFor(variant, specifier)}`;
      return { format: 'module', source, shortCircuit: true };
    }
    const replacement = url.includes('&original') ? undefined : replacementFor(variant, path);
    if (replacement !== undefined) {
      const original = `${url}&original`;
      return { format: 'module', source: `export * from ${JSON.stringify(original)};\n${replacement}`, shortCircuit: true };
    }
  }
  return next(url, context);
}
