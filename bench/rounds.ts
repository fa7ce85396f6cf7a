/**
 * How every comparison bench measures: the service and its bare baseline in alternating rounds of the same length,
 * a ratio per round (service / bare, taken within the round so that both saw the same machine), and a report of the
 * ratios' median and spread with the load average of each round. On a shared machine one figure taken over the whole
 * run mixes quiet and busy minutes; the per-round ratio and its spread show how far a figure can be trusted.
 *
 * Every bench takes `--quick` (CI: 3 rounds of 2 s, a smoke test of the bench itself, its figures are not
 * comparable), `--rounds n` and `--seconds s` (at least 10 s per round outside `--quick`), `--warm-up s` (10 s
 * of each target's load before the first round).
 *
 * A bench that can add up its measurements (a `combine`) runs each target's turn in slices of about a second,
 * interleaved with the other target's (`--slice s`, 0 for whole turns): this VM's own speed drifts by a quarter within
 * seconds while the guest is idle (a fixed loop of SHA-256 ran 128,000 to 213,000 times per half second, in plateaus of
 * 2–5 s), so two 10 s turns one after the other could each meet another speed; slices in the order A B B A … see the
 * same machine.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { CLOCK_TICKS, argument, benchDatabases, processTimes } from './support';

export const QUICK = process.argv.includes('--quick');
/** Rounds shorter than this are dominated by warm-up, GC pauses and the neighbours' bursts. */
export const MIN_ROUND_SECONDS = 10;
export const CORES = cpus().length;

export interface RoundPlan {
  rounds: number;
  /** Length of one target's turn in a round. */
  seconds: number;
  /** How many interleaved slices a turn is run in, where the bench can combine them (1: the turn in one piece). */
  slices: number;
  warmUpSeconds: number;
}

/** Each target's load before the first round (see warmUp). */
const WARM_UP_SECONDS = 10;

/** The length of a slice of a turn: short enough to stay within one of the VM's speed plateaus. */
const SLICE_SECONDS = 1;

/** The rounds from the command line: full rounds by default, short ones with --quick. */
export function roundPlan(defaults: { rounds: number; seconds?: number } = { rounds: 5 }): RoundPlan {
  const seconds = argument('seconds', QUICK ? 2 : Math.max(MIN_ROUND_SECONDS, defaults.seconds ?? MIN_ROUND_SECONDS));
  if (!QUICK && !(seconds >= MIN_ROUND_SECONDS))
    throw new Error(`--seconds ${seconds}: rounds shorter than ${MIN_ROUND_SECONDS} s need --quick`);
  const rounds = argument('rounds', QUICK ? 3 : defaults.rounds);
  if (!(rounds >= 1)) throw new Error(`--rounds ${rounds}: at least one round`);
  const slice = argument('slice', SLICE_SECONDS);
  if (!(slice >= 0)) throw new Error(`--slice ${slice}: a length in seconds, or 0 for whole turns`);
  const slices = slice > 0 ? Math.max(1, Math.round(seconds / slice)) : 1;
  const warmUpSeconds = argument('warm-up', QUICK ? 1 : WARM_UP_SECONDS);
  return { rounds, seconds, slices, warmUpSeconds };
}

export function describePlan(plan: RoundPlan, targets: readonly string[], sliced = false): string {
  const turns =
    sliced && plan.slices > 1
      ? `${plan.seconds} s each in ${plan.slices} interleaved slices of ${(plan.seconds / plan.slices).toFixed(1)} s (order A B B A …)`
      : `${plan.seconds} s each, alternating order`;
  return (
    `${plan.rounds} rounds of ${targets.join(' / ')}, ${turns}` +
    `${QUICK ? ' (--quick: figures not comparable)' : ''}; ${CORES} cores, load before ${loadText()}`
  );
}

/**
 * Cores that other processes kept busy while a round ran: above this share a neighbour can shift one target's
 * figure by several percent (a fifth of a core is a tenth of this 2-core machine).
 */
export const OTHERS_BUSY_CORES = 0.2;

/** One round: each target's result, the 1-minute load average at its start and end, and what others used. */
export interface Round<T> {
  results: Record<string, T>;
  load: { from: number; to: number };
  /**
   * Cores used on average during the round by processes that are not the bench's (the machine's busy time from
   * /proc/stat less this process, its children and the PostgreSQL processes of its databases); NaN without /proc.
   */
  others: number;
}

/**
 * CPU seconds the machine's processes have spent so far, plus what the hypervisor gave other guests (steal); NaN
 * without /proc. Interrupt time is left out: it is charged to no process, and most of it here is the loopback
 * traffic of the bench itself (a list bench's 100 KB answers put half a core into softirq).
 */
function machineBusySeconds(): number {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, , , , , steal] = fields.map(Number);
    return (user + nice + system + (steal || 0)) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds the bench itself has used so far: this process and its descendants (the forked servers, the load
 * generators), the PostgreSQL processes serving its databases or doing the server's own background work, which the
 * bench's writes cause, and kernel threads (the bench's disk and network work on an otherwise quiet machine).
 * Processes that ended count through their parent's reaped-children time: the servers a bench stopped through this
 * process, PostgreSQL's parallel workers through the postmaster.
 */
function benchCpuSeconds(): number {
  const processes = new Map<number, { parent: number; seconds: number; reaped: number; title: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const times = processTimes(Number(entry));
    if (!times) continue; // gone between the listing and the read
    let title = '';
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      // gone since: counted by its times alone
    }
    processes.set(Number(entry), { ...times, title });
  }
  const ownsDatabase = (title: string) => [...benchDatabases].some((name) => title.includes(` ${name}`));
  // "postgres: 15/main: checkpointer": the server's own processes name no database (autovacuum workers do).
  const serverWork = (title: string) => /^postgres: [^ ]+: [a-z ]+$/.test(title);
  const descendsFrom = (pid: number, ancestor: number): boolean => {
    for (let at = pid, hops = 0; at > 0 && hops < 64; hops++) {
      if (at === ancestor) return true;
      at = processes.get(at)?.parent ?? 0;
    }
    return false;
  };
  const postmasters = new Set<number>();
  let total = 0;
  for (const [pid, { parent, seconds, reaped, title }] of processes) {
    const postgres = title.startsWith('postgres:');
    if (postgres) postmasters.add(parent);
    if (descendsFrom(pid, process.pid)) total += seconds + reaped;
    else if (pid === 2 || parent === 2) total += seconds;
    else if (postgres && (ownsDatabase(title) || serverWork(title))) total += seconds;
  }
  for (const pid of postmasters) total += processes.get(pid)?.reaped ?? 0;
  return total;
}

/** What the bench and the whole machine have used so far, to tell the others' share of a round. */
function cpuSnapshot(): { at: number; machine: number; bench: number } {
  return { at: performance.now(), machine: machineBusySeconds(), bench: benchCpuSeconds() };
}

function othersBetween(from: ReturnType<typeof cpuSnapshot>, to: ReturnType<typeof cpuSnapshot>): number {
  const seconds = (to.at - from.at) / 1000;
  return Math.max(0, to.machine - from.machine - (to.bench - from.bench)) / seconds;
}

/**
 * Each target's load before the first round, in the rounds' slices. Warmed up one after the
 * other, the service sat idle through the bare's warm-up and came back slow: the list's first round read 0.59× after
 * 60 s of warm-up each, against 0.71–0.86× in the next four, and the service's own throughput rose 32 % from the first
 * round to the second while the bare's rose 8 %.
 */
export async function warmUp<T>(
  plan: RoundPlan,
  targets: readonly string[],
  measure: (target: string, seconds: number) => Promise<T>,
): Promise<void> {
  const slices = Math.max(1, Math.round((plan.warmUpSeconds / plan.seconds) * plan.slices));
  for (let slice = 0; slice < slices; slice++)
    for (const target of slice % 2 === 0 ? targets : [...targets].reverse())
      await measure(target, plan.warmUpSeconds / slices);
}

/**
 * Runs `measure` for every target once per round, the order reversed every other round so that neither target
 * always runs first (after the other's garbage or its checkpoint). With `combine`, each turn runs in the plan's
 * slices, interleaved and each pair in the order of the one before reversed (A B B A …, which cancels a steady
 * drift of the machine's speed), and a target's slices are combined into its result of the round.
 */
export async function alternate<T>(
  plan: RoundPlan,
  targets: readonly string[],
  measure: (target: string, seconds: number, round: number) => Promise<T>,
  onRound?: (round: Round<T>, index: number) => void,
  combine?: (parts: T[]) => T,
): Promise<Round<T>[]> {
  const rounds: Round<T>[] = [];
  const slices = combine ? plan.slices : 1;
  for (let index = 0; index < plan.rounds; index++) {
    const from = loadavg()[0];
    const cpuFrom = cpuSnapshot();
    const parts = new Map<string, T[]>(targets.map((target) => [target, []]));
    for (let slice = 0; slice < slices; slice++)
      for (const target of (index + slice) % 2 === 0 ? targets : [...targets].reverse())
        parts.get(target)!.push(await measure(target, plan.seconds / slices, index));
    const results: Record<string, T> = {};
    for (const target of targets) results[target] = combine ? combine(parts.get(target)!) : parts.get(target)![0];
    const round = { results, load: { from, to: loadavg()[0] }, others: othersBetween(cpuFrom, cpuSnapshot()) };
    rounds.push(round);
    onRound?.(round, index);
  }
  return rounds;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** `0.83× (0.79–0.88×)`: the median of the rounds' ratios and their range. */
export function spreadText(value: Spread, digits = 2, unit = '×'): string {
  return `${value.median.toFixed(digits)}${unit} (${value.min.toFixed(digits)}–${value.max.toFixed(digits)}${unit})`;
}

/** The ratio of two targets' figures in each round. */
export function ratios<T>(rounds: Round<T>[], pick: (result: T) => number, over: string, under: string): Spread {
  return spread(rounds.map((round) => pick(round.results[over]) / pick(round.results[under])));
}

export function loadText(values: number[] = loadavg()): string {
  return values.map((value) => value.toFixed(2)).join(' ');
}

/** `1.92→2.31, 2.31→2.05, …`: the 1-minute load average at the start and end of each round. */
export function roundLoads(rounds: Round<unknown>[]): string {
  return rounds.map((round) => `${round.load.from.toFixed(2)}→${round.load.to.toFixed(2)}`).join(', ');
}

/** `0.03, 0.41, …`: the cores other processes used in each round. */
export function roundOthers(rounds: Round<unknown>[]): string {
  return rounds.map((round) => round.others.toFixed(2)).join(', ');
}

/** `service 3191 req/s, bare 4433 req/s, 0.72×; load …`: a service/bare round's throughputs, ratio and conditions. */
export function roundSummary(round: Round<{ perSecond: number }>, unit: string): string {
  const { service, bare } = round.results;
  return (
    `service ${service.perSecond.toFixed(0)}${unit}, bare ${bare.perSecond.toFixed(0)}${unit}, ` +
    `${(service.perSecond / bare.perSecond).toFixed(2)}×; ${roundConditions(round)}`
  );
}

/** The line a bench prints after each round: its load average and the others' cores. */
export function roundConditions(round: Round<unknown>): string {
  const others = Number.isFinite(round.others) ? `, others ${round.others.toFixed(2)} cores` : '';
  return `load ${round.load.from.toFixed(2)}→${round.load.to.toFixed(2)}${others}`;
}

/**
 * The warning when other processes took more than OTHERS_BUSY_CORES in some round. The load average cannot tell:
 * the bench's own processes keep it at 2–4 on a 2-core machine however quiet the rest is. Where /proc is missing
 * (no accounting), a load average above the cores warns instead. Either way the warning says the machine was
 * contended, not that the figures are wrong; the ratio within each round is what stays comparable.
 */
export function busyWarning(rounds: Round<unknown>[]): string | undefined {
  const accounted = rounds.every((round) => Number.isFinite(round.others));
  const busy = rounds
    .map((round, index) => ({
      index,
      value: accounted ? round.others : Math.max(round.load.from, round.load.to),
    }))
    .filter((round) => round.value > (accounted ? OTHERS_BUSY_CORES : CORES));
  if (busy.length === 0) return undefined;
  const what = accounted
    ? `other processes used more than ${OTHERS_BUSY_CORES} of its ${CORES} cores`
    : `1-minute load average above its ${CORES} cores`;
  return (
    `WARNING: the machine was busy (${what}) in ${busy.length} of ${rounds.length} rounds ` +
    `(${busy.map((round) => `round ${round.index + 1}: ${round.value.toFixed(2)}`).join(', ')}); ` +
    'compare the per-round ratios, not the absolute figures, and rerun when it is quieter'
  );
}

/** The report's closing lines every bench prints: per-round loads, the others' cores and the busy warning. */
export function printLoads(rounds: Round<unknown>[]): void {
  for (const line of loadLines(rounds)) console.log(`  ${line}`);
}

/** printLoads' lines, for benches that gather their report before printing it. */
export function loadLines(rounds: Round<unknown>[]): string[] {
  const lines = [
    `load average per round (1 min, start→end; the bench's own processes included): ${roundLoads(rounds)}`,
  ];
  if (rounds.every((round) => Number.isFinite(round.others)))
    lines.push(`cores used by other processes per round: ${roundOthers(rounds)}`);
  const warning = busyWarning(rounds);
  if (warning) lines.push(warning);
  return lines;
}

/**
 * Fails the run unless both targets answered the same request with the same bytes: a baseline that answers less
 * (a shorter body, another field order, a skipped check) is not a baseline. `mask` replaces what legitimately
 * differs between two calls (a time taken at the request) by the same placeholder in both, keeping the length.
 */
export function assertSameBytes(label: string, service: string, bare: string, mask?: (body: string) => string): void {
  const a = mask ? mask(service) : service;
  const b = mask ? mask(bare) : bare;
  if (a === b) {
    console.log(`  ${label}: service and bare bodies byte-identical (${Buffer.byteLength(service)} bytes)`);
    return;
  }
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, at - 40), at + 80));
  const parsedEqual = (() => {
    try {
      return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
    } catch {
      return false;
    }
  })();
  throw new Error(
    `${label}: the bare server's body differs from the service's at byte ${at}${parsedEqual ? ' (same JSON, other bytes)' : ''}:\n` +
      `  service ${around(a)}\n  bare    ${around(b)}`,
  );
}

/** ISO timestamps replaced by a placeholder of the same length, for bodies that carry the time of the request. */
export const maskTimestamps = (body: string): string =>
  body.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, (match) => 'T'.repeat(match.length));

/**
 * Exit status 1 when a goal was missed, except with --quick: its short rounds check that the bench still runs (bodies
 * identical, no errors), and a goal missed in them says nothing.
 */
export function exitWithGoal(met: boolean, errors = 0): void {
  if (!met && QUICK) console.log('(--quick: a missed goal does not fail the run; rerun without --quick to judge it)');
  process.exitCode = errors === 0 && (met || QUICK) ? 0 : 1;
}
