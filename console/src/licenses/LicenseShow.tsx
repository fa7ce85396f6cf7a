import Download from '@mui/icons-material/Download';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  MenuItem,
  TextField as MuiTextField,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
} from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  BooleanField,
  DateField,
  Labeled,
  NumberField,
  SelectField,
  Show,
  TextField,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { can } from '../access';
import { api, call } from '../api';
import { CopyButton } from '../ShownOnce';
import { MODES } from './LicenseList';

const TRACE_ACTIONS = ['', 'Activate', 'Deactivate', 'Validate', 'Floating request', 'Floating release', 'Heartbeat'];

/** The signed license document as a file, named as the template names it, else after the license id. */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function KeyCard() {
  const record = useRecordContext();
  const { permissions } = usePermissions<string[]>();
  const notify = useNotify();
  const refresh = useRefresh();
  const revoke = useMutation({
    mutationFn: () => call(api.updateLicense({ body: { license: { id: Number(record!.id), revoked: true } } })),
    onSuccess: () => {
      notify('The license is revoked', { type: 'info' });
      refresh();
    },
    onError: (error: Error) => notify(error.message, { type: 'error' }),
  });
  if (!record) return null;
  const fileName = `${String(record.licenseId)}.lic`;
  return (
    <Card sx={{ mb: 2 }}>
      <CardHeader title="User key and license file" titleTypographyProps={{ component: 'h2', variant: 'h6' }} />
      <CardContent>
        <Box
          component="code"
          data-testid="user-key"
          sx={{ fontSize: 18, display: 'block', mb: 1, wordBreak: 'break-all' }}
          aria-label="User key"
        >
          {String(record.userKey)}
        </Box>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
          <CopyButton value={String(record.userKey)} label="Copy user key" />
          <CopyButton value={String(record.licenseKey ?? '')} label="Copy license file" />
          <Button
            size="small"
            startIcon={<Download />}
            onClick={() => download(fileName, String(record.licenseKey ?? ''))}
          >
            Download license file
          </Button>
          {can(permissions, 'licenses', 'update') && !record.revoked ? (
            <Button
              size="small"
              color="error"
              disabled={revoke.isPending}
              onClick={() => {
                if (window.confirm(`Revoke license ${String(record.licenseId)}? Applications will refuse it.`))
                  revoke.mutate();
              }}
            >
              Revoke
            </Button>
          ) : null}
        </Box>
        {can(permissions, 'administration') ? <SendEmail licenseId={Number(record.id)} /> : null}
      </CardContent>
    </Card>
  );
}

/** Sends the license with a stored email template (a resource of type email). */
function SendEmail({ licenseId }: { licenseId: number }) {
  const [resourceId, setResourceId] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const templates = useQuery({
    queryKey: ['email-templates'],
    queryFn: () => call(api.getResources({ query: { filter: 'Type == "email"', take: 100 } })),
  });
  const send = useMutation({
    mutationFn: () => call(api.sendLicenseEmail({ body: { licenseId, resourceId: Number(resourceId) } })),
    onSuccess: (answer) => setOutcome({ ok: true, text: answer.message }),
    onError: (error: Error) => setOutcome({ ok: false, text: error.message }),
  });
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, alignItems: 'center', mt: 2 }}>
      <MuiTextField
        select
        size="small"
        label="Email template"
        value={resourceId}
        onChange={(event) => setResourceId(event.target.value)}
        sx={{ minWidth: 220 }}
      >
        {(templates.data?.resources ?? []).map((resource) => (
          <MenuItem key={resource.id} value={String(resource.id)}>
            {resource.name}
          </MenuItem>
        ))}
      </MuiTextField>
      <Button size="small" variant="outlined" disabled={!resourceId || send.isPending} onClick={() => send.mutate()}>
        Send by email
      </Button>
      {outcome ? (
        <Alert severity={outcome.ok ? 'success' : 'error'} role="status">
          {outcome.text}
        </Alert>
      ) : null}
    </Box>
  );
}

function TokensCard() {
  const record = useRecordContext();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const licenseId = Number(record?.id);
  const tokens = useQuery({
    queryKey: ['license-tokens', licenseId],
    enabled: Boolean(record),
    queryFn: () => call(api.getLicenseTokensByLicense({ path: { licenseId }, query: { sort: 'IssueDate desc' } })),
  });
  const release = useMutation({
    mutationFn: (tokenId: number) => call(api.deleteLicenseToken({ path: { licenseId, tokenId } })),
    onSuccess: () => {
      notify('Freed', { type: 'info' });
      void queryClient.invalidateQueries({ queryKey: ['license-tokens', licenseId] });
    },
    onError: (error: Error) => notify(error.message, { type: 'error' }),
  });
  if (!record || Number(record.licensingMode) === 0) return null;
  const floating = Number(record.licensingMode) === 2;
  const rows = tokens.data?.licenseTokens ?? [];
  return (
    <Card sx={{ mb: 2 }}>
      <CardHeader
        title={`${floating ? 'Floating seats' : 'Activations'}: ${rows.length} of ${String(record.maxAllowedSites ?? 1)}`}
        titleTypographyProps={{ component: 'h2', variant: 'h6' }}
      />
      <CardContent sx={{ overflowX: 'auto' }}>
        <Table size="small" aria-label={floating ? 'Floating seats' : 'Activations'}>
          <TableHead>
            <TableRow>
              <TableCell>Machine</TableCell>
              <TableCell>Client</TableCell>
              <TableCell>Since</TableCell>
              <TableCell>Expires</TableCell>
              <TableCell>Node-locked copy</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((token) => (
              <TableRow key={token.id}>
                <TableCell>{token.machineId}</TableCell>
                <TableCell>{token.clientName ?? token.clientId}</TableCell>
                <TableCell>{token.issueDate?.slice(0, 16).replace('T', ' ')}</TableCell>
                <TableCell>{token.expireDate?.slice(0, 16).replace('T', ' ') ?? 'with the license'}</TableCell>
                <TableCell>
                  {token.nodeLockedLicenseId ? (
                    <Link to={`/licenses/${token.nodeLockedLicenseId}/show`}>license {token.nodeLockedLicenseId}</Link>
                  ) : null}
                </TableCell>
                <TableCell>
                  <Button
                    size="small"
                    color="warning"
                    disabled={release.isPending}
                    onClick={() => release.mutate(Number(token.id))}
                    aria-label={`${floating ? 'Release seat' : 'Deactivate machine'} ${token.machineId ?? token.clientId ?? token.id}`}
                  >
                    {floating ? 'Release seat' : 'Deactivate machine'}
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

function TracesCard() {
  const record = useRecordContext();
  const licenseId = Number(record?.id);
  const traces = useQuery({
    queryKey: ['license-traces', licenseId],
    enabled: Boolean(record?.trace),
    queryFn: () =>
      call(api.getLicenseTraces({ query: { filter: `LicenseId == ${licenseId}`, sort: 'Id desc', take: 50 } })),
  });
  if (!record?.trace) return null;
  return (
    <Card sx={{ mb: 2 }}>
      <CardHeader title="Traces" titleTypographyProps={{ component: 'h2', variant: 'h6' }} />
      <CardContent sx={{ overflowX: 'auto' }}>
        <Table size="small" aria-label="Traces">
          <TableBody>
            {(traces.data?.licenseTraces ?? []).map((trace) => (
              <TableRow key={trace.id}>
                <TableCell>{trace.createdDate?.slice(0, 19).replace('T', ' ')}</TableCell>
                <TableCell>{TRACE_ACTIONS[Number(trace.action)]}</TableCell>
                <TableCell>{trace.machineId}</TableCell>
                <TableCell>{trace.clientIp}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

function Details() {
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 3, mb: 2 }}>
      <Labeled label="License">
        <TextField source="licenseId" />
      </Labeled>
      <Labeled label="Licensee">
        <TextField source="licenseeName" emptyText="–" />
      </Labeled>
      <Labeled label="Product">
        <TextField source="product.name" emptyText="–" />
      </Labeled>
      <Labeled label="Mode">
        <SelectField source="licensingMode" choices={MODES} />
      </Labeled>
      <Labeled label="Seats">
        <NumberField source="maxAllowedSites" emptyText="–" />
      </Labeled>
      <Labeled label="Expires">
        <DateField source="expireDate" emptyText="never" />
      </Labeled>
      <Labeled label="Revoked">
        <BooleanField source="revoked" />
      </Labeled>
    </Box>
  );
}

export function LicenseShow() {
  const { permissions } = usePermissions<string[]>();
  return (
    <Show>
      <Box sx={{ p: 2 }}>
        <Details />
        <KeyCard />
        {can(permissions, 'licensing') ? <TokensCard /> : null}
        {can(permissions, 'licensing') ? <TracesCard /> : null}
      </Box>
    </Show>
  );
}
