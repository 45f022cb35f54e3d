/** Escapes text for HTML element content and double-quoted attribute values (also SVG). */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));

/** A number for display: fixed decimals, no "-0". */
export const formatNumber = (value: number, digits = 3): string => {
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
};
