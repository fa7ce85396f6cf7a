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
import { useRecordContext } from 'react-admin';
import { api, call } from './api';

/** A webhook's latest deliveries, with redeliver, and a test event. */
export function WebhookDeliveries() {
  const record = useRecordContext();
  const webhookId = Number(record?.id);
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', webhookId],
    enabled: Boolean(record),
    queryFn: () => call(api.getWebhookDeliveries({ path: { webhookId }, query: { sort: 'Id desc', take: 25 } })),
  });
  const done = (text: string) => {
    setOutcome({ ok: true, text });
    void queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', webhookId] });
  };
  const failed = (error: Error) => setOutcome({ ok: false, text: error.message });
  const test = useMutation({
    mutationFn: () => call(api.testWebhook({ path: { webhookId } })),
    onSuccess: (answer) => done(answer.message),
    onError: failed,
  });
  const redeliver = useMutation({
    mutationFn: (deliveryId: number) => call(api.redeliverWebhookDelivery({ path: { webhookId, deliveryId } })),
    onSuccess: (answer) => done(answer.message),
    onError: failed,
  });
  if (!record) return null;
  return (
    <Card sx={{ mt: 2, width: '100%' }} variant="outlined">
      <CardHeader title="Deliveries" titleTypographyProps={{ component: 'h2', variant: 'h6' }} />
      <CardContent sx={{ overflowX: 'auto' }}>
        <Button variant="outlined" size="small" onClick={() => test.mutate()} disabled={test.isPending}>
          Send a test event
        </Button>
        {outcome ? (
          <Alert severity={outcome.ok ? 'success' : 'error'} role="status" sx={{ my: 1 }}>
            {outcome.text}
          </Alert>
        ) : null}
        <Table size="small" aria-label="Deliveries">
          <TableHead>
            <TableRow>
              <TableCell>Event</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Attempts</TableCell>
              <TableCell>Answer</TableCell>
              <TableCell>Created</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {(deliveries.data?.webhookDeliveries ?? []).map((delivery) => (
              <TableRow key={delivery.id}>
                <TableCell>{delivery.eventType}</TableCell>
                <TableCell>{delivery.status}</TableCell>
                <TableCell>{delivery.attempts}</TableCell>
                <TableCell>{delivery.responseStatus ?? delivery.lastError}</TableCell>
                <TableCell>
                  {String(delivery.createdAt ?? '')
                    .slice(0, 19)
                    .replace('T', ' ')}
                </TableCell>
                <TableCell>
                  <Button
                    size="small"
                    onClick={() => redeliver.mutate(Number(delivery.id))}
                    disabled={redeliver.isPending}
                    aria-label={`Redeliver ${delivery.eventType} ${delivery.id}`}
                  >
                    Redeliver
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {deliveries.data && deliveries.data.webhookDeliveries.length === 0 ? <Box sx={{ mt: 1 }}>None yet.</Box> : null}
      </CardContent>
    </Card>
  );
}
