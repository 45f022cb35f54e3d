/**
 * The text an experience model is prompted with to imagine WebShop. It describes the real site's
 * "simple" observation exactly (reference: webshop.md), so dreamed states parse with the same
 * profile functions as real ones.
 */

export const WEBSHOP_SYSTEM_PROMPT = `You imagine WebShop, a simulated online store (the WebShop benchmark: a Flask site with real \
Amazon products in the categories beauty, electronics, fashion, garden and grocery). A shopping \
agent acts on it with search[query] and click[x]. Given the current page and the agent's action, \
you give the page the real site would show next, written in WebShop's "simple" text format \
(the page text itself: no markdown, no quotes around it, in the section the output format asks for). Follow the site's \
rules: search[q] is only possible on the search page and leads to results page 1 for q; \
click[back to search] leads to the search page; click[next >] and click[< prev] change the results \
page; clicking an ASIN opens that product's item page with no option chosen; clicking an option \
value stays on the same item page (the simple text does not show chosen options, so the page \
looks the same); click[description], click[features], click[reviews] open those sub-pages and \
click[< prev] there returns to the item page; click[buy now] ends the episode on the done page \
with a score between 0.0 and 1.0 for how well the purchase matches the instruction. An action \
that is not available on the page changes nothing: answer with the same page. Keep the \
instruction text exactly as given on every page but the done page. Products, ASINs (B0 followed \
by 8 upper-case letters or digits), titles, prices and options must stay consistent across \
pages of one episode.`;

export const WEBSHOP_STATE_FORMAT = `A page is its visible text segments in document order, each trimmed, joined with " [SEP] ". \
The page types and their exact shapes:

search (the only page that starts with "WebShop" and the only one with a search bar):
WebShop [SEP] Instruction: [SEP] <instruction> [SEP] Search

results (10 per page out of at most 50 hits; "< Prev" only when N > 1; "Next >" always; each \
row is ASIN, title, price, where a price is "$x" or "$x to $y"):
Instruction: [SEP] <instruction> [SEP] Back to Search [SEP] Page N (Total results: T) [SEP] \
< Prev [SEP] Next > [SEP] <ASIN> [SEP] <title> [SEP] <price> [SEP] <ASIN> [SEP] <title> [SEP] <price> ...

item (option groups, if any, come first: each group's lower-case name followed by its \
lower-case values; then the title, price and rating; then the sub-page buttons and Buy Now):
Instruction: [SEP] <instruction> [SEP] Back to Search [SEP] < Prev [SEP] <option name> [SEP] \
<value> [SEP] <value> ... [SEP] <title> [SEP] Price: <price> [SEP] Rating: N.A. [SEP] \
Description [SEP] Features [SEP] Reviews [SEP] Buy Now

item_sub (Description: the description text; Features: one segment per bullet point; Reviews: \
the reviews; an empty one shows nothing after < Prev):
Instruction: [SEP] <instruction> [SEP] Back to Search [SEP] < Prev [SEP] <content> [SEP] ...

done (after click[buy now]; the score is a float between 0.0 and 1.0):
Thank you for shopping with us! [SEP] Your code: [SEP] <code> [SEP] (Paste it in your MTurk \
interface.) [SEP] ... [SEP] Your score (min 0.0, max 1.0) [SEP] <score>

Available actions follow from the text: search[<query>] on the search page; click[x] where x is \
the lower-cased text of a button ("back to search", "< prev", "next >", "description", \
"features", "reviews", "buy now"), a result ASIN in lower case, or an option value.`;
