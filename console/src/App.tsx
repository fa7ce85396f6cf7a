import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { can, isPortalUser } from './access';
import { authProvider } from './authProvider';
import { Dashboard } from './Dashboard';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import { IssueLicense } from './licenses/IssueLicense';
import { LicenseEdit } from './licenses/LicenseEdit';
import { LicenseList } from './licenses/LicenseList';
import { LicenseShow } from './licenses/LicenseShow';
import { ConsoleLayout } from './Layout';
import { Portal } from './portal/Portal';
import { PAGES } from './pages';

export function App() {
  // Real paths below /console (not #/…), so that a deep link or a reload opens the page it names; the service
  // answers index.html for every path under /console.
  return (
    <BrowserRouter basename="/console">
      <Admin
        title="Open Licensing Server"
        dashboard={Dashboard}
        authProvider={authProvider}
        dataProvider={dataProvider}
        i18nProvider={i18nProvider}
        layout={ConsoleLayout}
        requireAuth
        disableTelemetry
      >
        {(roles: string[]) => {
          if (isPortalUser(roles))
            return (
              <CustomRoutes>
                <Route path="/portal" element={<Portal />} />
              </CustomRoutes>
            );
          return [
            can(roles, 'licenses') ? (
              <Resource
                key="licenses"
                name="licenses"
                options={{ label: 'Licenses' }}
                list={LicenseList}
                show={LicenseShow}
                create={can(roles, 'licenses', 'create') ? IssueLicense : undefined}
                edit={can(roles, 'licenses', 'update') ? LicenseEdit : undefined}
                recordRepresentation="licenseId"
              />
            ) : null,
            ...PAGES.filter((page) => can(roles, page.area)).map((page) => (
              <Resource
                key={page.name}
                name={page.name}
                options={{ label: page.label }}
                list={page.list}
                create={page.create && can(roles, page.area, 'create') ? page.create : undefined}
                edit={page.edit && can(roles, page.area, 'update') ? page.edit : undefined}
                recordRepresentation={page.representation}
              />
            )),
          ];
        }}
      </Admin>
    </BrowserRouter>
  );
}
