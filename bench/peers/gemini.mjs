// Times Gemini CLI's policy engine (@google/gemini-cli-core, PolicyEngine.check)
// on the same requests as agentguard-bench, in-process, and prints a JSON object
// {workload: {median_us, mean_us, p99_us, requests}} on stdout.
//
// Rules: each Bash rule of libagentguard's built-in policy
// (lib/policy/default_policy.c) becomes a Gemini `commandPrefix` rule for
// run_shell_command with the same decision. A trailing ` *` is dropped, so
// `Bash(git status *)` becomes the prefix `git status`. Gemini's
// engine splits compound commands with its own tree-sitter parser and checks
// each part, which is the work our checker does too.
//
// Usage: node gemini.mjs MODULE_DIR CORPUS_DIR DEFAULT_POLICY_C
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The engine logs every check through console.debug, and shell parse errors
// through console.error; silencing both keeps terminal output out of its timings.
console.debug = () => {};
console.error = () => {};
console.warn = () => {};

const [moduleDir, corpusDir, policySource] = process.argv.slice(2);
const entry = path.join(moduleDir, 'node_modules/@google/gemini-cli-core/dist/index.js');
const core = await import(pathToFileURL(entry).href);
const { PolicyEngine, PolicyDecision, initializeShellParsers } = core;

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Same pattern as buildArgsPatterns() in gemini-cli-core 0.61.0 (dist/src/policy/utils.js).
function prefixPattern(prefix) {
  const encoded = JSON.stringify(prefix);
  const open = encoded.substring(0, encoded.length - 1);
  return new RegExp(`${escapeRegex(`"command":${open}`)}(?:[\\s"]|\\\\")`);
}

function defaultRules() {
  const decisions = { allow: PolicyDecision.ALLOW, ask: PolicyDecision.ASK_USER, deny: PolicyDecision.DENY };
  const priorities = { allow: 1, ask: 2, deny: 3 };
  const rules = [];
  let section = null;
  for (const line of readFileSync(policySource, 'utf8').split('\n')) {
    const header = line.match(/^\s*"(allow|ask|deny):\\n"/);
    if (header) { section = header[1]; continue; }
    const rule = line.match(/^\s*"  - Bash\((.*)\)\\n"/);
    if (!rule || !section) continue;
    const prefix = rule[1].replace(/\\"/g, '"').replace(/ \*$/, '');
    rules.push({ toolName: 'run_shell_command', argsPattern: prefixPattern(prefix),
                 decision: decisions[section], priority: priorities[section] });
  }
  return rules;
}

function readCorpus(file, multiline) {
  const full = path.join(corpusDir, file);
  if (!existsSync(full)) return null;
  const text = readFileSync(full, 'utf8');
  const items = multiline ? text.split(/^%%\n?/m) : text.split('\n');
  return items.filter((s) => s.length > 0);
}

function toolRequests() {
  return [
    { name: 'read_file', args: { file_path: '/repo/src/main.c' } },
    { name: 'read_file', args: { file_path: '/home/user/.ssh/id_ed25519' } },
    { name: 'replace', args: { file_path: '/repo/lib/parser.c', old_string: 'a', new_string: 'b' } },
    { name: 'write_file', args: { file_path: '/etc/hosts', content: 'x' } },
    { name: 'search_file_content', args: { pattern: 'TODO', path: '/repo' } },
    { name: 'web_fetch', args: { prompt: 'https://docs.python.org/3/library/os.html' } },
    { name: 'web_fetch', args: { prompt: 'https://evil.example.net/x' } },
    { name: 'create_issue', args: { title: 'x' }, server: 'github' },
  ];
}

async function time(engine, calls) {
  for (const call of calls) await engine.check(call, call.server);  // warm-up
  const samples = [];
  for (const call of calls) {
    const start = process.hrtime.bigint();
    await engine.check(call, call.server);
    samples.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.round(q * (sorted.length - 1))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { median_us: at(0.5), mean_us: mean, p99_us: at(0.99), requests: calls.length };
}

await initializeShellParsers();
const rules = defaultRules();
rules.push({ toolName: 'read_file', decision: PolicyDecision.ALLOW, priority: 1 });
rules.push({ toolName: 'web_fetch', decision: PolicyDecision.ASK_USER, priority: 1 });
const engine = new PolicyEngine({ rules, defaultDecision: PolicyDecision.ASK_USER });

const results = {};
for (const [file, multiline] of [['agent-commands.txt', false], ['nl2bash.txt', false],
                                 ['agent-commands-multiline.txt', true]]) {
  const commands = readCorpus(file, multiline);
  if (commands === null) continue;
  results[file] = await time(engine, commands.map((command) => ({ name: 'run_shell_command', args: { command } })));
}
results['tool requests'] = await time(engine, toolRequests());
results.rule_count = rules.length;
process.stdout.write(`${JSON.stringify(results)}\n`);
