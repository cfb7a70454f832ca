// A small visual editor over the body's HTML textarea, without a framework. The textarea stays
// the form field (and the whole editor without JavaScript); the visual mode writes its HTML back
// before the form is sent. Whatever it produces is cleaned on the server like any paste.
import { html, raw, type Html } from '../../http/html.ts';
import { t, type Lang, type MessageKey } from '../../i18n/i18n.ts';

const BUTTONS: Array<[string, string, MessageKey, string]> = [
  // command, value, label, visible glyph
  ['bold', '', 'newsroom.rte.bold', 'B'],
  ['italic', '', 'newsroom.rte.italic', 'I'],
  ['formatBlock', 'h2', 'newsroom.rte.h2', 'H2'],
  ['formatBlock', 'h3', 'newsroom.rte.h3', 'H3'],
  ['insertUnorderedList', '', 'newsroom.rte.ul', '•'],
  ['insertOrderedList', '', 'newsroom.rte.ol', '1.'],
  ['formatBlock', 'blockquote', 'newsroom.rte.quote', '“”'],
  ['createLink', '', 'newsroom.rte.link', '🔗'],
  ['removeFormat', '', 'newsroom.rte.clear', '⌫'],
];

const SCRIPT = `(function(){
var box=document.querySelector('[data-rte]');var ta=document.getElementById('body_html');
if(!box||!ta||!document.execCommand)return;
var area=box.querySelector('.rte-area'),bar=box.querySelector('[role=toolbar]'),toggle=box.querySelector('.rte-toggle');
var visual=false;
function show(v){visual=v;bar.hidden=!v;area.hidden=!v;ta.hidden=v;toggle.textContent=v?toggle.dataset.html:toggle.dataset.visual;toggle.setAttribute('aria-pressed',String(v));
if(v){area.innerHTML=ta.value;area.focus();}else{ta.value=area.innerHTML;}}
toggle.hidden=false;toggle.addEventListener('click',function(){show(!visual);});
bar.addEventListener('click',function(e){var b=e.target.closest('button');if(!b)return;e.preventDefault();area.focus();
var cmd=b.dataset.cmd,val=b.dataset.val||null;
if(cmd==='createLink'){val=window.prompt(box.dataset.prompt,'https://');if(!val)return;}
if(cmd==='formatBlock')val='<'+val+'>';
document.execCommand(cmd,false,val);});
ta.form.addEventListener('submit',function(){if(visual)ta.value=area.innerHTML;});
})();`;

export function richEditor(lang: Lang, textLang: Lang): Html {
  const d = textLang === 'fa' ? 'rtl' : 'ltr';
  return html`<div data-rte data-prompt="${t(lang, 'newsroom.rte.link_prompt')}">
<button type="button" class="secondary rte-toggle" hidden aria-pressed="false" data-visual="${t(lang, 'newsroom.rte.visual')}" data-html="${t(lang, 'newsroom.rte.html')}">${t(lang, 'newsroom.rte.visual')}</button>
<div role="toolbar" aria-label="${t(lang, 'newsroom.rte.toolbar')}" aria-controls="body-visual" class="rte-bar" hidden>${BUTTONS.map(([cmd, val, key, glyph]) => html`<button type="button" class="secondary" data-cmd="${cmd}" data-val="${val}" title="${t(lang, key)}" aria-label="${t(lang, key)}">${glyph}</button>`)}</div>
<div id="body-visual" class="rte-area" contenteditable="true" role="textbox" aria-multiline="true" aria-label="${t(lang, 'newsroom.field.body')}" lang="${textLang}" dir="${d}" hidden></div>
</div><script>${raw(SCRIPT)}</script>`;
}

export const RTE_CSS = `.rte-bar[hidden]{display:none}
.rte-bar{display:flex;flex-wrap:wrap;gap:.25rem;margin-block:.25rem}
.rte-bar button{min-inline-size:2.2rem;padding:.25rem .5rem}
.rte-area{min-block-size:16rem;border:1px solid #6b7785;border-radius:.25rem;background:#fff;padding:.5rem;overflow:auto}
.rte-toggle{margin-block:.25rem}`;
