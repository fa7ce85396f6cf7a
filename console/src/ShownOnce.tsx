import ContentCopy from '@mui/icons-material/ContentCopy';
import { Alert, Box, Button, Typography } from '@mui/material';
import { useState } from 'react';

/** Copies to the clipboard and says so; the label names what is copied. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="small"
      startIcon={<ContentCopy />}
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => setCopied(true));
      }}
      aria-label={label}
    >
      {copied ? 'Copied' : label}
    </Button>
  );
}

/** A secret the API answers once (an API key's value): shown after the insert, with a copy button, never again. */
export function ShownOnce({ value, label }: { value: string | undefined; label: string }) {
  if (!value) return null;
  return (
    <Alert severity="warning" sx={{ mt: 2, width: '100%' }} role="status">
      <Typography>Store this {label} now: it is not shown again.</Typography>
      <Box component="code" data-testid="shown-once" sx={{ wordBreak: 'break-all', display: 'block', my: 1 }}>
        {value}
      </Box>
      <CopyButton value={value} label={`Copy ${label}`} />
    </Alert>
  );
}
