import { LicenseFormat, LicensingMode } from '../signing';
import { AssemblyPart, FeaturePart, LicenseParts, RestrictionPart, assemblyForDocument } from './license-parts';

/** The template settings that shape the licenses made from it. */
export interface TemplateSettings {
  name: string;
  code: string | null;
  licenseType: string | null;
  format: LicenseFormat;
  licensingMode: LicensingMode;
  licenseFileName: string | null;
  issueDate: boolean;
  expireDays: number | null;
  supportDays: number | null;
  generateKeyInfo: boolean;
  /** Key format of the user key; null means the Licensing.UserKeyFormat setting. */
  userKey: string | null;
}

const FORMAT_NAMES: Record<LicenseFormat, string> = {
  [LicenseFormat.Xml]: 'Xml',
  [LicenseFormat.XmlDsig]: 'XmlDsig',
  [LicenseFormat.Ascii]: 'Ascii',
  [LicenseFormat.Base32]: 'Base32',
};
const MODE_NAMES: Record<LicensingMode, string> = {
  [LicensingMode.File]: 'File',
  [LicensingMode.Activation]: 'Activation',
  [LicensingMode.Floating]: 'Floating',
};

function text(value: string): string {
  return value.replace(/[&<>]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[character]!);
}

function attribute(value: string): string {
  return value.replace(
    /[&<>"\t\n\r]/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[
        character
      ]!,
  );
}

function attributes(values: Record<string, string | number | boolean | null | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => ` ${name}="${attribute(String(value))}"`)
    .join('');
}

class XmlWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  element(
    name: string,
    value: string | number | undefined | null,
    attrs: Record<string, string | number | boolean | null | undefined> = {},
  ): void {
    if (value === undefined || value === null) return;
    this.lines.push(`${'  '.repeat(this.depth)}<${name}${attributes(attrs)}>${text(String(value))}</${name}>`);
  }

  open(name: string, attrs: Record<string, string | number | boolean | null | undefined> = {}): void {
    this.lines.push(`${'  '.repeat(this.depth)}<${name}${attributes(attrs)}>`);
    this.depth++;
  }

  close(name: string): void {
    this.depth--;
    this.lines.push(`${'  '.repeat(this.depth)}</${name}>`);
  }

  list<T>(name: string, items: T[], write: (item: T) => void): void {
    if (items.length === 0) return;
    this.open(name);
    items.forEach(write);
    this.close(name);
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

function writeFeature(xml: XmlWriter, feature: FeaturePart): void {
  xml.open('Feature');
  xml.element('Id', feature.id);
  xml.element('Name', feature.name);
  xml.element('Description', feature.description);
  xml.element('ExpireDate', feature.expireDate);
  xml.element('Key', feature.key);
  xml.element('Data', feature.data);
  xml.close('Feature');
}

function writeRestriction(xml: XmlWriter, restriction: RestrictionPart): void {
  xml.open('Restriction');
  xml.element('Id', restriction.id);
  xml.element('Name', restriction.name);
  xml.element('ExpireDate', restriction.expireDate);
  const properties = Object.entries(restriction.properties ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  xml.list('Properties', properties, ([name, value]) => xml.element('Property', value, { Name: name }));
  xml.element('CustomXmlContent', restriction.customXmlContent);
  xml.close('Restriction');
}

function writeAssembly(xml: XmlWriter, assembly: AssemblyPart): void {
  const member = assemblyForDocument(assembly);
  xml.open('Assembly');
  xml.element('Name', member.name);
  xml.element('Version', member.version);
  xml.element('Culture', member.culture);
  xml.element('PublicKeyToken', member.publicKeyToken);
  xml.close('Assembly');
}

/**
 * The `template` string of a license template: its settings on the root element and, inside, the
 * skeleton of the licenses it produces in the members and order of the signed XML format, with
 * `{…}` marking what each license fills in (its id, user key format, dates, licensee).
 */
export function renderTemplateXml(settings: TemplateSettings, parts: LicenseParts): string {
  const xml = new XmlWriter();
  xml.open('LicenseTemplate', {
    Name: settings.name,
    Code: settings.code,
    Format: FORMAT_NAMES[settings.format],
    LicensingMode: MODE_NAMES[settings.licensingMode],
    LicenseFileName: settings.licenseFileName,
    GenerateKeyInfo: settings.generateKeyInfo,
  });
  xml.open('License');
  xml.element('LicenseId', '{LicenseId}');
  xml.element('UserKey', settings.userKey ?? '{UserKey}');
  xml.element('LicenseType', settings.licenseType);
  xml.element('LicensingMode', settings.licensingMode);
  if (settings.issueDate) xml.element('IssueDate', '{IssueDate}');
  if (settings.expireDays) xml.element('ExpireDate', `{IssueDate+${settings.expireDays}d}`);
  if (settings.supportDays) xml.element('SupportExpireDate', `{IssueDate+${settings.supportDays}d}`);
  if (settings.licensingMode !== LicensingMode.File) xml.element('MaxAllowedSites', '{MaxAllowedSites}');
  xml.open('Licensee');
  xml.element('Name', '{LicenseeName}');
  xml.element('Company', '{LicenseeCompany}');
  xml.element('Email', '{LicenseeEmail}');
  xml.close('Licensee');
  if (parts.product) {
    xml.open('Product');
    xml.element('Id', parts.product.id);
    xml.element('Name', parts.product.name);
    xml.element('Version', parts.product.version);
    xml.element('Copyright', parts.product.copyright);
    xml.element('Url', parts.product.url);
    xml.element('Description', parts.product.description);
    xml.close('Product');
  }
  xml.list('Components', parts.components, (component) => xml.element('Component', component));
  xml.list('Assemblies', parts.assemblies, (assembly) => writeAssembly(xml, assembly));
  xml.list('Fields', parts.fields, (field) => {
    xml.open('Field');
    xml.element('Name', field.name);
    xml.element('Value', field.value);
    xml.close('Field');
  });
  xml.list('Features', parts.features, (feature) => writeFeature(xml, feature));
  xml.list('Restrictions', parts.restrictions, (restriction) => writeRestriction(xml, restriction));
  if (settings.generateKeyInfo) xml.element('PublicKey', '{PublicKey}');
  xml.close('License');
  xml.close('LicenseTemplate');
  return `<?xml version="1.0" encoding="utf-8"?>\n${xml.toString()}`;
}
