/**
 * Renders a structured-logging message template: `{Name}` is replaced by the property's value,
 * `{Name:0.00}` formats a number with that many decimals. Names without a property stay as written,
 * so a template is never lost.
 */
const HOLE = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}/g;
const DECIMALS = /^0\.(0+)$/;

/** A template split once into its literal text and its holes (every request logs the same few templates). */
interface ParsedTemplate {
  literals: string[];
  holes: Array<{ text: string; name: string; decimals: number | null }>;
}

/** Templates are constants of the code; the bound only keeps a caller that builds them from data from growing it forever. */
const MAX_PARSED = 500;
const parsed = new Map<string, ParsedTemplate>();

function parse(template: string): ParsedTemplate {
  let result = parsed.get(template);
  if (result) return result;
  result = { literals: [], holes: [] };
  let last = 0;
  for (const match of template.matchAll(HOLE)) {
    result.literals.push(template.slice(last, match.index));
    const decimals = match[2] ? DECIMALS.exec(match[2]) : null;
    result.holes.push({ text: match[0], name: match[1], decimals: decimals ? decimals[1].length : null });
    last = match.index + match[0].length;
  }
  result.literals.push(template.slice(last));
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(template, result);
  return result;
}

export function renderMessageTemplate(template: string, properties: Record<string, unknown>): string {
  const { literals, holes } = parse(template);
  let text = literals[0];
  for (let index = 0; index < holes.length; index++) {
    text += renderHole(holes[index], properties) + literals[index + 1];
  }
  return text;
}

function renderHole(hole: ParsedTemplate['holes'][number], properties: Record<string, unknown>): string {
  if (!Object.prototype.hasOwnProperty.call(properties, hole.name)) return hole.text;
  const value = properties[hole.name];
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' && hole.decimals !== null) return value.toFixed(hole.decimals);
  if (typeof value === 'object') return jsonOrText(value);
  return String(value);
}

function jsonOrText(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
