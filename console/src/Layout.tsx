import DashboardIcon from '@mui/icons-material/Dashboard';
import ListIcon from '@mui/icons-material/List';
import NoteAdd from '@mui/icons-material/NoteAdd';
import { Layout, Menu, usePermissions, useResourceDefinitions, type LayoutProps } from 'react-admin';
import { can, isPortalUser } from './access';

/** The navigation: links (role link, named after their pages) to the pages the user's roles may see. */
function ConsoleMenu() {
  const { permissions } = usePermissions<string[]>();
  const resources = useResourceDefinitions();
  if (isPortalUser(permissions))
    return (
      <Menu>
        <Menu.Item to="/" primaryText="My licenses" leftIcon={<DashboardIcon />} role="link" />
      </Menu>
    );
  return (
    <Menu>
      <Menu.Item to="/" primaryText="Dashboard" leftIcon={<DashboardIcon />} role="link" />
      {can(permissions, 'licenses', 'create') ? (
        <Menu.Item to="/licenses/create" primaryText="Issue a license" leftIcon={<NoteAdd />} role="link" />
      ) : null}
      {Object.values(resources)
        .filter((resource) => resource.hasList)
        .map((resource) => (
          <Menu.Item
            key={resource.name}
            to={`/${resource.name}`}
            primaryText={String(resource.options?.label ?? resource.name)}
            leftIcon={<ListIcon />}
            role="link"
          />
        ))}
    </Menu>
  );
}

/**
 * react-admin's layout grows to the widest content it holds (min-width: fit-content), which on a phone pushes
 * the page sideways; here it keeps to the screen, and wide tables scroll inside their cards instead.
 */
const FIT_SCREEN = {
  minWidth: 0,
  '& .RaLayout-appFrame, & .RaLayout-contentWithSidebar, & .RaLayout-content': { minWidth: 0 },
};

export function ConsoleLayout({ children }: LayoutProps) {
  return (
    <Layout menu={ConsoleMenu} sx={FIT_SCREEN}>
      {children}
    </Layout>
  );
}
