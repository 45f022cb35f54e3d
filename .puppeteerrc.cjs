// Browsers come from the system (see scripts/ensure-browser.mjs); puppeteer must never download one.
module.exports = { skipDownload: true };
