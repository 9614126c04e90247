// bench-pouchdb.js: the comparison for bench-sync (not a test, not built):
// PouchDB replication of N documents of the same 12 fields from database A
// through a PouchDB server on loopback (express-pouchdb, in its own process)
// to a new database B, RUNS times; prints each run's wall and CPU time and
// min / median / max.  Needs, in any directory on NODE_PATH:
//   npm install --ignore-scripts pouchdb-core pouchdb-adapter-memory \
//     pouchdb-adapter-http pouchdb-replication express@4 express-pouchdb
//   node tests/sync/bench-pouchdb.js [N] [RUNS]
// Every database is PouchDB's in-memory adapter (no disk writes at all,
// which favours PouchDB; pouchdb-server's default is LevelDB on disk).
'use strict';

const { spawn } = require('child_process');
const os = require('os');

const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'));

const FIELDS = ['surname', 'name', 'patronymic', 'birth_date', 'sex', 'citizenship', 'phone',
                'registration_address', 'actual_address', 'education', 'profession', 'employment'];

function serve () {
  const express = require('express');
  const app = express();
  const MemPouch = PouchDB.defaults({ adapter: 'memory' });

  app.use('/', require('express-pouchdb')(MemPouch, { mode: 'minimumForPouchDB', logPath: os.tmpdir() + '/pouch-log.txt' }));
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`port ${server.address().port}\n`);
  });
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m) => {
    if (m === 'cpu')
      process.send(process.cpuUsage());
  });
}

function startServer () {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [__filename, 'serve'], { stdio: ['ignore', 'pipe', 'ignore', 'ipc'] });
    child.stdout.on('data', (d) => {
      const m = /port (\d+)/.exec(d.toString());
      if (m)
        resolve({ child, port: Number(m[1]) });
    });
  });
}

function serverCpu (child) {
  return new Promise((resolve) => {
    child.once('message', (u) => resolve((u.user + u.system) / 1e6));
    child.send('cpu');
  });
}

function cpu () {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function run (n, r) {
  const { child, port } = await startServer();
  const a = new PouchDB(`a-${r}`, { adapter: 'memory' });
  const b = new PouchDB(`b-${r}`, { adapter: 'memory' });
  const remote = new PouchDB(`http://127.0.0.1:${port}/center`);

  for (let i = 0; i < n; i += 1000) {
    const docs = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      const doc = { _id: '01890000-0000-7000-8000-' + String(j).padStart(12, '0') };
      for (const f of FIELDS)
        doc[f] = `${f} ${j}`;
      docs.push(doc);
    }
    await a.bulkDocs(docs);
  }
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const c0 = cpu(), s0 = await serverCpu(child), t0 = process.hrtime.bigint();
  await a.replicate.to(remote, { batch_size: 1000, batches_limit: 10 });
  const c1 = cpu(), s1 = await serverCpu(child), t1 = process.hrtime.bigint();
  await b.replicate.from(remote, { batch_size: 1000, batches_limit: 10 });
  const c2 = cpu(), s2 = await serverCpu(child), t2 = process.hrtime.bigint();
  const info = await b.info();
  if (info.doc_count !== n)
    throw new Error(`B has ${info.doc_count} documents, expected ${n}`);
  child.kill();
  const res = { a: Number(t1 - t0) / 1e9, b: Number(t2 - t1) / 1e9,
                aCpu: c1 - c0, bCpu: c2 - c1, aServer: s1 - s0, bServer: s2 - s1 };
  console.log(`pouchdb run ${r + 1}: ${n} docs x 12 (load average ${load}): A -> server ${res.a.toFixed(2)} s ` +
              `(CPU ${res.aCpu.toFixed(2)} s here, ${res.aServer.toFixed(2)} s server), server -> B ` +
              `${res.b.toFixed(2)} s (CPU ${res.bCpu.toFixed(2)} s here, ${res.bServer.toFixed(2)} s server), ` +
              `total ${(res.a + res.b).toFixed(2)} s`);
  await a.destroy();
  await b.destroy();
  return res;
}

function spread (v) {
  v.sort((x, y) => x - y);
  return `${v[0].toFixed(2)} / ${v[v.length >> 1].toFixed(2)} / ${v[v.length - 1].toFixed(2)}`;
}

async function main () {
  const n = Number(process.argv[2] || 10000);
  const runs = Number(process.argv[3] || 1);
  const all = [];

  for (let r = 0; r < runs; r++)
    all.push(await run(n, r));
  console.log(`pouchdb, ${n} docs x 12, ${runs} runs (min / median / max, seconds):`);
  console.log(`  A -> server, wall                  ${spread(all.map((x) => x.a))}`);
  console.log(`  server -> B, wall                  ${spread(all.map((x) => x.b))}`);
  console.log(`  CPU here + server, A and B         ${spread(all.map((x) => x.aCpu + x.bCpu + x.aServer + x.bServer))}`);
  console.log(`  first sync A -> server -> B, wall  ${spread(all.map((x) => x.a + x.b))}`);
}

if (process.argv[2] === 'serve')
  serve();
else
  main().catch((e) => { console.error(e); process.exit(1); });
