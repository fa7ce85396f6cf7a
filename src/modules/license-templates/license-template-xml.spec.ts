import { LicenseFormat, LicensingMode } from '../signing';
import { normalizeParts } from './license-parts';
import { TemplateSettings, renderTemplateXml } from './license-template-xml';

const SETTINGS: TemplateSettings = {
  name: 'Pro & Co',
  code: 'PRO',
  licenseType: 'Standard',
  format: LicenseFormat.Base32,
  licensingMode: LicensingMode.Floating,
  licenseFileName: 'app.lic',
  issueDate: true,
  expireDays: 30,
  supportDays: null,
  generateKeyInfo: false,
  userKey: null,
};

describe('renderTemplateXml', () => {
  it('writes the settings on the root and the license skeleton in the signed XML order, escaping text', () => {
    const xml = renderTemplateXml(
      SETTINGS,
      normalizeParts(
        {
          product: { name: 'Suite <2>' },
          components: ['core'],
          fields: [{ name: 'Edition', value: 'A & B' }],
          restrictions: [{ name: 'Hardware', properties: { z: '1', a: '"q"' } }],
        },
        't',
      ),
    );
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<LicenseTemplate Name="Pro &amp; Co" Code="PRO" Format="Base32" LicensingMode="Floating" LicenseFileName="app.lic" GenerateKeyInfo="false">',
        '  <License>',
        '    <LicenseId>{LicenseId}</LicenseId>',
        '    <UserKey>{UserKey}</UserKey>',
        '    <LicenseType>Standard</LicenseType>',
        '    <LicensingMode>2</LicensingMode>',
        '    <IssueDate>{IssueDate}</IssueDate>',
        '    <ExpireDate>{IssueDate+30d}</ExpireDate>',
        '    <MaxAllowedSites>{MaxAllowedSites}</MaxAllowedSites>',
        '    <Licensee>',
        '      <Name>{LicenseeName}</Name>',
        '      <Company>{LicenseeCompany}</Company>',
        '      <Email>{LicenseeEmail}</Email>',
        '    </Licensee>',
        '    <Product>',
        '      <Name>Suite &lt;2&gt;</Name>',
        '    </Product>',
        '    <Components>',
        '      <Component>core</Component>',
        '    </Components>',
        '    <Fields>',
        '      <Field>',
        '        <Name>Edition</Name>',
        '        <Value>A &amp; B</Value>',
        '      </Field>',
        '    </Fields>',
        '    <Restrictions>',
        '      <Restriction>',
        '        <Name>Hardware</Name>',
        '        <Properties>',
        '          <Property Name="a">"q"</Property>',
        '          <Property Name="z">1</Property>',
        '        </Properties>',
        '      </Restriction>',
        '    </Restrictions>',
        '  </License>',
        '</LicenseTemplate>',
      ].join('\n'),
    );
  });

  it('shows the user key format, omits what file licenses and templates without dates lack, and marks the embedded public key', () => {
    const xml = renderTemplateXml(
      {
        ...SETTINGS,
        licensingMode: LicensingMode.File,
        issueDate: false,
        expireDays: null,
        generateKeyInfo: true,
        userKey: 'K-{DEC:10}',
      },
      normalizeParts({}, 't'),
    );
    expect(xml).toContain('<UserKey>K-{DEC:10}</UserKey>');
    expect(xml).not.toMatch(/IssueDate>|ExpireDate>|MaxAllowedSites|<Product>|<Components>/);
    expect(xml).toContain('<PublicKey>{PublicKey}</PublicKey>');
  });
});
