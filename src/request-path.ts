/**
 * The path of a request URL, read from the string: Yoga hands plugins a `url` that parses the whole
 * URL on first touch (a URL object per request), which the probes and pages need only the path of.
 */
export function requestPath(url: string): string {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  if (pathStart < 0) return '/';
  const queryStart = url.indexOf('?', pathStart);
  const hashStart = url.indexOf('#', pathStart);
  const end = queryStart < 0 ? hashStart : hashStart < 0 ? queryStart : Math.min(queryStart, hashStart);
  return end < 0 ? url.slice(pathStart) : url.slice(pathStart, end);
}
