/** A number for display: fixed decimals, no "-0". */
export const formatNumber = (value: number, digits = 3): string => {
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
};
