// Renders /openapi.json as a table of operations (no third-party code: it must work offline).
const target = document.getElementById('api');
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

try {
  const doc = await (await fetch('/openapi.json')).json();
  const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', { textContent: 'method' }), el('th', { textContent: 'path' }), el('th', { textContent: 'what' }), el('th', { textContent: 'auth' }))));
  const body = el('tbody');
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const what = el('td', { textContent: op.summary });
      if (params.length) what.append(el('br'), el('small', { textContent: `query: ${params.join(', ')}` }));
      const auth = op.security ? op.security.map((s) => Object.keys(s)[0]).join(' or ') : 'public';
      body.append(el('tr', {}, el('td', { className: 'method', textContent: method.toUpperCase() }), el('td', {}, el('code', { textContent: path })), what, el('td', { textContent: auth })));
    }
  }
  table.append(body);
  target.replaceChildren(el('p', { textContent: `${doc.info.title}, version ${doc.info.version}` }), table);
  options(doc.components.schemas);
} catch (e) {
  target.textContent = `The API description could not be loaded: ${e.message}`;
}

// The option reference: one table per template, from the sections' schemas.
function options(schemas) {
  const out = document.getElementById('options');
  const parts = [];
  for (const [name, schema] of Object.entries(schemas)) {
    if (!name.startsWith('section.')) continue;
    const template = name.slice('section.'.length);
    const head = el('tr', {}, ...['option', 'what it does', 'default', 'values'].map((t) => el('th', { scope: 'col', textContent: t })));
    const rows = Object.entries(schema.properties).map(([option, p]) => {
      const values = p.enum ? p.enum.join(', ') : p['x-minimum'] !== undefined ? `${p['x-minimum']} to ${p['x-maximum']}` : 'text';
      return el('tr', {}, el('th', { scope: 'row' }, el('code', { textContent: option })), el('td', { textContent: p.description }), el('td', {}, el('code', { textContent: p.default })), el('td', { textContent: values }));
    });
    parts.push(el('h3', { textContent: `${template}: ${schema.description}` }), el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
  }
  out.replaceChildren(...parts);
}
