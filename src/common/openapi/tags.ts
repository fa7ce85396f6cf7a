/**
 * The document's tags in the order a vendor works through them: sign in, describe what is sold, the
 * templates and keys licenses are made from, who buys, the orders, the licenses and their tokens, the
 * API shipped applications call, then running the service. Every tag an operation uses must be here.
 */
export const OPENAPI_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'Auth', description: 'Log in with a user name and password for a JWT (Bearer) to call the Management API.' },
  {
    name: 'ApiKeys',
    description: 'API keys for machines: `x-api-key` with permission bits (1 Read, 2 Write, 4 Delete, 8 Create).',
  },
  { name: 'Users', description: 'Accounts, their roles and their settings.' },
  { name: 'Roles', description: 'The seeded roles: Administrator, LicenseManager, Sales, Customer, Application.' },
  { name: 'Products', description: 'Products and their releases, the things licenses are issued for.' },
  { name: 'Assemblies', description: 'Assemblies (files) that make up product releases.' },
  {
    name: 'Resources',
    description: 'Signature keys that sign licenses, email templates and other stored files.',
  },
  {
    name: 'LicenseTemplates',
    description: 'Templates new licenses are made from: product, release, signature key, limits and features.',
  },
  { name: 'Customers', description: 'The companies and people licenses are issued to.' },
  { name: 'Contacts', description: 'Contact persons of customers, who receive license emails.' },
  { name: 'Orders', description: 'Orders of customers and their order lines (products and quantities).' },
  {
    name: 'Licenses',
    description: 'Issue, sign, update, revoke and delete licenses; list them by customer, order or template.',
  },
  {
    name: 'LicenseTokens',
    description: 'Activation and floating seat tokens of licenses, as the client Licensing API hands them out.',
  },
  { name: 'LicenseTraces', description: 'What happened to each license: activations, validations, seats, failures.' },
  {
    name: 'Licensing',
    description:
      'The client Licensing API for shipped applications: public (the user key is the credential) and rate limited per client address and per user key.',
  },
  {
    name: 'Portal',
    description:
      "The customer portal: a user with the Customer role sees its customer's licenses, their machines and seats, and frees a machine (Licensing.PortalDeactivationsPer30Days).",
  },
  { name: 'Email', description: 'Send licenses and other messages through the configured SMTP server.' },
  { name: 'Reports', description: 'Reports (exceptions, license usage) that applications submitted.' },
  { name: 'Settings', description: 'Application settings: changed at run time, in force without a restart.' },
  { name: 'Log', description: 'The database log of the service: requests, failures and what operators need.' },
  {
    name: 'AuditEvents',
    description:
      'The audit trail: every change, who made it (user, API key, client, system), from where, and what changed.',
  },
  {
    name: 'Webhooks',
    description:
      'Signed HTTP callbacks for every change and licensing event (license.created, seat.exhausted, …), with retries and a delivery record.',
  },
  { name: 'Info', description: 'Version and state of the running server.' },
  {
    name: 'Health',
    description:
      'Probes for orchestrators (public, outside the /v1 envelope): the process is up, the database answers.',
  },
  {
    name: 'Metrics',
    description:
      'Prometheus metrics in the text exposition format (outside the /v1 envelope); a bearer METRICS_TOKEN when the server sets one.',
  },
];
