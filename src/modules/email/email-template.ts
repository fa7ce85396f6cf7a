/**
 * Fills `{Placeholder}` variables of an email template resource (DESIGN.md §7). Names match without
 * regard to case; a placeholder with no variable of that name is left exactly as written, so a typo
 * shows in the sent mail instead of silently vanishing.
 */
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

export type TemplateVariables = Record<string, string | number | null | undefined>;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

function lookup(variables: TemplateVariables): (name: string) => string | undefined {
  const byName = new Map(Object.entries(variables).map(([name, value]) => [name.toLowerCase(), value]));
  return (name) => {
    const key = name.toLowerCase();
    if (!byName.has(key)) return undefined;
    const value = byName.get(key);
    return value === null || value === undefined ? '' : String(value);
  };
}

/** For the HTML body: every value is HTML-escaped. */
export function renderHtml(template: string, variables: TemplateVariables): string {
  const valueOf = lookup(variables);
  return template.replace(PLACEHOLDER, (placeholder, name: string) => {
    const value = valueOf(name);
    return value === undefined ? placeholder : escapeHtml(value);
  });
}

/** For the subject: plain text on one line. */
export function renderText(template: string, variables: TemplateVariables): string {
  const valueOf = lookup(variables);
  return template
    .replace(PLACEHOLDER, (placeholder, name: string) => {
      const value = valueOf(name);
      return value === undefined ? placeholder : value;
    })
    .replace(/[\r\n]+/g, ' ');
}
