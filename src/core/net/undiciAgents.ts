// undici's proxy agent, built by esbuild.mjs as its own file (dist/undici.js, about 0.5 MB) that
// the extension bundle loads only when a request goes through a proxy.
export { ProxyAgent } from 'undici';
