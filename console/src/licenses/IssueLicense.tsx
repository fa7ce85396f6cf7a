import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  FormControlLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Step,
  StepLabel,
  Stepper,
  TextField,
  useMediaQuery,
  type Theme,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Title, usePermissions } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { can } from '../access';
import { ApiError, api, call } from '../api';
import { MODES } from './LicenseList';

interface Draft {
  productId: string;
  templateId: string;
  customerChoice: 'existing' | 'new' | 'none';
  customerId: string;
  newCompany: string;
  newEmail: string;
  orderId: string;
  licensingMode: string;
  maxAllowedSites: string;
  expireDate: string;
  licenseeName: string;
  licenseeEmail: string;
  description: string;
}

const EMPTY: Draft = {
  productId: '',
  templateId: '',
  customerChoice: 'existing',
  customerId: '',
  newCompany: '',
  newEmail: '',
  orderId: '',
  licensingMode: '',
  maxAllowedSites: '',
  expireDate: '',
  licenseeName: '',
  licenseeEmail: '',
  description: '',
};

const STEPS = ['Product', 'Template', 'Customer', 'Order', 'Overrides', 'Issue'];

/** Product → template → customer (or a new one) → order → overrides → issue, then the license's page. */
export function IssueLicense() {
  const { permissions } = usePermissions<string[]>();
  const small = useMediaQuery((theme: Theme) => theme.breakpoints.down('md'));
  const navigate = useNavigate();
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<{ message: string; field?: string }>();
  const [busy, setBusy] = useState(false);
  const canTemplates = can(permissions, 'licensing');
  const canCustomers = can(permissions, 'commerce');
  const set = (member: keyof Draft) => (event: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [member]: event.target.value }));

  const products = useQuery({
    queryKey: ['issue-products'],
    queryFn: () => call(api.getProducts({ query: { sort: 'Name', take: 1000 } })),
  });
  const templates = useQuery({
    queryKey: ['issue-templates', draft.productId],
    enabled: canTemplates && Boolean(draft.productId),
    queryFn: () =>
      call(api.getLicenseTemplates({ query: { filter: `ProductId == ${draft.productId}`, sort: 'Name', take: 1000 } })),
  });
  const customers = useQuery({
    queryKey: ['issue-customers'],
    enabled: canCustomers,
    queryFn: () => call(api.getCustomers({ query: { sort: 'Company', take: 1000 } })),
  });
  const orders = useQuery({
    queryKey: ['issue-orders', draft.customerId],
    enabled: canCustomers && Boolean(draft.customerId) && draft.customerChoice === 'existing',
    queryFn: () =>
      call(
        api.getOrders({ query: { filter: `CustomerId == ${draft.customerId}`, sort: 'CreatedAt desc', take: 1000 } }),
      ),
  });
  const product = products.data?.products.find((item) => String(item.id) === draft.productId);

  async function issue() {
    setBusy(true);
    setError(undefined);
    try {
      let customerId = draft.customerChoice === 'existing' && draft.customerId ? Number(draft.customerId) : undefined;
      if (draft.customerChoice === 'new') {
        const created = await call(
          api.insertCustomer({ body: { customer: { company: draft.newCompany, email: draft.newEmail || null } } }),
        );
        customerId = created.customerId;
        setDraft((current) => ({ ...current, customerChoice: 'existing', customerId: String(created.customerId) }));
      }
      const number = (text: string) => (text === '' ? undefined : Number(text));
      const answer = await call(
        api.insertLicense({
          body: {
            license: {
              templateId: number(draft.templateId),
              product: draft.templateId ? undefined : { id: draft.productId, name: product?.name ?? null },
              customerId,
              orderId: number(draft.orderId),
              licensingMode: number(draft.licensingMode) as 0 | 1 | 2 | undefined,
              maxAllowedSites: number(draft.maxAllowedSites),
              expireDate: draft.expireDate ? new Date(draft.expireDate).toISOString() : undefined,
              licenseeName: draft.licenseeName || undefined,
              licenseeEmail: draft.licenseeEmail || undefined,
              description: draft.description || undefined,
            },
          },
        }),
      );
      void navigate(`/licenses/${answer.licenseId}/show`);
    } catch (caught) {
      const message = caught instanceof Error ? caught.message : String(caught);
      const field = caught instanceof ApiError ? /\b(?:license|customer)\.([a-zA-Z]+)/.exec(message)?.[1] : undefined;
      setError({ message, field });
      // Back to the step whose field the API names.
      if (field && ['maxAllowedSites', 'expireDate', 'licenseeName', 'licenseeEmail', 'licensingMode'].includes(field))
        setStep(4);
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (member: string) => (error?.field === member ? { error: true, helperText: error.message } : {});

  const pages = [
    <TextField key="p" select fullWidth label="Product" value={draft.productId} onChange={set('productId')} required>
      {(products.data?.products ?? []).map((item) => (
        <MenuItem key={item.id} value={String(item.id)}>
          {item.name} {item.code ? `(${item.code})` : ''}
        </MenuItem>
      ))}
    </TextField>,
    canTemplates ? (
      <TextField key="t" select fullWidth label="Template" value={draft.templateId} onChange={set('templateId')}>
        <MenuItem value="">No template</MenuItem>
        {(templates.data?.licenseTemplates ?? []).map((item) => (
          <MenuItem key={item.id} value={String(item.id)}>
            {item.name} — {MODES[Number(item.licensingMode ?? 0)].name}
          </MenuItem>
        ))}
      </TextField>
    ) : (
      <Alert key="t" severity="info">
        Your role issues licenses without a template: set the mode and seats under Overrides.
      </Alert>
    ),
    canCustomers ? (
      <Box key="c">
        <RadioGroup
          aria-label="Customer"
          value={draft.customerChoice}
          onChange={(event) =>
            setDraft((current) => ({ ...current, customerChoice: event.target.value as Draft['customerChoice'] }))
          }
        >
          <FormControlLabel value="existing" control={<Radio />} label="An existing customer" />
          <FormControlLabel value="new" control={<Radio />} label="A new customer" />
          <FormControlLabel value="none" control={<Radio />} label="No customer" />
        </RadioGroup>
        {draft.customerChoice === 'existing' ? (
          <TextField select fullWidth label="Customer" value={draft.customerId} onChange={set('customerId')}>
            {(customers.data?.customers ?? []).map((item) => (
              <MenuItem key={item.id} value={String(item.id)}>
                {item.company ?? `${item.firstName ?? ''} ${item.lastName ?? ''}`} {item.code ? `(${item.code})` : ''}
              </MenuItem>
            ))}
          </TextField>
        ) : null}
        {draft.customerChoice === 'new' ? (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            <TextField label="Company" value={draft.newCompany} onChange={set('newCompany')} required />
            <TextField label="Customer email" value={draft.newEmail} onChange={set('newEmail')} type="email" />
          </Box>
        ) : null}
      </Box>
    ) : (
      <Alert key="c" severity="info">
        Your role does not manage customers: name the licensee under Overrides.
      </Alert>
    ),
    <TextField
      key="o"
      select
      fullWidth
      label="Order (optional)"
      value={draft.orderId}
      onChange={set('orderId')}
      disabled={!canCustomers || draft.customerChoice !== 'existing' || !draft.customerId}
    >
      <MenuItem value="">No order</MenuItem>
      {(orders.data?.orders ?? []).map((item) => (
        <MenuItem key={item.id} value={String(item.id)}>
          {item.orderNumber}
        </MenuItem>
      ))}
    </TextField>,
    <Box key="v" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <TextField
        select
        label="Licensing mode"
        value={draft.licensingMode}
        onChange={set('licensingMode')}
        {...fieldError('licensingMode')}
      >
        <MenuItem value="">As the template says</MenuItem>
        {MODES.map((mode) => (
          <MenuItem key={mode.id} value={String(mode.id)}>
            {mode.name}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        label="Seats (activations or floating)"
        type="number"
        value={draft.maxAllowedSites}
        onChange={set('maxAllowedSites')}
        {...fieldError('maxAllowedSites')}
      />
      <TextField
        label="Expires"
        type="date"
        value={draft.expireDate}
        onChange={set('expireDate')}
        slotProps={{ inputLabel: { shrink: true } }}
        {...fieldError('expireDate')}
      />
      <TextField
        label="Licensee name"
        value={draft.licenseeName}
        onChange={set('licenseeName')}
        {...fieldError('licenseeName')}
      />
      <TextField
        label="Licensee email"
        value={draft.licenseeEmail}
        onChange={set('licenseeEmail')}
        {...fieldError('licenseeEmail')}
      />
      <TextField label="Description" value={draft.description} onChange={set('description')} multiline />
    </Box>,
    <Box key="i">
      <p>
        Product <strong>{product?.name}</strong>
        {draft.templateId
          ? `, template ${templates.data?.licenseTemplates.find((item) => String(item.id) === draft.templateId)?.name ?? ''}`
          : ', no template'}
        {draft.customerChoice === 'new' ? `, new customer ${draft.newCompany}` : ''}.
      </p>
      <Button variant="contained" onClick={() => void issue()} disabled={busy}>
        Issue license
      </Button>
    </Box>,
  ];

  const canNext = step !== 0 || Boolean(draft.productId);
  return (
    <Card sx={{ mt: 2, minWidth: 0, maxWidth: '100%' }}>
      <Title title="Issue a license" />
      <CardContent>
        {small ? (
          <Box sx={{ mb: 2, color: 'text.secondary' }}>
            Step {step + 1} of {STEPS.length}
          </Box>
        ) : (
          <Stepper activeStep={step} alternativeLabel sx={{ mb: 3 }}>
            {STEPS.map((label) => (
              <Step key={label}>
                <StepLabel>{label}</StepLabel>
              </Step>
            ))}
          </Stepper>
        )}
        <Box component="section" aria-label={STEPS[step]} sx={{ maxWidth: 560 }}>
          <h2 style={{ fontSize: 18 }}>{STEPS[step]}</h2>
          {pages[step]}
        </Box>
        {error ? (
          <Alert severity="error" role="alert" sx={{ mt: 2 }}>
            {error.message}
          </Alert>
        ) : null}
        <Box sx={{ display: 'flex', gap: 1, mt: 3 }}>
          <Button disabled={step === 0} onClick={() => setStep(step - 1)}>
            Back
          </Button>
          {step < STEPS.length - 1 ? (
            <Button variant="outlined" disabled={!canNext} onClick={() => setStep(step + 1)}>
              Next
            </Button>
          ) : null}
        </Box>
      </CardContent>
    </Card>
  );
}
