<?php
// The benchmark workloads done with PHP's SoapClient (the vendor's own FAQ example).
// Same flags and the same one-line JSON result as the C++ programs (see bench/e2e/harness.hpp):
//   php soapclient_bench.php --wsdl wsdl/KareoServices.wsdl --endpoint URL [--ca-file PEM] --scenario ...

function cpu_now() {
    $u = getrusage();
    return $u['ru_utime.tv_sec'] + $u['ru_stime.tv_sec'] + ($u['ru_utime.tv_usec'] + $u['ru_stime.tv_usec']) / 1e6;
}

$opts = ['scenario' => 'patients', 'ca-file' => '', 'customer-key' => 'test-customer-key',
         'user' => 'test-user@example.test', 'password' => 'test-password', 'practice-name' => '',
         'practice-id' => '1', 'batch-size' => '1000', 'total' => '50000', 'calls' => '1000', 'expect' => '-1'];
for ($i = 1; $i + 1 < $argc; $i += 2) {
    $opts[substr($argv[$i], 2)] = $argv[$i + 1];
}
foreach (['wsdl', 'endpoint'] as $required) {
    if (!isset($opts[$required])) {
        fwrite(STDERR, "--$required is required\n");
        exit(2);
    }
}

$setup = microtime(true);
$ssl = ['verify_peer' => true, 'verify_peer_name' => true];
if ($opts['ca-file'] !== '') {
    $ssl['cafile'] = $opts['ca-file'];
}
$client = new SoapClient($opts['wsdl'], [
    'location' => $opts['endpoint'],
    'soap_version' => SOAP_1_1,
    'trace' => false,
    'exceptions' => true,
    'keep_alive' => true,
    'cache_wsdl' => WSDL_CACHE_NONE,
    'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
    'stream_context' => stream_context_create(['ssl' => $ssl]),
]);
$setup_seconds = microtime(true) - $setup;

$header = ['ClientVersion' => 'kareo-bench-php', 'CustomerKey' => $opts['customer-key'],
           'Password' => $opts['password'], 'User' => $opts['user']];
$wall = microtime(true);
$cpu = cpu_now();
$records = 0;
$calls = 0;
if ($opts['scenario'] === 'patients') {
    $filter = $opts['practice-name'] !== '' ? ['PracticeName' => $opts['practice-name']]
                                            : ['PracticeID' => $opts['practice-id']];
    $r = $client->GetPatients(['request' => ['RequestHeader' => $header, 'Fields' => new stdClass(),
                                             'Filter' => $filter]]);
    $calls = 1;
    if (isset($r->GetPatientsResult->Patients->PatientData)) {
        $records = count($r->GetPatientsResult->Patients->PatientData);
    }
} elseif ($opts['scenario'] === 'allpatients') {
    $key = 0;
    while ($records < (int)$opts['total']) {
        $r = $client->GetAllPatients(['request' => ['RequestHeader' => $header, 'Fields' => new stdClass(),
            'Filter' => ['BatchSize' => (int)$opts['batch-size'], 'PracticeID' => (int)$opts['practice-id'],
                         'StartKey' => $key]]]);
        $calls++;
        $res = $r->GetAllPatientsResult;
        $got = isset($res->Patients->PatientBatchData) ? count($res->Patients->PatientBatchData) : 0;
        $records += $got;
        $next = isset($res->Key->nextStartKey) ? (int)$res->Key->nextStartKey : null;
        if ($got === 0 || $next === null || $next === $key) {
            break;
        }
        $key = $next;
    }
} else {
    for ($i = 0; $i < (int)$opts['calls']; $i++) {
        $r = $client->GetPractices(['request' => ['RequestHeader' => $header, 'Fields' => new stdClass(),
                                                  'Filter' => new stdClass()]]);
        $calls++;
        if (isset($r->GetPracticesResult->Practices->PracticeData)) {
            $records += count($r->GetPracticesResult->Practices->PracticeData);
        }
    }
}
$seconds = microtime(true) - $wall;
$cpu_seconds = cpu_now() - $cpu;
$u = getrusage();
echo json_encode(['program' => 'php-soapclient', 'scenario' => $opts['scenario'], 'records' => $records,
                  'calls' => $calls, 'seconds' => $seconds, 'cpu_seconds' => $cpu_seconds,
                  'max_rss_kb' => $u['ru_maxrss'], 'setup_seconds' => $setup_seconds,
                  'version' => PHP_VERSION]), "\n";
if ((int)$opts['expect'] >= 0 && $records !== (int)$opts['expect']) {
    fwrite(STDERR, "php-soapclient: expected {$opts['expect']} records, received $records\n");
    exit(1);
}
