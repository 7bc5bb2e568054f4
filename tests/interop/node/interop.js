// Interoperability: Node's soap package calls kareo-fake-server through the project's WSDL and gets the
// seeded data back.
//
// usage: node interop.js KAREO_FAKE_SERVER WSDL WORK_DIR   (run where `npm ci` installed node_modules)
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const [serverPath, wsdl, work] = process.argv.slice(2);
const SKIP = 77;
let soap;
try {
  soap = require('soap');
} catch (e) {
  console.log('SKIPPED: the soap package is not installed (run npm ci): ' + e.message);
  process.exit(SKIP);
}

const FLAGS = ['--seed', '12', '--today', '2025-06-15', '--practices', '2', '--patients', '30',
               '--service-locations', '3', '--throttle', 'off'];
const HEADER = { CustomerKey: 'test-customer-key', Password: 'test-password', User: 'test-user@example.test' };
const failures = [];
function check(condition, what) {
  console.log((condition ? 'ok   ' : 'FAIL ') + what);
  if (!condition) failures.push(what);
}
function ids(rows) {
  return (rows || []).filter((r) => r.ID).map((r) => Number(r.ID)).sort((a, b) => a - b);
}
function asList(x) {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

async function main() {
  fs.mkdirSync(work, { recursive: true });
  const dump = path.join(work, 'node-data.json');
  execFileSync(serverPath, ['--dump-data', dump, ...FLAGS], { stdio: 'inherit' });
  const data = JSON.parse(fs.readFileSync(dump, 'utf8'));
  const byPractice = {};
  for (const p of data.patients) (byPractice[p.PracticeId] = byPractice[p.PracticeId] || []).push(Number(p.ID));

  const server = spawn(serverPath, ['--port', '0', '--fault', 'internal:op=GetCharges', ...FLAGS],
                       { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  const line = await new Promise((resolve) => readline.createInterface({ input: server.stdout }).once('line', resolve));
  check(/^listening on http:\/\/127\.0\.0\.1:\d+$/.test(line), 'ready line: ' + line);
  const endpoint = line.replace('listening on ', '') + '/services/soap/2.1/KareoServices.svc';

  try {
    const client = await soap.createClientAsync(wsdl, { endpoint });

    let [r] = await client.GetPracticesAsync({ request: { RequestHeader: HEADER, Fields: {}, Filter: {} } });
    let res = r.GetPracticesResult;
    check(res.SecurityResponse.Authenticated === true, 'GetPractices authenticated');
    const names = asList(res.Practices.PracticeData).map((p) => p.PracticeName);
    check(JSON.stringify(names) === JSON.stringify(data.practices.map((p) => p.PracticeName)),
          'GetPractices returns the seeded practices ' + names.join(', '));

    let total = 0;
    for (const practice of Object.keys(byPractice)) {
      [r] = await client.GetPatientsAsync({ request: { RequestHeader: HEADER, Fields: {}, Filter: { PracticeID: practice } } });
      const got = ids(asList(r.GetPatientsResult.Patients.PatientData));
      total += got.length;
      check(JSON.stringify(got) === JSON.stringify(byPractice[practice].sort((a, b) => a - b)),
            `GetPatients practice ${practice}: ${got.length} patients`);
    }
    check(total === 30, 'GetPatients over all practices: ' + total);

    [r] = await client.GetServiceLocationsAsync({ request: { RequestHeader: HEADER, Fields: {}, Filter: {} } });
    check(asList(r.GetServiceLocationsResult.ServiceLocations.ServiceLocationData).length === 3,
          'GetServiceLocations: 3 locations');

    [r] = await client.CreatePatientAsync({ request: { RequestHeader: HEADER, Patient: {
      FirstName: 'Node', LastName: 'Testinterop', PatientExternalID: 'NODE-1', ExternalVendorID: 1,
      Practice: { PracticeID: 1 } } } });
    check(Number(r.CreatePatientResult.PatientID) === 31, 'CreatePatient assigns 31');
    [r] = await client.UpdatePatientAsync({ UpdatePatientReq: { RequestHeader: HEADER,
      Patient: { City: 'Nodeville', PatientID: 31 } } });
    check(Number(r.UpdatePatientResult.PatientID) === 31, 'UpdatePatient with its own wrapper');
    [r] = await client.GetPatientAsync({ request: { RequestHeader: HEADER, Filter: { PatientID: 31 } } });
    check(r.GetPatientResult.Patient && r.GetPatientResult.Patient.City === 'Nodeville', 'GetPatient sees the write');

    [r] = await client.GetPracticesAsync({ request: { RequestHeader: { ...HEADER, Password: 'wrong' }, Fields: {}, Filter: {} } });
    check(r.GetPracticesResult.SecurityResponse.Authenticated === false &&
          r.GetPracticesResult.SecurityResponse.SecurityResultSuccess === false, 'wrong password: Authenticated=false');

    try {
      await client.GetChargesAsync({ request: { RequestHeader: HEADER, Fields: {}, Filter: { PracticeName: 'Testpractice Alpha' } } });
      check(false, 'GetCharges fault raised');
    } catch (err) {
      const text = err.root && err.root.Envelope && err.root.Envelope.Body.Fault ? err.root.Envelope.Body.Fault.faultstring : String(err);
      check(/internal error/.test(String(text && text.$value !== undefined ? text.$value : text)),
            'InternalServiceFault arrives as a SOAP Fault');
    }
  } catch (err) {
    check(false, 'unexpected error: ' + (err && err.stack ? err.stack : err));
  } finally {
    server.kill('SIGTERM');
  }
  const code = await exited;
  check(code === 0, 'server exits 0 on SIGTERM');
  if (failures.length) {
    console.log(failures.length + ' check(s) failed');
    process.exit(1);
  }
  console.log('all checks passed');
}

main();
