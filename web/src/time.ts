// Dates in Japan time (the API's times are JST whatever the browser's zone).

const jstOffsetMs = 9 * 3600 * 1000;

/** YYYY-MM-DD of Japan time, `days` from today. */
export function jstDate(days = 0): string {
  return new Date(Date.now() + jstOffsetMs + days * 86400000).toISOString().slice(0, 10);
}

/** YYYY-MM of Japan time, `months` from this month. */
export function jstMonth(months = 0): string {
  const d = new Date(Date.now() + jstOffsetMs);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 7);
}
