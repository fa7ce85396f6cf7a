import { renderHtml, renderText } from './email-template';

describe('email templates', () => {
  const variables = { LicenseeName: 'Ada <Lovelace> & "Co"', ProductName: 'Suite', ExpireDate: null };

  it('fills variables in any case and HTML-escapes them in the body', () => {
    expect(renderHtml('<p>{LicenseeName} / {productname} / {EXPIREDATE}</p>', variables)).toBe(
      '<p>Ada &lt;Lovelace&gt; &amp; &quot;Co&quot; / Suite / </p>',
    );
  });

  it('leaves unknown placeholders and non-placeholders exactly as written', () => {
    expect(renderHtml('{Unknown} {1abc} { ProductName } {ProductName}', variables)).toBe(
      '{Unknown} {1abc} { ProductName } Suite',
    );
  });

  it('keeps the subject as plain text on one line', () => {
    expect(renderText('License for {LicenseeName}', { LicenseeName: 'A & B\r\nBcc: x@example.com' })).toBe(
      'License for A & B Bcc: x@example.com',
    );
  });
});
