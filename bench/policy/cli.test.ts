import test from "ava";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = (args: string[]) => spawnSync(process.execPath, ["--import=tsx", "bench/policy/cli.ts", ...args], { encoding: "utf8" });

const bad: [string[], RegExp][] = [
  [["--trace", "nope"], /--trace is "nope"; allowed: diurnal, flash-crowd, quiet-night, spot-storm or a \.csv file/],
  [["--trace", "quiet-night", "--max-nodes=-3"], /--max-nodes is "-3"; allowed: an integer >= 0/],
  [["--trace", "quiet-night", "--max-nodes", "2.5"], /--max-nodes is "2.5"; allowed: an integer >= 0/],
  [["--trace", "quiet-night", "--policy", "hpa"], /--policy is "hpa"; allowed: genpool, target-tracking, keda-ca, all/],
  [["--trace", "quiet-night", "--shadow"], /--shadow needs --pool pool.yaml/],
];
for (const [args, message] of bad) {
  test.serial(`bench:policy ${args.join(" ")} fails naming the flag, value and what is allowed`, (t) => {
    const r = cli(args);
    t.is(r.status, 1);
    t.regex(r.stderr, message);
  });
}

test.serial("bench:policy replays a user CSV with every policy, prints the oracle and writes the chart", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bench-policy-"));
  const csv = join(dir, "mine.csv");
  writeFileSync(csv, `arrival_s,service_s\n${Array.from({ length: 30 }, (_, i) => `${i * 2},20`).join("\n")}\n`);
  const png = join(dir, "out.png");
  const r = cli(["--trace", csv, "--chart", png, "--seed", "2"]);
  t.is(r.status, 0, r.stderr);
  for (const name of ["genpool", "target-tracking", "keda-ca", "oracle"]) t.regex(r.stdout, new RegExp(`\\| ${name} \\| \\$`));
  t.regex(r.stdout, /30 jobs; seed 2/);
  t.true(existsSync(png));
});
