// The intake forms' progressive enhancement, inline (no bundle, no framework), written in
// ES5 so that old phones run it too. Without it the forms work as plain forms.

/** Logical properties only: the same rules mirror for Persian. */
export const WIDGET_CSS = `
.addr [hidden],.cat-picker [hidden]{display:none!important}
.addr{position:relative}
.addr [role=listbox]{position:absolute;inset-inline:0;z-index:5;margin:0;padding:0;list-style:none;background:#fff;color:#1a1a1a;border:1px solid #6b7785;border-radius:.375rem;max-block-size:18rem;overflow:auto;box-shadow:0 4px 12px rgba(0,0,0,.18)}
.addr [role=option]{padding:.6rem .75rem;min-block-size:44px;cursor:pointer;border-block-end:1px solid #eef1f5}
.addr [role=option] small{display:block;color:#4a5563}
.addr [role=option][aria-selected=true]{background:#0b4f9c;color:#fff}
.addr [role=option][aria-selected=true] small{color:#fff}
.addr .addr-choices{margin-block:.5rem}
.addr-point{margin-block:.35rem 0}
.cat-picker label.choice,.addr label.choice{font-weight:400;display:flex;gap:.5rem;align-items:center;padding:.45rem;border-radius:.375rem;min-block-size:44px}
.cat-picker label.choice input,.addr label.choice input{inline-size:auto;margin:0}
.cat-picker label.choice:hover{background:#f0f4f9}
.cat-list{display:grid;gap:.15rem}
.cat-columns .cat-list{grid-template-columns:repeat(auto-fill,minmax(15rem,1fr))}
.cat-icon{font-size:1.35rem;inline-size:1.8rem;text-align:center;flex:none}
.cat-filter{margin-block-end:.5rem}
`;

export const ADDRESS_SCRIPT = `(function(){
if(window.cdAddr)return;window.cdAddr=1;
function ready(fn){if(document.readyState!=='loading')fn();else document.addEventListener('DOMContentLoaded',fn);}
function norm(s){return (s||'').toLowerCase().replace(/['\\u2019\\u02bc\\u2018\\u0060]/g,'').replace(/\\u064a/g,'\\u06cc').replace(/\\u0643/g,'\\u06a9').replace(/\\u200c/g,'');}
function address(box){
  var input=box.querySelector('#address'),list=box.querySelector('[role=listbox]'),url=box.getAttribute('data-suggest');
  var f=function(n){return box.querySelector('[name='+n+']');};
  var sid=f('street_id'),bid=f('building_id'),lat=f('lat'),lon=f('lon'),point=f('point'),status=box.querySelector('[role=status]');
  var items=[],active=-1,timer=null,seq=0;
  function close(){list.hidden=true;input.setAttribute('aria-expanded','false');input.removeAttribute('aria-activedescendant');active=-1;}
  function mark(){for(var i=0;i<list.children.length;i++)list.children[i].setAttribute('aria-selected',i===active?'true':'false');
    if(active>=0){input.setAttribute('aria-activedescendant',list.children[active].id);list.children[active].scrollIntoView({block:'nearest'});}}
  function render(){list.innerHTML='';
    for(var i=0;i<items.length;i++){(function(i){var li=document.createElement('li');li.id='address-opt-'+i;li.setAttribute('role','option');li.setAttribute('aria-selected','false');
      li.textContent=items[i].label;if(items[i].former){var s=document.createElement('small');s.textContent=items[i].former;li.appendChild(s);}
      li.addEventListener('mousedown',function(e){e.preventDefault();choose(i);});list.appendChild(li);})(i);}
    list.hidden=!items.length;input.setAttribute('aria-expanded',items.length?'true':'false');}
  function choose(i){var it=items[i];input.value=it.label;sid.value=it.street_id;bid.value=it.building_id||'';
    if(point.value!=='user'){lat.value=it.lat==null?'':it.lat;lon.value=it.lon==null?'':it.lon;}
    var radios=box.querySelectorAll('[name=address_choice]');for(var k=0;k<radios.length;k++)radios[k].checked=false;close();}
  var kept=box.querySelector('input[type=hidden][name=address_choice]');
  input.addEventListener('input',function(){sid.value='';bid.value='';if(kept)kept.value='';
    var radios=box.querySelectorAll('input[type=radio][name=address_choice]');for(var k=0;k<radios.length;k++)radios[k].checked=false;if(point.value!=='user'){lat.value='';lon.value='';}
    clearTimeout(timer);var q=input.value.replace(/^\\s+|\\s+$/g,'');if(q.length<2){items=[];render();return;}
    timer=setTimeout(function(){var my=++seq,x=new XMLHttpRequest();x.open('GET',url+'?q='+encodeURIComponent(q));x.setRequestHeader('Accept','application/json');
      x.onload=function(){if(my!==seq||x.status!==200)return;try{items=JSON.parse(x.responseText).items||[];}catch(e){items=[];}active=-1;render();};x.send();},180);});
  input.addEventListener('keydown',function(e){if(list.hidden||!items.length)return;
    if(e.key==='ArrowDown'||e.key==='ArrowUp'){e.preventDefault();active=(active+(e.key==='ArrowDown'?1:-1)+items.length)%items.length;mark();}
    else if(e.key==='Enter'&&active>=0){e.preventDefault();choose(active);}else if(e.key==='Escape'){close();}});
  input.addEventListener('blur',function(){setTimeout(close,150);});
  var locate=box.querySelector('[data-locate]');
  if(locate&&navigator.geolocation){locate.hidden=false;locate.addEventListener('click',function(){
    navigator.geolocation.getCurrentPosition(function(p){lat.value=p.coords.latitude.toFixed(6);lon.value=p.coords.longitude.toFixed(6);point.value='user';status.textContent=box.getAttribute('data-located');},
      function(){status.textContent=box.getAttribute('data-locate-failed');},{enableHighAccuracy:true,timeout:15000,maximumAge:60000});});}
}
function categories(box){
  var wrap=box.querySelector('.cat-filter'),input=wrap.querySelector('input'),labels=box.querySelectorAll('label.choice'),none=box.querySelector('[data-none]');
  wrap.hidden=false;
  function visible(){var out=[];for(var i=0;i<labels.length;i++)if(!labels[i].hidden)out.push(labels[i]);return out;}
  input.addEventListener('input',function(){var words=norm(input.value).split(/\\s+/).filter(Boolean),shown=0;
    for(var i=0;i<labels.length;i++){var hay=norm(labels[i].getAttribute('data-search')+' '+labels[i].textContent),ok=true;
      for(var w=0;w<words.length;w++)if(hay.indexOf(words[w])<0)ok=false;labels[i].hidden=!ok;if(ok)shown++;}
    none.hidden=shown>0;});
  input.addEventListener('keydown',function(e){var v=visible();if(!v.length)return;
    if(e.key==='Enter'){e.preventDefault();v[0].querySelector('input').checked=true;v[0].querySelector('input').focus();}
    else if(e.key==='ArrowDown'){e.preventDefault();v[0].querySelector('input').focus();}});
}
ready(function(){var a=document.querySelectorAll('[data-address]');for(var i=0;i<a.length;i++)address(a[i]);
  var c=document.querySelectorAll('[data-categories]');for(var j=0;j<c.length;j++)categories(c[j]);});
})();`;
