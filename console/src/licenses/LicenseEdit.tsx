// The members of a license a vendor changes after issuing it; the server signs the license again on save.
import { DateTimeInput, Edit, NumberInput, SimpleForm, TextInput } from 'react-admin';

export function LicenseEdit() {
  return (
    <Edit mutationMode="pessimistic" title="Edit license" redirect="show">
      <SimpleForm>
        <TextInput source="licenseeName" label="Licensee name" />
        <TextInput source="licenseeCompany" label="Licensee company" />
        <TextInput source="licenseeEmail" label="Licensee email" type="email" />
        <DateTimeInput source="expireDate" label="Expires" />
        <DateTimeInput source="supportExpireDate" label="Support expires" />
        <NumberInput source="maxAllowedSites" label="Seats (max allowed sites)" min={1} />
        <TextInput source="description" label="Description" multiline />
      </SimpleForm>
    </Edit>
  );
}
