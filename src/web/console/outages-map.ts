// Drawing an outage's polygon on a map in the console: each click adds a corner, the shape is
// shown as it grows (undo, clear, start another) and written into the polygon text field in
// its own notation ("lat,lon lat,lon … first again", one polygon per line). The text field is
// the truth and works alone: without JavaScript, without tiles configured, or when the tiles
// do not load, the dispatcher types the points; typing in the field redraws the map.
import type { FastifyRequest } from 'fastify';
import type { App } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { withCommunity } from '../../db/db.ts';
import { catalogs, locale, t, type Lang } from '../../i18n/i18n.ts';
import { mapScript, mapScripts, mapStyles } from '../portal/map-assets.ts';

const DRAW_JS = mapScript('outage-polygon', `(function(){
var el=document.getElementById('polygon-map'),box=document.getElementById('polygon-draw');
var ta=el&&document.getElementById(el.getAttribute('data-field'));
if(!el||!box||!ta||!window.L||!window.citydeskMap)return;
var tools=document.getElementById('polygon-tools'),count=document.getElementById('polygon-count');
var undo=document.getElementById('polygon-undo'),clear=document.getElementById('polygon-clear'),next=document.getElementById('polygon-next');
var forms=JSON.parse(el.getAttribute('data-count')||'{}'),lang=el.getAttribute('data-lang')||'uk',plural=new Intl.PluralRules(lang),nf=new Intl.NumberFormat(el.getAttribute('data-locale')||lang);
box.hidden=false;
var map=citydeskMap(el,{scrollWheelZoom:true,doubleClickZoom:false},function(){tools.hidden=true});if(!map)return;
var pts=[],shape=null,others=L.layerGroup().addTo(map),red={color:'#b3261e',weight:3};
var lines=function(){return ta.value.split(/\\r?\\n/).filter(function(l){return l.trim()})};
var fixed=lines();
function parse(line){var r=line.trim().split(/\\s+/).map(function(p){var x=p.split(',');return[parseFloat(x[0]),parseFloat(x[1])]});
return r.length>=4&&r.every(function(p){return isFinite(p[0])&&isFinite(p[1])})?r:null}
function fmt(p){return p[0].toFixed(5)+','+p[1].toFixed(5)}
function draw(){others.clearLayers();fixed.forEach(function(l){var r=parse(l);if(r)L.polygon(r,{color:'#0b57d0',weight:2,dashArray:'5 4'}).addTo(others)});
if(shape){map.removeLayer(shape);shape=null}
if(pts.length>=3)shape=L.polygon(pts,red);else if(pts.length===2)shape=L.polyline(pts,red);else if(pts.length===1)shape=L.circleMarker(pts[0],{radius:5,color:'#b3261e'});
if(shape)shape.addTo(map);
var f=forms[plural.select(pts.length)]||forms.other||'{count}';count.textContent=f.replace('{count}',nf.format(pts.length));
undo.disabled=!pts.length;clear.disabled=!pts.length;next.disabled=pts.length<3}
function write(){var out=fixed.slice();if(pts.length>=3)out.push(pts.concat([pts[0]]).map(fmt).join(' '));ta.value=out.join('\\n');draw()}
map.on('click',function(e){var p=e.latlng.wrap();pts.push([p.lat,p.lng]);write()});
undo.addEventListener('click',function(){pts.pop();write()});
clear.addEventListener('click',function(){pts=[];write()});
next.addEventListener('click',function(){if(pts.length<3)return;fixed.push(pts.concat([pts[0]]).map(fmt).join(' '));pts=[];write()});
ta.addEventListener('input',function(){fixed=lines();pts=[];draw()});
var all=[];fixed.forEach(function(l){var r=parse(l);if(r)all=all.concat(r)});
var b=JSON.parse(el.getAttribute('data-bounds')||'null');
if(all.length)map.fitBounds(all,{maxZoom:17,padding:[20,20]});else if(b)map.fitBounds(b,{maxZoom:16});else map.setView([0,0],2);
draw();})();`);

/** The community's extent (its buildings with coordinates), for the map's first view. */
async function extent(app: App, communityId: string): Promise<[[number, number], [number, number]] | null> {
  const r = await withCommunity(app.db, communityId, (tx) => tx.selectFrom('buildings')
    .select((eb) => [eb.fn.min<number>('lat').as('s'), eb.fn.max<number>('lat').as('n'), eb.fn.min<number>('lon').as('w'), eb.fn.max<number>('lon').as('e')])
    .where('lat', 'is not', null).where('lon', 'is not', null).executeTakeFirst());
  return r && r.s !== null ? [[Number(r.s), Number(r.w)], [Number(r.n), Number(r.e)]] : null;
}

/** The map under the polygon field (`fieldId`), or nothing when no tiles are configured. */
export async function polygonDrawer(app: App, req: FastifyRequest, lang: Lang, fieldId = 'polygons'): Promise<Html | ''> {
  const tiles = app.config.mapTiles;
  if (!tiles) return '';
  const bounds = await extent(app, req.community.id);
  return html`${mapStyles(req)}<div id="polygon-draw" class="stack" data-map-part hidden><p><strong>${t(lang, 'outages.map.draw')}</strong> <span class="hint" id="polygon-hint">${t(lang, 'outages.map.draw_hint')}</span></p>
<div id="polygon-map" class="citymap" dir="ltr" role="region" aria-label="${t(lang, 'outages.map.draw')}" aria-describedby="polygon-hint" data-field="${fieldId}" data-status="polygon-failed"
 data-tiles="${tiles}" data-attribution="${app.config.mapAttribution}" data-bounds="${JSON.stringify(bounds)}" data-lang="${lang}" data-locale="${locale(lang)}" data-count="${JSON.stringify(catalogs[lang]['outages.map.points'])}"></div>
<p id="polygon-failed" class="alert" role="status" data-map-part hidden>${t(lang, 'outages.map.draw_failed')}</p>
<div id="polygon-tools" class="row" data-map-part><span id="polygon-count" role="status"></span>
<button type="button" class="secondary" id="polygon-undo" disabled>${t(lang, 'outages.map.undo')}</button>
<button type="button" class="secondary" id="polygon-next" disabled>${t(lang, 'outages.map.next')}</button>
<button type="button" class="secondary" id="polygon-clear" disabled>${t(lang, 'outages.map.clear')}</button></div></div>
${mapScripts(req, DRAW_JS)}`;
}
