#!/usr/bin/env node
// The benchmark workloads done with Node's soap package, the way a Node integrator calls Tebra.
// Same flags and the same one-line JSON result as the C++ programs (see bench/e2e/harness.hpp):
//   node soap_bench.js --wsdl wsdl/KareoServices.wsdl --endpoint URL [--ca-file PEM] --scenario ...
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const axios = require('axios');
const soap = require('soap');

function parseArgs(argv) {
  const a = {
    scenario: 'patients', 'ca-file': '', 'customer-key': 'test-customer-key', user: 'test-user@example.test',
    password: 'test-password', 'practice-name': '', 'practice-id': '1', 'batch-size': '1000', total: '50000',
    calls: '1000', expect: '-1',
  };
  for (let i = 2; i + 1 < argv.length; i += 2) a[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const required of ['wsdl', 'endpoint']) {
    if (!a[required]) throw new Error(`--${required} is required`);
  }
  return a;
}

function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function main() {
  const a = parseArgs(process.argv);
  const setup = process.hrtime.bigint();
  const agentOptions = { keepAlive: true, maxSockets: 1 };
  const request = axios.create({
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent({ ...agentOptions, ca: a['ca-file'] ? fs.readFileSync(a['ca-file']) : undefined }),
    maxContentLength: Infinity,
    maxBodyLength: Infinity,
  });
  const client = await soap.createClientAsync(a.wsdl, { endpoint: a.endpoint, request });
  client.addHttpHeader('Accept-Encoding', 'identity');
  const setupSeconds = Number(process.hrtime.bigint() - setup) / 1e9;

  const header = {
    ClientVersion: 'kareo-bench-node', CustomerKey: a['customer-key'], Password: a.password, User: a.user,
  };
  const wall = process.hrtime.bigint();
  const cpu = cpuNow();
  let records = 0;
  let calls = 0;
  const count = (list) => (list === undefined || list === null ? 0 : Array.isArray(list) ? list.length : 1);
  if (a.scenario === 'patients') {
    const filter = a['practice-name'] ? { PracticeName: a['practice-name'] } : { PracticeID: a['practice-id'] };
    const [r] = await client.GetPatientsAsync({ request: { RequestHeader: header, Fields: {}, Filter: filter } });
    calls = 1;
    const res = r && r.GetPatientsResult;
    records = count(res && res.Patients && res.Patients.PatientData);
  } else if (a.scenario === 'allpatients') {
    let key = 0;
    while (records < Number(a.total)) {
      const [r] = await client.GetAllPatientsAsync({
        request: {
          RequestHeader: header, Fields: {},
          Filter: { BatchSize: Number(a['batch-size']), PracticeID: Number(a['practice-id']), StartKey: key },
        },
      });
      calls++;
      const res = r && r.GetAllPatientsResult;
      const got = count(res && res.Patients && res.Patients.PatientBatchData);
      records += got;
      const next = res && res.Key && res.Key.nextStartKey !== undefined ? Number(res.Key.nextStartKey) : null;
      if (got === 0 || next === null || next === key) break;
      key = next;
    }
  } else {
    for (let i = 0; i < Number(a.calls); i++) {
      const [r] = await client.GetPracticesAsync({ request: { RequestHeader: header, Fields: {}, Filter: {} } });
      calls++;
      const res = r && r.GetPracticesResult;
      records += count(res && res.Practices && res.Practices.PracticeData);
    }
  }
  const seconds = Number(process.hrtime.bigint() - wall) / 1e9;
  const cpuSeconds = cpuNow() - cpu;
  console.log(JSON.stringify({
    program: 'node-soap', scenario: a.scenario, records, calls, seconds, cpu_seconds: cpuSeconds,
    max_rss_kb: process.resourceUsage().maxRSS, setup_seconds: setupSeconds,
    version: require('soap/package.json').version,
  }));
  if (Number(a.expect) >= 0 && records !== Number(a.expect)) {
    console.error(`node-soap: expected ${a.expect} records, received ${records}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(`node-soap: ${e && e.message ? e.message : e}`);
  process.exitCode = 2;
});
