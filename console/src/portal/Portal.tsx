import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
} from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Loading, Title } from 'react-admin';
import { api, call } from '../api';

const MODE_NAMES = ['File', 'Activation', 'Floating'];

type PortalLicense = Awaited<ReturnType<typeof loadLicenses>>['licenses'][number];
const loadLicenses = () => call(api.getPortalLicenses({ query: { sort: 'CreatedAt desc', take: 100 } }));

function Machines({ license }: { license: PortalLicense }) {
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const tokens = useQuery({
    queryKey: ['portal-tokens', license.id],
    queryFn: () => call(api.getPortalLicenseTokens({ path: { licenseId: Number(license.id) } })),
  });
  const deactivate = useMutation({
    mutationFn: (tokenId: number) =>
      call(api.deactivatePortalMachine({ path: { licenseId: Number(license.id), tokenId } })),
    onSuccess: (answer) => {
      setOutcome({
        ok: true,
        text: `Machine deactivated: ${answer.activeClientCount} of ${answer.maxClientCount ?? '–'} in use, ${answer.deactivationsLeft} deactivations left this month`,
      });
      void queryClient.invalidateQueries({ queryKey: ['portal-tokens', license.id] });
      void queryClient.invalidateQueries({ queryKey: ['portal-licenses'] });
    },
    onError: (error: Error) => setOutcome({ ok: false, text: error.message }),
  });
  const rows = tokens.data?.licenseTokens ?? [];
  return (
    <Box sx={{ overflowX: 'auto' }}>
      {rows.length === 0 ? <p>No machine uses this license now.</p> : null}
      {rows.length > 0 ? (
        <Table size="small" aria-label={`Machines of ${license.licenseId}`}>
          <TableHead>
            <TableRow>
              <TableCell>Machine</TableCell>
              <TableCell>Name</TableCell>
              <TableCell>Since</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((token) => (
              <TableRow key={token.id}>
                <TableCell sx={{ wordBreak: 'break-all' }}>{token.machineId}</TableCell>
                <TableCell>{token.clientName}</TableCell>
                <TableCell>{token.issueDate?.slice(0, 10)}</TableCell>
                <TableCell>
                  {license.licensingMode === 1 ? (
                    <Button
                      size="small"
                      color="warning"
                      disabled={deactivate.isPending || (tokens.data?.deactivationsLeft ?? 0) === 0}
                      onClick={() => deactivate.mutate(token.id!)}
                      aria-label={`Deactivate ${token.machineId ?? token.id}`}
                    >
                      Deactivate
                    </Button>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {outcome ? (
        <Alert severity={outcome.ok ? 'success' : 'error'} role="status" sx={{ mt: 1 }}>
          {outcome.text}
        </Alert>
      ) : null}
    </Box>
  );
}

/** A Customer user's own licenses, their machines and seats; it may free a machine it no longer uses. */
export function Portal() {
  const customer = useQuery({ queryKey: ['portal-customer'], queryFn: () => call(api.getPortalCustomer()) });
  const licenses = useQuery({ queryKey: ['portal-licenses'], queryFn: loadLicenses });
  if (customer.isPending || licenses.isPending) return <Loading />;
  const failure = customer.error ?? licenses.error;
  if (failure)
    return (
      <Alert severity="error" role="alert" sx={{ mt: 2 }}>
        {failure.message}
      </Alert>
    );
  const who = customer.data!.customer;
  return (
    <Box sx={{ mt: 2, display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Title title="My licenses" />
      <h1 style={{ fontSize: 22, margin: 0 }}>
        Licenses of {who.company ?? `${who.firstName ?? ''} ${who.lastName ?? ''}`}
      </h1>
      <p style={{ margin: 0 }}>
        You may deactivate up to {customer.data!.deactivationsPer30Days} machines per license in 30 days.
      </p>
      {licenses.data!.licenses.map((license) => (
        <Card key={license.id} component="article" aria-label={`License ${license.licenseId}`}>
          <CardHeader
            title={`${license.productName ?? 'License'} ${license.productVersion ?? ''}`}
            subheader={`${license.licenseId} · ${MODE_NAMES[Number(license.licensingMode)]}${license.revoked ? ' · revoked' : ''}`}
            titleTypographyProps={{ component: 'h2', variant: 'h6' }}
          />
          <CardContent>
            <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 3, mb: 1 }}>
              <span>
                User key: <code style={{ wordBreak: 'break-all' }}>{license.userKey}</code>
              </span>
              {license.licensingMode !== 0 ? (
                <span aria-label="Seats in use">
                  In use: {license.activeTokens} of {license.maxAllowedSites ?? 1}
                </span>
              ) : null}
              <span>Expires: {license.expireDate ? license.expireDate.slice(0, 10) : 'never'}</span>
              {license.licensingMode === 1 ? <span>Deactivations left: {license.deactivationsLeft}</span> : null}
            </Box>
            {license.licensingMode !== 0 ? <Machines license={license} /> : null}
          </CardContent>
        </Card>
      ))}
      {licenses.data!.licenses.length === 0 ? <p>Your customer has no license yet.</p> : null}
    </Box>
  );
}
