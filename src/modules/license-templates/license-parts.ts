import { ApiException } from '../../common/errors';
import type {
  LicenseAssemblyDto,
  LicenseFeatureDto,
  LicenseFieldDto,
  LicenseProductDto,
  LicenseRestrictionDto,
} from './license-parts.dto';

/**
 * The structured parts of a template or license as stored (jsonb): members that are null or absent
 * are left out, names are trimmed and required, dates are ISO-8601 UTC. Both the template XML and
 * the signed license document are written from this form.
 */
export interface LicenseProductPart {
  id?: string;
  name?: string;
  version?: string;
  copyright?: string;
  url?: string;
  description?: string;
}
export interface AssemblyPart {
  id?: number;
  name: string;
  version?: string;
  culture?: string;
  publicKeyToken?: string;
  mappingFileId?: number;
  debugSymbolsKey?: string;
}
export interface FieldPart {
  name: string;
  value: string;
}
export interface FeaturePart {
  id?: string;
  name: string;
  description?: string;
  expireDate?: string;
  key?: string;
  data?: string;
}
export interface RestrictionPart {
  id?: string;
  name: string;
  expireDate?: string;
  properties?: Record<string, string>;
  customXmlContent?: string;
}

export interface LicenseParts {
  product: LicenseProductPart | null;
  components: string[];
  assemblies: AssemblyPart[];
  fields: FieldPart[];
  features: FeaturePart[];
  restrictions: RestrictionPart[];
}

/** What a request may carry for the parts; `undefined` means "not given". */
export interface LicensePartsInput {
  product?: LicenseProductDto | null;
  components?: (string | null)[] | null;
  assemblies?: LicenseAssemblyDto[] | null;
  fields?: LicenseFieldDto[] | null;
  features?: LicenseFeatureDto[] | null;
  restrictions?: LicenseRestrictionDto[] | null;
}

export const EMPTY_PARTS: LicenseParts = {
  product: null,
  components: [],
  assemblies: [],
  fields: [],
  features: [],
  restrictions: [],
};

/** `2025-01-31T00:00:00Z`: whole seconds drop the `.000` a JavaScript date would write. */
export function isoUtc(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

function invalid(path: string, problem: string): ApiException {
  return ApiException.badRequest(`${path} ${problem}`);
}

/** Copies the members that have a value; strings are kept as given except names, which are trimmed. */
function compact<T extends object>(source: object, keys: readonly (keyof T & string)[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out as Partial<T>;
}

function requiredName(value: string | null | undefined, path: string): string {
  const name = value?.trim();
  if (!name) throw invalid(`${path}.name`, 'is required');
  return name;
}

function date(value: string | null | undefined, path: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw invalid(path, 'must be an ISO-8601 date');
  return isoUtc(parsed);
}

function rejectDuplicates<T>(items: T[], keyOf: (item: T) => string | undefined, path: string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    if (seen.has(key)) throw invalid(path, `has two entries with ${what} "${key}"; each must be unique`);
    seen.add(key);
  }
}

export function normalizeProduct(product: LicenseProductDto | null | undefined): LicenseProductPart | null {
  if (!product) return null;
  const part = compact<LicenseProductPart>(product, ['id', 'name', 'version', 'copyright', 'url', 'description']);
  if (part.id !== undefined) part.id = part.id.trim();
  return Object.keys(part).length > 0 ? part : null;
}

/** Normalises every part given in `input` under `path` (e.g. `license`); absent parts are empty. */
export function normalizeParts(input: LicensePartsInput, path: string): LicenseParts {
  const components = (input.components ?? []).map((component, index) => {
    const text = component?.trim();
    if (!text) throw invalid(`${path}.components[${index}]`, 'must be a non-empty string');
    return text;
  });
  const assemblies = (input.assemblies ?? []).map((assembly, index) => ({
    ...compact<AssemblyPart>(assembly, [
      'id',
      'version',
      'culture',
      'publicKeyToken',
      'mappingFileId',
      'debugSymbolsKey',
    ]),
    name: requiredName(assembly.name, `${path}.assemblies[${index}]`),
  }));
  const fields = (input.fields ?? []).map((field, index) => ({
    name: requiredName(field.name, `${path}.fields[${index}]`),
    value: field.value ?? '',
  }));
  const features = (input.features ?? []).map((feature, index) => {
    const part: FeaturePart = {
      ...compact<FeaturePart>(feature, ['id', 'description', 'key', 'data']),
      name: requiredName(feature.name, `${path}.features[${index}]`),
    };
    const expireDate = date(feature.expireDate, `${path}.features[${index}].expireDate`);
    if (expireDate) part.expireDate = expireDate;
    return part;
  });
  const restrictions = (input.restrictions ?? []).map((restriction, index) => {
    const at = `${path}.restrictions[${index}]`;
    const part: RestrictionPart = {
      ...compact<RestrictionPart>(restriction, ['id', 'customXmlContent']),
      name: requiredName(restriction.name, at),
    };
    const expireDate = date(restriction.expireDate, `${at}.expireDate`);
    if (expireDate) part.expireDate = expireDate;
    if (restriction.properties) part.properties = normalizeProperties(restriction.properties, `${at}.properties`);
    return part;
  });
  rejectDuplicates(components, (component) => component, `${path}.components`, 'the value');
  rejectDuplicates(assemblies, (assembly) => assembly.name, `${path}.assemblies`, 'the name');
  rejectDuplicates(fields, (field) => field.name, `${path}.fields`, 'the name');
  rejectDuplicates(features, (feature) => feature.id, `${path}.features`, 'the id');
  rejectDuplicates(features, (feature) => feature.name, `${path}.features`, 'the name');
  rejectDuplicates(restrictions, (restriction) => restriction.name, `${path}.restrictions`, 'the name');
  return { product: normalizeProduct(input.product), components, assemblies, fields, features, restrictions };
}

function normalizeProperties(properties: Record<string, unknown>, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (typeof value !== 'string') throw invalid(`${path}.${name}`, 'must be a string');
    out[name] = value;
  }
  return out;
}

/**
 * Replaces or adds entries of `base` with those of `override` that `sameEntry` pairs up: the
 * override's members win, the base's other members stay, base order is kept and new entries follow.
 */
function mergeList<T extends object>(
  base: T[],
  override: T[],
  sameEntry: (a: T, b: T) => boolean,
  combine: (a: T, b: T) => T = (a, b) => ({ ...a, ...b }),
): T[] {
  const merged = [...base];
  for (const entry of override) {
    const index = merged.findIndex((existing) => sameEntry(existing, entry));
    if (index === -1) merged.push(entry);
    else merged[index] = combine(merged[index], entry);
  }
  return merged;
}

/**
 * A license's parts from its template's and its own: the product member by member, components as a
 * union, assemblies and fields by name, features by id (or by name when either has no id),
 * restrictions by name with their properties merged. The request's values win.
 */
export function mergeParts(template: LicenseParts, own: LicenseParts): LicenseParts {
  const product = template.product || own.product ? { ...(template.product ?? {}), ...(own.product ?? {}) } : null;
  return {
    product,
    components: [
      ...template.components,
      ...own.components.filter((component) => !template.components.includes(component)),
    ],
    assemblies: mergeList(template.assemblies, own.assemblies, (a, b) => a.name === b.name),
    fields: mergeList(template.fields, own.fields, (a, b) => a.name === b.name),
    features: mergeList(template.features, own.features, (a, b) =>
      a.id !== undefined && b.id !== undefined ? a.id === b.id : a.name === b.name,
    ),
    restrictions: mergeList(
      template.restrictions,
      own.restrictions,
      (a, b) => a.name === b.name,
      (a, b) => {
        const merged: RestrictionPart = { ...a, ...b };
        if (a.properties || b.properties) merged.properties = { ...(a.properties ?? {}), ...(b.properties ?? {}) };
        return merged;
      },
    ),
  };
}

/** A product row as the product member of a license: the row's data under the license's names. */
export function productPartOf(product: {
  id: number;
  name: string;
  copyright: string | null;
  url: string | null;
  description: string | null;
}): LicenseProductPart {
  const part: LicenseProductPart = { id: String(product.id), name: product.name };
  if (product.copyright) part.copyright = product.copyright;
  if (product.url) part.url = product.url;
  if (product.description) part.description = product.description;
  return part;
}

/** The members of an assembly that go into a license (ids and debugging data stay on the server). */
export function assemblyForDocument(assembly: AssemblyPart): {
  name: string;
  version?: string;
  culture?: string;
  publicKeyToken?: string;
} {
  return compact<AssemblyPart>(assembly, ['name', 'version', 'culture', 'publicKeyToken']) as { name: string };
}

/** Stored parts back to the DTO shapes (every member present, null where absent). */
export function productToDto(product: LicenseProductPart | null): LicenseProductDto | null {
  if (!product) return null;
  return {
    id: product.id ?? null,
    name: product.name ?? null,
    version: product.version ?? null,
    copyright: product.copyright ?? null,
    url: product.url ?? null,
    description: product.description ?? null,
  };
}

export function assembliesToDto(assemblies: AssemblyPart[]): LicenseAssemblyDto[] {
  return assemblies.map((a) => ({
    id: a.id ?? null,
    name: a.name,
    version: a.version ?? null,
    culture: a.culture ?? null,
    publicKeyToken: a.publicKeyToken ?? null,
    mappingFileId: a.mappingFileId ?? null,
    debugSymbolsKey: a.debugSymbolsKey ?? null,
  }));
}

export function featuresToDto(features: FeaturePart[]): LicenseFeatureDto[] {
  return features.map((f) => ({
    id: f.id ?? null,
    name: f.name,
    description: f.description ?? null,
    expireDate: f.expireDate ?? null,
    key: f.key ?? null,
    data: f.data ?? null,
  }));
}

export function restrictionsToDto(restrictions: RestrictionPart[]): LicenseRestrictionDto[] {
  return restrictions.map((r) => ({
    id: r.id ?? null,
    name: r.name,
    expireDate: r.expireDate ?? null,
    properties: r.properties ?? null,
    customXmlContent: r.customXmlContent ?? null,
  }));
}
