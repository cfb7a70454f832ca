// Maps on the portal and in the console: Leaflet's own files straight from node_modules (no
// CDN) under versioned paths cached for a year, tiles from CITYDESK_MAP_TILES, and one small
// script every map starts with. A map is an addition to a list that works alone: without
// JavaScript, without Leaflet, or when the tiles do not load, the map box stays hidden (or
// hides itself and says so) and the page is its list or its text field.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html, type Html } from '../../http/html.ts';

const leafletDir = path.join(path.dirname(createRequire(import.meta.url).resolve('leaflet/package.json')), 'dist');
export const LEAFLET_VERSION = (JSON.parse(readFileSync(path.join(leafletDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
/** Leaflet's script and style, keyed by their versioned file names. */
export const LEAFLET_FILES: Record<string, { body: Buffer; type: string }> = {
  [`leaflet-${LEAFLET_VERSION}.js`]: { body: readFileSync(path.join(leafletDir, 'leaflet.js')), type: 'text/javascript; charset=utf-8' },
  [`leaflet-${LEAFLET_VERSION}.css`]: { body: readFileSync(path.join(leafletDir, 'leaflet.css')), type: 'text/css; charset=utf-8' },
};

const CSS = `.citymap{display:none}
.citymap.on{display:block;block-size:24rem;max-block-size:70vh;margin-block:1rem;border:1px solid #c9d3df;border-radius:.5rem}
.citymap-legend{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;padding:0;margin:.5rem 0}
.citymap-legend li{display:flex;align-items:center;gap:.4rem}
.citymap-swatch{display:inline-block;inline-size:1.6rem;block-size:.9rem;border:3px solid currentColor;border-radius:.2rem}
.citymap-swatch.dashed{border-style:dashed}
.citymap-tools{display:flex;flex-wrap:wrap;gap:.5rem}
[data-map-part][hidden]{display:none!important}`;

/**
 * Parts of a map page that scripts show or hide carry `data-map-part`: `hidden` then wins over
 * layout classes (.row, .stack) that set a display of their own.
 *
 * `citydeskMap(el, options, onFail)`: a Leaflet map in `el` with the tiles of `data-tiles`, or
 * null without Leaflet. When no tile loads (the server is unreachable, blocked or slow beyond
 * 12 s) the map is removed, `el` hidden again, `onFail` called, and the element named by
 * `data-status` shown: it tells the
 * reader that the list (or the text field) has everything. `data-points` and the like are the
 * caller's business.
 */
const BASE_JS = `(function(){
window.citydeskMapEsc=function(s){return String(s).replace(/[&<>"']/g,function(c){return{'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]})};
window.citydeskMap=function(el,opts,onFail){
if(!el||!window.L)return null;
var status=el.getAttribute('data-status')?document.getElementById(el.getAttribute('data-status')):null;
el.hidden=false;el.classList.add('on');
var map=L.map(el,Object.assign({scrollWheelZoom:false},opts||{}));
var loaded=0,failed=0,gone=false;
function fail(){if(gone)return;gone=true;setTimeout(function(){try{map.remove()}catch(e){}el.classList.remove('on');el.hidden=true;el.setAttribute('data-failed','1');if(status)status.hidden=false;if(onFail)onFail();},0)}
var layer=L.tileLayer(el.getAttribute('data-tiles'),{maxZoom:19,attribution:citydeskMapEsc(el.getAttribute('data-attribution')||'')});
layer.on('tileload',function(){loaded++});
layer.on('tileerror',function(){failed++;if(!loaded&&failed>=2)fail()});
layer.addTo(map);
setTimeout(function(){if(!loaded)fail()},12000);
map.citydeskFailed=function(){return gone};
return map;
};})();`;

const version = (s: string | Buffer) => createHash('sha256').update(s).digest('hex').slice(0, 10);
const ASSETS: Record<string, { body: string | Buffer; type: string }> = {
  ...LEAFLET_FILES,
  [`citymap-${version(CSS)}.css`]: { body: CSS, type: 'text/css; charset=utf-8' },
  [`citymap-${version(BASE_JS)}.js`]: { body: BASE_JS, type: 'text/javascript; charset=utf-8' },
};

/** Serves a page's own map script next to the shared files, under the same caching. */
export function mapScript(name: string, js: string): string {
  const file = `${name}-${version(js)}.js`;
  ASSETS[file] = { body: js, type: 'text/javascript; charset=utf-8' };
  return file;
}

const file = (prefix: string, ext: string) => Object.keys(ASSETS).find((k) => k.startsWith(prefix) && k.endsWith(ext))!;
export const mapAsset = (req: FastifyRequest, name: string) => `${req.base}/assets/map/${name}`;
/** Leaflet's own script or style alone (a page that draws its map without the shared start). */
export const leafletUrl = (req: FastifyRequest, ext: '.js' | '.css') => mapAsset(req, file('leaflet-', ext));

/** The stylesheets a map page needs (in the head on the portal; the console puts them in the body). */
export const mapStyles = (req: FastifyRequest): Html =>
  html`<link rel="stylesheet" href="${mapAsset(req, file('leaflet-', '.css'))}"><link rel="stylesheet" href="${mapAsset(req, file('citymap-', '.css'))}">`;

/** Leaflet, the shared start, then the page's own script (a name from mapScript); all deferred. */
export const mapScripts = (req: FastifyRequest, own: string): Html =>
  html`<script src="${mapAsset(req, file('leaflet-', '.js'))}" defer></script><script src="${mapAsset(req, file('citymap-', '.js'))}" defer></script><script src="${mapAsset(req, own)}" defer></script>`;

/** GET /assets/map/:file, registered with the portal (both with and without /c/:slug). */
export const mapAssetRoutes = async (r: FastifyInstance) => {
  r.get('/assets/map/:file', async (req, reply) => {
    const a = ASSETS[(req.params as { file: string }).file];
    if (!a) return reply.code(404).type('text/plain').send('not found');
    return reply.type(a.type).header('cache-control', 'public, max-age=31536000, immutable').send(a.body);
  });
};
