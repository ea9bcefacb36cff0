/**
 * A self-contained documentation page: no CDN, no bundled UI library. It fetches /openapi.json and
 * renders routes, parameters, schemas and examples with a little vanilla JS (text only, via
 * textContent, so nothing in the document is interpreted as HTML).
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jimeng orchestrator API</title>
<style>
  body { font: 14px/1.5 system-ui, sans-serif; margin: 0; color: #1d232a; background: #f7f8fa; }
  header { background: #1d232a; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: center; }
  header input { flex: 1; max-width: 360px; padding: 4px 8px; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px; }
  .intro { white-space: pre-wrap; background: #fff; padding: 12px 16px; border-radius: 6px; }
  details { background: #fff; margin: 8px 0; border-radius: 6px; border: 1px solid #dde1e6; }
  summary { cursor: pointer; padding: 8px 12px; }
  .method { display: inline-block; min-width: 64px; font-weight: 600; text-transform: uppercase; }
  .get { color: #0b6bcb; } .post { color: #1a7f37; } .patch { color: #9a6700; } .delete { color: #cf222e; }
  .body { padding: 0 16px 12px; }
  pre { background: #f0f2f5; padding: 8px; overflow: auto; border-radius: 4px; font-size: 12px; }
  table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #eee; padding: 4px; text-align: left; vertical-align: top; }
  h2 { margin-top: 28px; }
</style>
</head>
<body>
<header><strong>Jimeng orchestrator API</strong>
  <input id="key" type="password" placeholder="API key (only if the document is protected)">
  <button id="load">Load</button> <a href="openapi.json" style="color:#9cf">openapi.json</a></header>
<main id="root">Loading…</main>
<script>
(function () {
  var root = document.getElementById('root');
  function el(tag, text, cls) { var e = document.createElement(tag); if (text != null) e.textContent = text; if (cls) e.className = cls; return e; }
  function json(value) { return el('pre', JSON.stringify(value, null, 2)); }
  function refName(schema) { return schema && schema.$ref ? schema.$ref.split('/').pop() : null; }
  function schemaBlock(parent, title, schema) {
    if (!schema) return;
    parent.appendChild(el('h4', title + (refName(schema) ? ' — ' + refName(schema) : '')));
    parent.appendChild(json(schema));
  }
  function operation(path, method, op) {
    var d = el('details'); var s = el('summary');
    s.appendChild(el('span', method, 'method ' + method)); s.appendChild(el('code', path + '  '));
    s.appendChild(el('span', op.summary || '')); d.appendChild(s);
    var b = el('div', null, 'body'); d.appendChild(b);
    if (op.description) b.appendChild(el('p', op.description));
    if (op.parameters && op.parameters.length) {
      var t = el('table'); var h = el('tr'); ['name', 'in', 'required', 'schema', 'description'].forEach(function (c) { h.appendChild(el('th', c)); }); t.appendChild(h);
      op.parameters.forEach(function (p) { var r = el('tr'); [p.name, p.in, String(!!p.required), JSON.stringify(p.schema), p.description || (p.schema && p.schema.description) || ''].forEach(function (c) { r.appendChild(el('td', c)); }); t.appendChild(r); });
      b.appendChild(el('h4', 'Parameters')); b.appendChild(t);
    }
    var body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
    if (body) schemaBlock(b, 'Request body', body.schema);
    Object.keys(op.responses || {}).forEach(function (status) {
      var r = op.responses[status]; var c = r.content && (r.content['application/json'] || r.content['text/plain'] || r.content['text/html']);
      b.appendChild(el('h4', status + ' ' + (r.description || '')));
      if (c && c.schema) b.appendChild(json(c.schema));
    });
    return d;
  }
  function render(doc) {
    root.textContent = '';
    root.appendChild(el('h1', doc.info.title + ' ' + doc.info.version));
    root.appendChild(el('div', doc.info.description, 'intro'));
    var byTag = {};
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method]; var tag = (op.tags && op.tags[0]) || 'Other';
        (byTag[tag] = byTag[tag] || []).push(operation(path, method, op));
      });
    });
    Object.keys(byTag).forEach(function (tag) { root.appendChild(el('h2', tag)); byTag[tag].forEach(function (d) { root.appendChild(d); }); });
    if (doc.webhooks) {
      root.appendChild(el('h2', 'Callbacks (webhooks)'));
      Object.keys(doc.webhooks).forEach(function (name) {
        Object.keys(doc.webhooks[name]).forEach(function (method) { root.appendChild(operation(name, method, doc.webhooks[name][method])); });
      });
    }
    root.appendChild(el('h2', 'Schemas'));
    var schemas = (doc.components && doc.components.schemas) || {};
    Object.keys(schemas).forEach(function (name) {
      var d = el('details'); d.appendChild(el('summary', name)); var b = el('div', null, 'body');
      b.appendChild(json(schemas[name])); d.appendChild(b); root.appendChild(d);
    });
  }
  function load() {
    var key = document.getElementById('key').value;
    fetch('openapi.json', { headers: key ? { Authorization: 'Bearer ' + key } : {} })
      .then(function (r) { if (!r.ok) throw new Error('openapi.json answered ' + r.status + (r.status === 401 ? ': enter an API key' : '')); return r.json(); })
      .then(render)
      .catch(function (e) { root.textContent = String(e.message || e); });
  }
  document.getElementById('load').addEventListener('click', load);
  load();
})();
</script>
</body>
</html>
`;
