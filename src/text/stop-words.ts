/**
 * Words that carry no product meaning in WebShop instructions: English function words and the
 * request phrasing goals are written in ("find me", "i need", "looking for").
 */
export const stopWords: ReadonlySet<string> = new Set([
  'a', 'about', 'all', 'also', 'am', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'been', 'but', 'buy', 'by',
  'can', 'could', 'do', 'does', 'for', 'from', 'get', 'give', 'go', 'had', 'has', 'have', 'he', 'her', 'him',
  'his', 'how', 'i', 'id', 'if', 'im', 'in', 'into', 'is', 'it', 'its', 'ive', 'just', 'like', 'me', 'might',
  'mine', 'more', 'most', 'must', 'my', 'need', 'needs', 'of', 'on', 'one', 'or', 'our', 'please', 'she',
  'should', 'show', 'so', 'some', 'such', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these',
  'they', 'this', 'those', 'to', 'too', 'us', 'very', 'want', 'wanted', 'wants', 'was', 'we', 'were', 'what',
  'which', 'who', 'whose', 'will', 'with', 'would', 'you', 'your', 'find', 'looking', 'search', 'searching',
  'shopping', 'purchase', 'order', 'something', 'item', 'product',
]);
