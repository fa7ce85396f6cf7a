/**
 * Renders a structured-logging message template: `{Name}` is replaced by the property's value,
 * `{Name:0.00}` formats a number with that many decimals. Names without a property stay as written,
 * so a template is never lost.
 */
const HOLE = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}/g;

export function renderMessageTemplate(template: string, properties: Record<string, unknown>): string {
  return template.replace(HOLE, (hole, name: string, format: string | undefined) => {
    if (!Object.prototype.hasOwnProperty.call(properties, name)) return hole;
    const value = properties[name];
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'number' && format && /^0\.(0+)$/.test(format)) return value.toFixed(format.length - 2);
    if (typeof value === 'object') return jsonOrText(value);
    return String(value);
  });
}

function jsonOrText(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
