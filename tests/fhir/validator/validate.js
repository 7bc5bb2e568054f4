// Validates FHIR R4 resources (NDJSON files, or folders of them) with the `fhir` package (FHIR.js), a validator
// nobody here wrote: structure, cardinality, required elements, value sets of required bindings, primitive types.
//
//   node validate.js [--expect-invalid] [--references] PATH...
//
// Every error the package reports fails a resource, and so does every warning (an unexpected property is a
// warning there) except a code "not found in value set" of a binding that is not required: the package warns
// so for extensible, preferred and example bindings (and for the value sets it does not ship), where FHIR
// allows other codes; a code outside a required binding is an error. Information messages do not count.
// The package's own primitive patterns are not anchored ("5/1/1980" passes as a date because it holds
// "1980"), so each primitive value is also matched whole against the same pattern, as the FHIR specification
// states it; `instant`, which the package does not check, against the specification's pattern.
// --references: every Reference.reference must name a resource in the same folder (Type/id).
// --expect-invalid: every resource must be rejected (the negative test of this validator).
// Exits 0 when every resource met the expectation, 1 otherwise.
'use strict';
const fs = require('fs');
const path = require('path');
const {Fhir} = require('fhir');
const {Constants} = require('fhir/constants');

const whole = (re) => new RegExp('^(?:' + re.source + ')$');
const patterns = {
  date: whole(Constants.PrimitiveDateRegex),
  dateTime: whole(Constants.PrimitiveDateTimeRegex),
  time: whole(Constants.PrimitiveTimeRegex),
  code: whole(Constants.PrimitiveCodeRegex),
  id: whole(Constants.PrimitiveIdRegex),
  // FHIR R4, datatypes.html#instant.
  instant: /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/,
};

const fhir = new Fhir();
const options = {
  onBeforeValidateProperty(resource, property, where, value) {
    const re = patterns[property._type];
    if (!re) return [];
    const values = Array.isArray(value) ? value : [value];
    return values
        .filter((v) => typeof v !== 'string' || !re.test(v))
        .map((v) => ({location: where, resourceId: resource.id, severity: 'error',
                      message: 'Invalid ' + property._type + ' "' + v + '"'}));
  },
};

function files(p) {
  if (fs.statSync(p).isDirectory())
    return fs.readdirSync(p).sort().flatMap((name) => files(path.join(p, name)));
  return p.endsWith('.ndjson') ? [p] : [];
}

function references(value, out) {
  if (Array.isArray(value)) value.forEach((v) => references(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  return out;
}

const args = process.argv.slice(2);
const expectInvalid = args.includes('--expect-invalid');
const checkReferences = args.includes('--references');
const paths = args.filter((a) => !a.startsWith('--'));
if (paths.length === 0) {
  console.error('usage: node validate.js [--expect-invalid] [--references] PATH...');
  process.exit(2);
}

let checked = 0, failures = 0;
for (const root of paths) {
  const byFolder = new Map();
  for (const file of files(root)) {
    const folder = path.dirname(file);
    if (!byFolder.has(folder)) byFolder.set(folder, []);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    lines.forEach((line, i) => byFolder.get(folder).push({file, line: i + 1, text: line}));
  }
  for (const [folder, entries] of byFolder) {
    const resources = entries.map((e) => {
      try {
        return {...e, resource: JSON.parse(e.text)};
      } catch (err) {
        return {...e, resource: null, parseError: err.message};
      }
    });
    const ids = new Set(resources.filter((r) => r.resource).map((r) => r.resource.resourceType + '/' + r.resource.id));
    for (const r of resources) {
      ++checked;
      let problems;
      if (!r.resource) {
        problems = ['not JSON: ' + r.parseError];
      } else {
        const result = fhir.validate(r.resource, options);
        problems = result.messages
            .filter((m) => m.severity === 'error' ||
                           (m.severity === 'warning' && !/not found in value set/.test(m.message)))
            .map((m) => m.severity + ' at ' + m.location + ': ' + m.message);
        if (!result.valid && problems.length === 0) problems.push('invalid');
        if (checkReferences)
          for (const ref of references(r.resource, []))
            if (!ids.has(ref)) problems.push('dangling reference ' + ref + ' (not in ' + folder + ')');
      }
      const where = path.relative(process.cwd(), r.file) + ':' + r.line;
      if (expectInvalid && problems.length === 0) {
        ++failures;
        console.error(where + ': accepted, but it is broken: ' + r.text);
      } else if (!expectInvalid && problems.length > 0) {
        ++failures;
        console.error(where + ': ' + problems.join('; '));
      } else if (expectInvalid) {
        console.log(where + ': rejected as expected (' + problems[0] + ')');
      }
    }
  }
}
if (checked === 0) {
  console.error('no resource found in ' + paths.join(', '));
  process.exit(1);
}
console.log((expectInvalid ? 'rejected ' : 'validated ') + (checked - failures) + ' of ' + checked + ' resources');
process.exit(failures === 0 ? 0 : 1);
