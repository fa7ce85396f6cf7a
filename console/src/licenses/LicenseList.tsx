import { useMediaQuery, type Theme } from '@mui/material';
import {
  BooleanField,
  BooleanInput,
  CreateButton,
  Datagrid,
  DateField,
  DateInput,
  ExportButton,
  List,
  NumberField,
  SearchInput,
  SelectField,
  SelectInput,
  SimpleList,
  TextField,
  TopToolbar,
  usePermissions,
  type RaRecord,
} from 'react-admin';
import { can } from '../access';

export const MODES = [
  { id: 0, name: 'File' },
  { id: 1, name: 'Activation' },
  { id: 2, name: 'Floating' },
];

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search licenses" />,
  <SelectInput key="mode" source="licensingMode" label="Licensing mode" choices={MODES} />,
  <BooleanInput key="revoked" source="revoked" label="Revoked" />,
  <DateInput key="from" source="expireDate_gte" label="Expires from" />,
  <DateInput key="to" source="expireDate_lte" label="Expires until" />,
];

function Actions() {
  const { permissions } = usePermissions<string[]>();
  return (
    <TopToolbar>
      {can(permissions, 'licenses', 'create') ? <CreateButton label="Issue a license" /> : null}
      <ExportButton />
    </TopToolbar>
  );
}

export function LicenseList() {
  const small = useMediaQuery((theme: Theme) => theme.breakpoints.down('md'));
  return (
    <List filters={filters} actions={<Actions />} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25}>
      {small ? (
        <SimpleList
          primaryText={(record: RaRecord) => String(record.licenseId)}
          secondaryText={(record: RaRecord) => String(record.licenseeName ?? record.product?.name ?? '')}
          tertiaryText={(record: RaRecord) => MODES[Number(record.licensingMode)]?.name}
          linkType="show"
        />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="licenseId" label="License" />
          <TextField source="licenseeName" label="Licensee" />
          <TextField source="product.name" label="Product" sortable={false} />
          <SelectField source="licensingMode" label="Mode" choices={MODES} />
          <NumberField source="maxAllowedSites" label="Seats" />
          <DateField source="expireDate" label="Expires" />
          <BooleanField source="revoked" label="Revoked" />
          <DateField source="createdAt" label="Created" />
        </Datagrid>
      )}
    </List>
  );
}
