// docs/openapi.json against real validators (installed by scripts/install-deps
// into --modules; package.json beside this file):
//  1. @apidevtools/swagger-parser: the document is valid OpenAPI 3.1 (the
//     specification's schema, every $ref resolves);
//  2. Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) on what the
//     original ganeti-rapi was recorded doing:
//     - tests/data/captures: each request's query arguments are declared,
//       its body matches the request body schema, and its answer the 200
//       schema (or the error body);
//     - tests/integration/data/write_cases.json (some with query arguments
//       nothing reads, which both daemons ignore): every body the original
//       accepted matches; every body it refused for a member FillOpcode does
//       not take (unknown, fixed from the URL or query, renamed twice) fails.
// Fails (never skips) when the validators are missing.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) =>
    (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
for (const name of ['modules', 'document', 'captures', 'write-cases']) {
  if (!args[name]) throw new Error(`missing --${name}`);
}

let SwaggerParser, Ajv2020, addFormats;
try {
  const require = createRequire(path.join(path.resolve(args.modules), 'noop.js'));
  SwaggerParser = require('@apidevtools/swagger-parser');
  Ajv2020 = require('ajv/dist/2020').default;
  addFormats = require('ajv-formats').default;
} catch (error) {
  console.error(`The validators are missing in ${args.modules} (run scripts/install-deps): ` +
                error.message);
  process.exit(1);
}

const failures = [];
let passed = 0;
const check = (ok, what) => { if (ok) passed++; else failures.push(what); };

const document = JSON.parse(fs.readFileSync(args.document, 'utf8'));
try {
  await SwaggerParser.validate(structuredClone(document));
  check(true, 'OpenAPI 3.1 document');
} catch (error) {
  check(false, `swagger-parser: ${error.message}`);
}
const resolved = await SwaggerParser.dereference(structuredClone(document));

// Strict: an unknown keyword or format is an error. Not strictRequired nor
// strictTypes, lints of correct schemas: "required" inside the renames'
// oneOf/not, "properties" without "type" where a body may be any JSON.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false,
                          strictTypes: false });
addFormats(ajv);
ajv.addVocabulary(['x-ganeti-type', 'x-rapid-format']);
const validators = new Map();
const validate = (schema, value) => {
  if (!validators.has(schema)) {
    try {
      validators.set(schema, ajv.compile(schema));
    } catch (error) {
      validators.set(schema, error);
    }
  }
  const fn = validators.get(schema);
  if (fn instanceof Error) return `the schema does not compile: ${fn.message}`;
  return fn(value) ? null : ajv.errorsText(fn.errors);
};

// The operation a request reaches, as the router matches it.
const routes = Object.entries(resolved.paths).map(([template, item]) => ({
  template,
  item,
  regex: new RegExp('^' + template.replace(/\{name\}/g, '[^/]+')
                                   .replace(/\{(job_id|disk_index)\}/g, '[0-9]+') + '$'),
}));
const operationOf = (method, target) => {
  const route = routes.find((r) => r.regex.test(target.split('?')[0]));
  return route && route.item[method.toLowerCase()];
};
const bodySchema = (op) => op.requestBody?.content['application/json'].schema;
const answerSchema = (op) => op.responses['200'].content['application/json'].schema;
const errorSchema = resolved.components.schemas.Error;
const queryNames = (target) =>
  [...new URLSearchParams(target.includes('?') ? target.split('?')[1] : '').keys()];

// Captures of the real ganeti-rapi.
let captures = 0;
for (const file of fs.readdirSync(args.captures).filter((f) => f.endsWith('.json')).sort()) {
  const capture = JSON.parse(fs.readFileSync(path.join(args.captures, file), 'utf8'));
  const { request, response } = capture;
  if (!request || !response) continue;
  const op = operationOf(request.method, request.path);
  if (!op) {
    check(response.status === 404 || response.status === 501, `${file}: no operation`);
    continue;
  }
  captures++;
  const answer = JSON.parse(response.body);
  if (response.status === 200) {
    const declared = new Set((op.parameters || []).map((p) => p.name));
    for (const name of queryNames(request.path)) {
      check(declared.has(name), `${file}: query argument ${name} not declared`);
    }
    const error = validate(answerSchema(op), answer);
    check(!error, `${file}: answer: ${error}`);
    const raw = request.raw.split('\r\n\r\n').slice(1).join('\r\n\r\n');
    if (raw.length) {
      const bodyError = validate(bodySchema(op), JSON.parse(raw));
      check(!bodyError, `${file}: request body: ${bodyError}`);
    }
  } else {
    const error = validate(errorSchema, answer);
    check(!error, `${file}: error body: ${error}`);
  }
}
check(captures >= 90, `only ${captures} captures reached an operation`);

// The write requests recorded from the original's code.
const refusedForMember = /doesn&#x27;t support the parameter|Can&#x27;t overwrite static|was renamed to/;
let accepted = 0;
let refused = 0;
for (const c of JSON.parse(fs.readFileSync(args['write-cases'], 'utf8')).cases) {
  const op = operationOf(c.method, c.target);
  check(op, `${c.name}: no operation for ${c.method} ${c.target}`);
  if (!op || c.body === null) continue;
  let body;
  try { body = JSON.parse(c.body); } catch { continue; }  // "Unable to parse JSON data"
  const schema = bodySchema(op);
  if (op.requestBody?.['x-rapid-ignored-with-query'] && c.target.includes('?')) continue;
  if (c.status === 200) {
    if (!schema) continue;  // a handler that does not read the body
    accepted++;
    const error = validate(schema, body);
    check(!error, `${c.name}: accepted body fails the schema: ${error}`);
  } else if (c.status === 400 && schema &&
             refusedForMember.test(JSON.parse(c.response).message)) {
    refused++;
    check(validate(schema, body) !== null, `${c.name}: refused body passes the schema`);
  }
}
check(accepted >= 100, `only ${accepted} accepted write bodies`);
check(refused >= 10, `only ${refused} refused write bodies`);

for (const failure of failures) console.error(`FAIL ${failure}`);
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
