// Run as its own process by driver.test.ts, as plain CommonJS like the stock-host child (under a
// TypeScript loader the abort below did not show): prepares and drops many statements while the
// heap grows, so that V8 collects statements from its own tasks. better-sqlite3 12 built against
// Node 24.19+ headers aborts here within a second. argv[2]: the driver's entry file.
const Database = require(process.argv[2]);

const db = new Database(':memory:');
db.exec('create table t (a)');
const ballast = [];
let rounds = 0;
function round() {
  for (let i = 0; i < 500; i++) db.prepare('insert into t values (?)').run(i);
  for (let i = 0; i < 2000; i++) ballast.push({ i, s: 'x'.repeat(50) });
  if (++rounds < 60) {
    setImmediate(round);
    return;
  }
  db.close();
  console.log(JSON.stringify({ survived: rounds }));
}
round();
