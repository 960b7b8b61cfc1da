import { randomBytes } from 'node:crypto';

/** Where the inspector page loads its resources from, as webview URIs. */
export interface InspectorHtmlOptions {
  /** `webview.cspSource` of the panel. */
  readonly cspSource: string;
  /** A fresh {@link makeNonce} for this page. */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly codiconsUri: string;
  /** media/callService.css: the Call Service section and masked mode. */
  readonly callStyleUri: string;
}

/** A random nonce for the page's Content-Security-Policy, new for every page. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

/** Escapes text for an HTML attribute; the values are webview URIs and the nonce, never token data. */
function attr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * One toolbar button: codicon plus visible label, and a tooltip (`title`, announced as its
 * description). No aria-label: the accessible name is the visible label, as WCAG 2.5.3 "Label in
 * Name" asks, so a speech-input user can say what they see.
 */
function button(
  id: string,
  codicon: string,
  label: string,
  title: string,
  secondary = true,
): string {
  const kind = secondary ? 'button secondary' : 'button';
  return `<button type="button" id="${id}" class="${kind}" title="${title}"><span class="codicon codicon-${codicon}" aria-hidden="true"></span><span class="button-label">${label}</span></button>`;
}

/**
 * The inspector page: a nonce-locked CSP and a static skeleton. It never contains token data;
 * the token arrives by postMessage and the script fills the skeleton with DOM nodes.
 */
export function inspectorHtml(opts: InspectorHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${opts.cspSource}`,
    `style-src ${opts.cspSource}`,
    `font-src ${opts.cspSource}`,
    `script-src 'nonce-${opts.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(opts.codiconsUri)}">
<link rel="stylesheet" href="${attr(opts.styleUri)}">
<link rel="stylesheet" href="${attr(opts.callStyleUri)}">
<title>Token Inspector</title>
</head>
<body>
<div id="loading" class="loading" role="status"><span class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true"></span><span id="loading-text">Loading token…</span></div>
<section id="empty-state" class="empty-state" hidden>
  <span class="codicon codicon-key empty-icon" aria-hidden="true"></span>
  <h1>No token to inspect</h1>
  <p id="empty-message"></p>
  ${button('empty-inspect', 'search', 'Inspect Token…', 'Inspect a token: paste a JWT, an Authorization header or a JSON response', false)}
</section>
<main id="inspector" hidden>
  <header class="titlebar">
    <div class="status-line">
      <span id="status-badge" class="badge" role="status"></span>
      <span id="countdown" class="countdown" aria-live="off"></span>
      <span id="signature-badge" class="badge signature-badge"></span>
    </div>
  </header>
  <dl id="glance" class="glance" aria-label="This token at a glance"></dl>
  <div class="actions" role="toolbar" aria-label="Token actions">
    ${button('copy-token', 'copy', 'Copy token', 'Copy the compact token')}
    ${button('copy-bearer', 'copy', 'Copy Bearer Header', 'Copy as an Authorization: Bearer header')}
    ${button('copy-json', 'json', 'Copy decoded JSON', 'Copy the decoded payload as JSON')}
    ${button('verify-key', 'key', 'Verify with key…', 'Verify the signature with a JWKS, PEM key or shared secret')}
    ${button('call-service', 'debug-start', 'Call Service…', 'Send one request with this token and explain the answer')}
    ${button('check-url', 'checklist', 'Check against a URL…', 'Check whether a service would accept this token, without sending it')}
    ${button('copy-as', 'clippy', 'Copy as…', 'Copy as a header, curl command, .http request or export line')}
    ${button('check-trust', 'shield', 'Check trust…', 'Would this trust accept it? Check the token against an AWS, Google Cloud, Entra or Vault trust definition')}
    ${button('inspect-another', 'search', 'Inspect another', 'Inspect another token', false)}
  </div>
  <p id="summary" class="summary"></p>
  <div id="problems" class="messages" role="alert"></div>
  <div id="warnings" class="messages"></div>
  <section id="call" class="section call" aria-labelledby="call-heading" hidden>
    <h2 id="call-heading">Call Service</h2>
    <div id="call-body" aria-live="polite"></div>
  </section>
  <section class="section" aria-labelledby="raw-heading">
    <div class="section-heading">
      <h2 id="raw-heading">Encoded</h2>
      <button type="button" id="raw-toggle" class="link-button raw-toggle" aria-expanded="false" aria-controls="raw-token" hidden></button>
    </div>
    <div id="raw-token" class="raw-token"></div>
    <div id="raw-token-masked" class="raw-token masked" hidden></div>
    <div id="raw-legend" class="legend"></div>
  </section>
  <section class="section" aria-labelledby="verification-heading">
    <h2 id="verification-heading">Verification</h2>
    <div id="verification" class="verification" aria-live="polite"></div>
    <div id="audience" class="verification"></div>
  </section>
  <section id="trust-section" class="section" aria-labelledby="trust-heading" hidden>
    <h2 id="trust-heading">Would this trust accept it?</h2>
    <div id="trust" class="verification" aria-live="polite"></div>
  </section>
  <section class="section" aria-labelledby="claims-heading">
    <h2 id="claims-heading">Claims</h2>
    <p id="payload-note" class="note" hidden></p>
    <table id="claims-table" class="claims"></table>
  </section>
  <section class="section" aria-labelledby="times-heading">
    <h2 id="times-heading">Times</h2>
    <div id="times" class="times"></div>
  </section>
  <section class="section" aria-labelledby="header-heading">
    <div class="section-heading">
      <h2 id="header-heading">Header</h2>
      <button type="button" id="copy-header-json" class="icon-button" title="Copy the decoded header as JSON" aria-label="Copy the decoded header as JSON"><span class="codicon codicon-copy" aria-hidden="true"></span></button>
    </div>
    <table id="header-table" class="claims"></table>
  </section>
</main>
<script nonce="${attr(opts.nonce)}" src="${attr(opts.scriptUri)}"></script>
</body>
</html>
`;
}
