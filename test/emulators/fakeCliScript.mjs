// What the fake CLI scripts (gcloud, yc, aws, buildkite-agent, circleci) share: how a run starts
// (its arguments, the call log, the state that fakeCli.ts wrote) and, for gcloud and yc, reading
// long flags and playing faults. Each script words its own errors.
import { appendFileSync, readFileSync } from 'node:fs';

/**
 * Starts a run of the fake named `name` (`GCLOUD`): appends its arguments as one JSON line to
 * `FAKE_<name>_LOG` when set, and reads its state from the JSON file `FAKE_<name>_STATE`.
 * @returns {{ argv: string[], state: any }}
 */
export function startRun(name) {
  const argv = process.argv.slice(2);
  const log = process.env[`FAKE_${name}_LOG`];
  if (log) appendFileSync(log, `${JSON.stringify(argv)}\n`);
  const state = JSON.parse(readFileSync(process.env[`FAKE_${name}_STATE`] ?? '', 'utf8'));
  return { argv, state };
}

/**
 * Long flags as gcloud (argparse) and yc (pflag) both read them: `--name=value` or `--name value`
 * for a name in `valued`, a bare `--name` for one in `switches`, and `short` single-dash aliases
 * of switches (gcloud's `-q`). Anything else not starting with `--` is positional.
 * Stops at the first problem: `missing` (a valued flag last, without its value) or `unknown` (a
 * flag not listed, or a switch given a value), with the flag's name and the argument as written.
 * @returns {{ positional: string[], flags: Record<string, string | true>,
 *   problem?: { kind: 'missing' | 'unknown', name: string, arg: string } }}
 */
export function parseLongFlags(args, valued, switches, short = {}) {
  const positional = [];
  const flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (Object.hasOwn(short, arg)) {
      flags[short[arg]] = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (valued.has(name)) {
      if (eq !== -1) flags[name] = arg.slice(eq + 1);
      else if (i + 1 < args.length) flags[name] = args[++i];
      else return { positional, flags, problem: { kind: 'missing', name, arg } };
    } else if (switches.has(name) && eq === -1) {
      flags[name] = true;
    } else {
      return { positional, flags, problem: { kind: 'unknown', name, arg } };
    }
  }
  return { positional, flags };
}

/**
 * Plays the state's `fault`, if any: `hang` (the run never ends) or `garbage` (a proxy's HTML page
 * on standard output instead of a token). Returns whether it played one (the run then ends there).
 */
export function playFault(fault, out) {
  if (fault === 'hang') {
    setInterval(() => {}, 1 << 30);
    return true;
  }
  if (fault === 'garbage') {
    out('<html><body>Proxy authentication required</body></html>\n');
    return true;
  }
  return false;
}
