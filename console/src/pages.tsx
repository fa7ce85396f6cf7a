// The list, create and edit pages of every record kind but licenses, from one description per kind.
import { useMediaQuery, type Theme } from '@mui/material';
import { useState, type ComponentType } from 'react';
import {
  BooleanField,
  BooleanInput,
  Create,
  Datagrid,
  DateField,
  DateTimeInput,
  DeleteButton,
  Edit,
  EditButton,
  List,
  NumberField,
  NumberInput,
  PasswordInput,
  ReferenceField,
  ReferenceInput,
  AutocompleteInput,
  SearchInput,
  SelectArrayInput,
  SelectField,
  SelectInput,
  SimpleForm,
  SimpleList,
  TextField,
  TextInput,
  usePermissions,
  type RaRecord,
} from 'react-admin';
import { can, type Area } from './access';
import { ShownOnce } from './ShownOnce';
import { WebhookDeliveries } from './WebhookDeliveries';

type Kind = 'text' | 'long' | 'number' | 'bool' | 'date' | 'enum' | 'ref' | 'roles' | 'events' | 'password';
interface FieldSpec {
  source: string;
  label: string;
  kind?: Kind;
  choices?: { id: string | number; name: string }[];
  reference?: string;
  /** Shown as a column of the list. */
  list?: boolean;
  /** Editable in the create and edit forms. */
  form?: boolean | 'create';
  /** A filter of the list beside the search box. */
  filter?: boolean;
  required?: boolean;
  /** What a create form starts with. */
  defaultValue?: unknown;
}

export interface PageDef {
  name: string;
  label: string;
  area: Area;
  fields: FieldSpec[];
  representation?: string;
  list: ComponentType;
  create?: ComponentType;
  edit?: ComponentType;
  /** The member of the insert answer shown once (an API key, a webhook secret), and what to call it. */
  secret?: { member: string; label: string };
  /** Shown under the edit form (a webhook's deliveries). */
  below?: ComponentType;
}

const MODES = [
  { id: 0, name: 'File' },
  { id: 1, name: 'Activation' },
  { id: 2, name: 'Floating' },
];
const LEVELS = ['Verbose', 'Debug', 'Information', 'Warning', 'Error', 'Fatal'].map((level) => ({
  id: level,
  name: level,
}));
const ROLES = ['Administrator', 'LicenseManager', 'Sales', 'Customer', 'Application'].map((role) => ({
  id: role,
  name: role,
}));
const RESOURCE_TYPES = ['email', 'html', 'txt', 'json', 'xml', 'pem', 'binary', 'RSA', 'ECDSA', 'Ed25519'].map(
  (type) => ({ id: type, name: type }),
);
const TRACE_ACTIONS = ['', 'Activate', 'Deactivate', 'Validate', 'FloatingRequest', 'FloatingRelease', 'Heartbeat']
  .map((name, id) => ({ id, name }))
  .slice(1);

function column(spec: FieldSpec) {
  const common = { source: spec.source, label: spec.label };
  const key = spec.source;
  switch (spec.kind) {
    case 'number':
      return <NumberField key={key} {...common} />;
    case 'bool':
      return <BooleanField key={key} {...common} />;
    case 'date':
      return <DateField key={key} {...common} showTime />;
    case 'enum':
      return <SelectField key={key} {...common} choices={spec.choices} />;
    case 'ref':
      return (
        <ReferenceField key={key} {...common} reference={spec.reference!} link={false}>
          <TextField source={spec.reference === 'customers' ? 'company' : 'name'} />
        </ReferenceField>
      );
    default:
      return <TextField key={key} {...common} />;
  }
}

function input(spec: FieldSpec, forFilter = false) {
  const common = {
    source: spec.source,
    label: spec.label,
    ...(spec.required && !forFilter ? { required: true } : {}),
    ...(spec.defaultValue !== undefined && !forFilter ? { defaultValue: spec.defaultValue } : {}),
  };
  const key = spec.source;
  switch (spec.kind) {
    case 'number':
      return <NumberInput key={key} {...common} />;
    case 'bool':
      return <BooleanInput key={key} {...common} />;
    case 'date':
      return <DateTimeInput key={key} {...common} />;
    case 'enum':
      return <SelectInput key={key} {...common} choices={spec.choices} />;
    case 'ref':
      return (
        <ReferenceInput key={key} {...common} reference={spec.reference!}>
          <AutocompleteInput
            label={spec.label}
            optionText={spec.reference === 'customers' ? 'company' : 'name'}
            filterToQuery={(q: string) => ({ q })}
          />
        </ReferenceInput>
      );
    case 'roles':
      return <SelectArrayInput key={key} {...common} choices={ROLES} />;
    case 'events':
      return <SelectArrayInput key={key} {...common} choices={WEBHOOK_EVENTS} />;
    case 'password':
      return <PasswordInput key={key} {...common} />;
    case 'long':
      return <TextInput key={key} {...common} multiline minRows={3} />;
    default:
      return <TextInput key={key} {...common} />;
  }
}

type Description = Omit<PageDef, 'list' | 'create' | 'edit'>;

function makeList(def: Description) {
  const columns = def.fields.filter((spec) => spec.list);
  const filters = [
    <SearchInput key="q" source="q" alwaysOn placeholder="Search" />,
    ...def.fields.filter((spec) => spec.filter).map((spec) => input(spec, true)),
  ];
  function PageList() {
    const small = useMediaQuery((theme: Theme) => theme.breakpoints.down('md'));
    const { permissions } = usePermissions<string[]>();
    const editable = can(permissions, def.area, 'update') && def.fields.some((spec) => spec.form);
    const deletable = can(permissions, def.area, 'delete');
    const [first, second] = columns;
    return (
      <List filters={filters} perPage={25} title={def.label}>
        {small ? (
          <SimpleList
            primaryText={(record: RaRecord) => String(record[first.source] ?? '')}
            secondaryText={second ? (record: RaRecord) => String(record[second.source] ?? '') : undefined}
            linkType={editable ? 'edit' : false}
          />
        ) : (
          <Datagrid rowClick={editable ? 'edit' : false} bulkActionButtons={false}>
            {columns.map(column)}
            {editable ? <EditButton /> : null}
            {deletable ? <DeleteButton mutationMode="pessimistic" /> : null}
          </Datagrid>
        )}
      </List>
    );
  }
  return PageList;
}

function makeForms(def: Description) {
  const createFields = def.fields.filter((spec) => spec.form);
  const editFields = def.fields.filter((spec) => spec.form === true);
  if (createFields.length === 0) return {};
  const secret = def.secret;
  function PageCreate() {
    const [shown, setShown] = useState<string>();
    return (
      <>
        <Create
          redirect={secret ? false : 'list'}
          title={`New ${def.label}`}
          mutationOptions={
            secret ? { onSuccess: (record: RaRecord) => setShown(String(record[secret.member])) } : undefined
          }
        >
          <SimpleForm>{createFields.map((spec) => input(spec))}</SimpleForm>
        </Create>
        {secret ? <ShownOnce value={shown} label={secret.label} /> : null}
      </>
    );
  }
  const Below = def.below;
  function PageEdit() {
    return (
      <Edit mutationMode="pessimistic" title={def.label}>
        <SimpleForm>{editFields.map((spec) => input(spec))}</SimpleForm>
        {Below ? <Below /> : null}
      </Edit>
    );
  }
  return { create: PageCreate, edit: editFields.length > 0 ? PageEdit : undefined };
}

const text = (source: string, label: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  source,
  label,
  list: true,
  form: true,
  ...extra,
});

const WEBHOOK_EVENTS = [
  '*',
  'license.created',
  'license.updated',
  'license.revoked',
  'license.deleted',
  'license.activated',
  'license.deactivated',
  'license.expiring',
  'seat.granted',
  'seat.released',
  'seat.exhausted',
  'seat.expired',
  'customer.created',
  'order.created',
].map((event) => ({ id: event, name: event === '*' ? 'every event' : event }));

const DEFS: Description[] = [
  {
    name: 'customers',
    label: 'Customers',
    area: 'commerce',
    representation: 'company',
    fields: [
      text('company', 'Company'),
      text('firstName', 'First name'),
      text('lastName', 'Last name'),
      text('email', 'Email'),
      text('code', 'Code'),
      text('country', 'Country', { list: false }),
      text('isReseller', 'Reseller', { kind: 'bool', filter: true }),
      { source: 'createdAt', label: 'Created', kind: 'date', list: true },
    ],
  },
  {
    name: 'contacts',
    label: 'Contacts',
    area: 'commerce',
    representation: 'email',
    fields: [
      text('firstName', 'First name'),
      text('lastName', 'Last name'),
      text('email', 'Email'),
      text('customerId', 'Customer', { kind: 'ref', reference: 'customers', filter: true, required: true }),
      text('notify', 'Receives license emails', { kind: 'bool' }),
    ],
  },
  {
    name: 'orders',
    label: 'Orders',
    area: 'commerce',
    representation: 'orderNumber',
    fields: [
      text('orderNumber', 'Order number'),
      text('customerId', 'Customer', { kind: 'ref', reference: 'customers', filter: true, required: true }),
      text('purchaseOrder', 'Purchase order'),
      text('status', 'Status'),
      { source: 'total', label: 'Total', kind: 'number', list: true },
      { source: 'createdAt', label: 'Created', kind: 'date', list: true },
    ],
  },
  {
    name: 'products',
    label: 'Products',
    area: 'products',
    representation: 'name',
    fields: [
      text('name', 'Name', { required: true }),
      text('code', 'Code'),
      text('price', 'Price', { kind: 'number' }),
      text('signatureKeysId', 'Signature key', { kind: 'ref', reference: 'resources', list: false }),
      text('description', 'Description', { kind: 'long', list: false }),
    ],
  },
  {
    name: 'releases',
    label: 'Releases',
    area: 'licensing',
    representation: 'name',
    fields: [
      text('productId', 'Product', { kind: 'ref', reference: 'products', filter: true, required: true }),
      text('name', 'Name'),
      text('version', 'Version'),
      { source: 'releaseDate', label: 'Released', kind: 'date', list: true, form: true },
    ],
  },
  {
    name: 'license-templates',
    label: 'Templates',
    area: 'licensing',
    representation: 'name',
    fields: [
      text('name', 'Name', { required: true }),
      text('productId', 'Product', { kind: 'ref', reference: 'products', filter: true }),
      text('licensingMode', 'Licensing mode', { kind: 'enum', choices: MODES, filter: true }),
      text('expireDays', 'Days valid', { kind: 'number' }),
      text('supportDays', 'Support days', { kind: 'number', list: false }),
      text('licenseType', 'License type', { list: false }),
      text('signatureKeysId', 'Signature key', { kind: 'ref', reference: 'resources', list: false }),
    ],
  },
  {
    name: 'license-tokens',
    label: 'Tokens',
    area: 'licensing',
    representation: 'token',
    fields: [
      { source: 'token', label: 'Token', list: true },
      { source: 'licenseId', label: 'License', kind: 'ref', reference: 'licenses', list: true, filter: true },
      { source: 'machineId', label: 'Machine', list: true },
      { source: 'clientName', label: 'Client name', list: true },
      { source: 'issueDate', label: 'Issued', kind: 'date', list: true },
      { source: 'expireDate', label: 'Expires', kind: 'date', list: true },
    ],
  },
  {
    name: 'license-traces',
    label: 'Traces',
    area: 'licensing',
    fields: [
      { source: 'createdDate', label: 'When', kind: 'date', list: true },
      { source: 'action', label: 'Action', kind: 'enum', choices: TRACE_ACTIONS, list: true, filter: true },
      { source: 'licenseId', label: 'License', kind: 'ref', reference: 'licenses', list: true },
      { source: 'machineId', label: 'Machine', list: true },
      { source: 'clientIp', label: 'Address', list: true },
    ],
  },
  {
    name: 'reports',
    label: 'Reports',
    area: 'operations',
    fields: [
      { source: 'date', label: 'Date', kind: 'date', list: true },
      { source: 'name', label: 'Name', list: true },
      { source: 'version', label: 'Version', list: true },
      { source: 'clientName', label: 'Client', list: true },
      { source: 'machineId', label: 'Machine', list: true },
    ],
  },
  {
    name: 'resources',
    label: 'Resources',
    area: 'operations',
    representation: 'name',
    fields: [
      text('name', 'Name', { required: true }),
      text('type', 'Type', { kind: 'enum', choices: RESOURCE_TYPES, filter: true }),
      text('code', 'Code'),
      text('dataFormat', 'Data format', { list: false }),
      text('data', 'Data', { kind: 'long', list: false }),
      text('meta', 'Meta (JSON)', { kind: 'long', list: false }),
      { source: 'keyId', label: 'Key id', list: true },
    ],
  },
  {
    name: 'users',
    label: 'Users',
    area: 'administration',
    representation: 'userName',
    fields: [
      text('userName', 'User name', { required: true }),
      text('email', 'Email'),
      text('roles', 'Roles', { kind: 'roles' }),
      text('customerId', 'Customer', { kind: 'ref', reference: 'customers' }),
      { source: 'password', label: 'Password', kind: 'password', form: 'create', required: true },
      { source: 'newPassword', label: 'New password', kind: 'password', form: true },
      { source: 'lastLogIn', label: 'Last sign-in', kind: 'date', list: true },
    ],
  },
  {
    name: 'api-keys',
    label: 'API keys',
    area: 'administration',
    representation: 'name',
    secret: { member: 'apiKey', label: 'API key' },
    fields: [
      text('name', 'Name', { required: true }),
      text('description', 'Description'),
      text('permissions', 'Permissions (Read 1, Write 2, Delete 4, Create 8)', { kind: 'number' }),
      text('expireDate', 'Expires', { kind: 'date' }),
      text('revoked', 'Revoked', { kind: 'bool', filter: true }),
    ],
  },
  {
    name: 'webhooks',
    label: 'Webhooks',
    area: 'webhooks',
    representation: 'url',
    secret: { member: 'secret', label: 'signing secret' },
    below: WebhookDeliveries,
    fields: [
      text('url', 'Receiver URL', { required: true }),
      text('events', 'Events', { kind: 'events', list: false, required: true }),
      text('description', 'Description'),
      text('enabled', 'Enabled', { kind: 'bool', filter: true, defaultValue: true }),
      { source: 'consecutiveFailures', label: 'Failures in a row', kind: 'number', list: true },
    ],
  },
  {
    name: 'audit-events',
    label: 'Audit events',
    area: 'audit',
    fields: [
      { source: 'createdAt', label: 'When', kind: 'date', list: true, filter: false },
      { source: 'action', label: 'Action', list: true, filter: true },
      { source: 'entityType', label: 'Record', list: true, filter: true },
      { source: 'entityId', label: 'Id', list: true },
      { source: 'actorName', label: 'By', list: true },
      { source: 'createdAt_gte', label: 'From', kind: 'date', filter: true },
    ],
  },
  {
    name: 'log',
    label: 'Log',
    area: 'operations',
    fields: [
      { source: 'timeStamp', label: 'Time', kind: 'date', list: true },
      { source: 'level', label: 'Level', kind: 'enum', choices: LEVELS, list: true, filter: true },
      { source: 'message', label: 'Message', list: true },
      { source: 'timeStamp_gte', label: 'From', kind: 'date', filter: true },
      { source: 'timeStamp_lte', label: 'To', kind: 'date', filter: true },
    ],
  },
];

export const PAGES: PageDef[] = DEFS.map((def) => ({ ...def, list: makeList(def), ...makeForms(def) }));
